/**
 * A storage item whose every read and every watched change goes through a parse step: what is
 * stored is never trusted (another version wrote it, or it was damaged). `parse` turns anything,
 * `null` (nothing stored) included, into a valid value, filling what is bad from the defaults; when
 * the stored value was there but not already valid, a warning is logged and the parsed value used.
 * A read never throws over bad data, only when storage itself fails.
 *
 * Built on @wxt-dev/storage's defineItem, which keeps the item's version in `<key>$` and runs
 * `migrations` (version -> function of the older value) before the first read or write.
 */
import { storage, type StorageItemKey } from 'wxt/utils/storage';

export interface ParsedItemOptions<T> {
  /** Stored value (or null when there is none) -> a valid value. Must not throw; if it does, the fallback is used. */
  parse: (stored: unknown) => T;
  /** Shape version of the stored value: bump it and add a migration when the shape changes. */
  version: number;
  migrations?: Record<number, (older: unknown) => unknown>;
}

export interface ParsedItem<T> {
  /** "area:key", as @wxt-dev/storage names it. */
  readonly key: StorageItemKey;
  /** What a read gives when nothing is stored: parse(null), a fresh value each time (callers may change it). */
  readonly fallback: T;
  getValue(): Promise<T>;
  /** Whether anything is stored under the key (a read gives the fallback when not). */
  isStored(): Promise<boolean>;
  setValue(value: T): Promise<void>;
  removeValue(): Promise<void>;
  /** Calls `onChange` with the parsed new value after every change in any context; returns the unsubscribe. */
  watch(onChange: (value: T) => void): () => void;
  /** Parses a raw stored value as a read would (for values that arrive another way). */
  parse(stored: unknown): T;
}

export function defineParsedItem<T>(key: StorageItemKey, options: ParsedItemOptions<T>): ParsedItem<T> {
  const item = storage.defineItem<unknown>(key, { version: options.version, migrations: options.migrations });
  const fallback = (): T => options.parse(null);
  const parse = (stored: unknown): T => {
    if (stored === null || stored === undefined) return fallback();
    let value: T;
    try {
      value = options.parse(stored);
    } catch (error) {
      console.warn(`[captionist] stored ${key} is not valid; using the default`, error);
      return fallback();
    }
    if (!sameJson(value, stored)) console.warn(`[captionist] stored ${key} was not valid; using the repaired value`);
    return value;
  };
  return {
    key,
    get fallback() {
      return fallback();
    },
    parse,
    async getValue() {
      return parse(await item.getValue());
    },
    async isStored() {
      return (await item.getValue()) != null;
    },
    async setValue(value) {
      await item.setValue(value);
    },
    async removeValue() {
      await item.removeValue();
    },
    watch(onChange) {
      return item.watch((next) => onChange(parse(next)));
    },
  };
}

/** Deep equality of JSON-like values, key order aside (what storage gives back is JSON). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const bKeys = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (aKeys.length !== bKeys.length) return false;
  return aKeys.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
