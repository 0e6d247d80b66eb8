/**
 * Where speaker names live: storage.local under `speakerNames` (lib/contract/storage/items.ts), one
 * entry per session, so the side panel, the caption overlay (served by the background), copy and
 * every export read the same names, and a rename in one view reaches the others through a watch.
 *
 *   speakerNames: { [sessionKey]: { names: { "0": "Dana", ... }, updatedAt: epochMs } }
 *
 * A session's key comes from when capture began (SessionState.startedAt), which every view already
 * has; the offscreen document needs no new message. At most MAX_SESSIONS entries are kept (the
 * least recently renamed go first), and names go with their session when retention deletes it
 * (retainSessions, called by lib/persistence/history-pruner.ts).
 */
import { speakerNamesItem } from './contract/storage/items';
import {
  NO_SPEAKER_NAMES,
  sameSpeakerNames,
  withSpeakerName,
  type SessionSpeakerNames,
  type SpeakerNames,
  type SpeakerNamesBySession,
} from './transcript/speaker-names';

export const MAX_SESSIONS = 200;
/**
 * How far a saved session's start may be from its names' key and still own them: the saved record's
 * start may be read from the clock a moment apart from the live session's (see resolveKey).
 */
export const KEY_TOLERANCE_MS = 2000;

/** The storage key of one session's names: the epoch milliseconds at which its capture began. */
export function speakerNamesKey(startedAt: number): string {
  return `session-${Math.round(startedAt)}`;
}

type Entries = SpeakerNamesBySession;
type SessionEntry = SessionSpeakerNames;

/** The stored map of every session's names (lib/contract/storage/items.ts speakerNamesItem; tests pass their own). */
export interface SpeakerNamesItem {
  getValue(): Promise<Entries>;
  setValue(value: Entries): Promise<void>;
  /** Calls `onChange` with the parsed new map after every change, in any context. */
  watch(onChange: (value: Entries) => void): () => void;
}

export interface SpeakerNamesStore {
  load(sessionKey: string): Promise<SpeakerNames>;
  /** Renames `speaker` in that session ('' restores "Speaker N"); resolves with the session's names. */
  rename(sessionKey: string, speaker: number, name: string): Promise<SpeakerNames>;
  /** Drops a session's names (when the session itself is deleted). */
  forget(sessionKey: string): Promise<void>;
  /** Calls `onNames` with the session's names now and after every change; returns the unsubscribe. */
  watch(sessionKey: string, onNames: (names: SpeakerNames) => void): () => void;
  /**
   * The key under which a saved session's names are kept: the exact key for `startedAt` if it has
   * names, else the nearest key within `toleranceMs` that has some (the saved record's start may be
   * read from the clock a moment apart from the live session's), else the exact key.
   */
  resolveKey(startedAt: number, toleranceMs?: number): Promise<string>;
  /**
   * Keeps the names of sessions that started at one of `startTimes` (within `toleranceMs`, as
   * resolveKey matches them) and drops every other entry; resolves with the dropped keys.
   */
  retainSessions(startTimes: readonly number[], toleranceMs?: number): Promise<string[]>;
}

/** The capture start a names key stands for, or null for a key no session could have made. */
function startOfKey(key: string): number | null {
  const match = /^session-(\d+)$/.exec(key);
  return match ? Number(match[1]) : null;
}

function bounded(entries: Entries): Entries {
  const keys = Object.keys(entries);
  if (keys.length <= MAX_SESSIONS) return entries;
  const keep = keys.sort((a, b) => (entries[b]?.updatedAt ?? 0) - (entries[a]?.updatedAt ?? 0)).slice(0, MAX_SESSIONS);
  return Object.fromEntries(keep.map((key) => [key, entries[key] as SessionEntry]));
}

export function createSpeakerNamesStore(item: SpeakerNamesItem, now: () => number = Date.now): SpeakerNamesStore {
  // Renames in this context are applied one after another, so two quick renames never lose one.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const result = queue.then(work, work);
    queue = result.catch(() => undefined);
    return result;
  };
  const readAll = (): Promise<Entries> => item.getValue();

  return {
    async load(sessionKey) {
      return (await readAll())[sessionKey]?.names ?? NO_SPEAKER_NAMES;
    },
    rename(sessionKey, speaker, name) {
      return serial(async () => {
        const entries = await readAll();
        const names = withSpeakerName(entries[sessionKey]?.names ?? NO_SPEAKER_NAMES, speaker, name);
        entries[sessionKey] = { names, updatedAt: now() };
        await item.setValue(bounded(entries));
        return names;
      });
    },
    forget(sessionKey) {
      return serial(async () => {
        const entries = await readAll();
        if (!(sessionKey in entries)) return;
        const { [sessionKey]: _forgotten, ...kept } = entries;
        await item.setValue(kept);
      });
    },
    retainSessions(startTimes, toleranceMs = KEY_TOLERANCE_MS) {
      return serial(async () => {
        const entries = await readAll();
        const owned = (key: string) => {
          const start = startOfKey(key);
          return start !== null && startTimes.some((time) => Math.abs(time - start) <= toleranceMs);
        };
        const dropped = Object.keys(entries).filter((key) => !owned(key));
        if (dropped.length === 0) return [];
        await item.setValue(Object.fromEntries(Object.entries(entries).filter(([key]) => owned(key))));
        return dropped;
      });
    },
    async resolveKey(startedAt, toleranceMs = KEY_TOLERANCE_MS) {
      const exact = speakerNamesKey(startedAt);
      const entries = await readAll();
      if (entries[exact]) return exact;
      let best: string | null = null;
      let bestDistance = Infinity;
      for (const key of Object.keys(entries)) {
        const start = startOfKey(key);
        if (start === null) continue;
        const distance = Math.abs(start - startedAt);
        if (distance <= toleranceMs && distance < bestDistance) {
          best = key;
          bestDistance = distance;
        }
      }
      return best ?? exact;
    },
    watch(sessionKey, onNames) {
      let current: SpeakerNames | null = null;
      let alive = true;
      const emit = (names: SpeakerNames) => {
        if (!alive || (current !== null && sameSpeakerNames(current, names))) return;
        current = names;
        onNames(names);
      };
      const unwatch = item.watch((entries) => emit(entries[sessionKey]?.names ?? NO_SPEAKER_NAMES));
      void readAll().then(
        (entries) => {
          // A change that arrived while reading is newer than what was read.
          if (current === null) emit(entries[sessionKey]?.names ?? NO_SPEAKER_NAMES);
        },
        () => emit(NO_SPEAKER_NAMES),
      );
      return () => {
        alive = false;
        unwatch();
      };
    },
  };
}

let defaultStore: SpeakerNamesStore | null = null;

/** The store over the real item, for extension pages and the background (the overlay asks the background). */
export function speakerNamesStore(): SpeakerNamesStore {
  defaultStore ??= createSpeakerNamesStore(speakerNamesItem);
  return defaultStore;
}
