import { describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { SPEAKER_NAMES_STORAGE_KEY } from '@/lib/contract/storage/items';
import { createSpeakerNamesStore, MAX_SESSIONS, speakerNamesKey, speakerNamesStore, type SpeakerNamesItem } from '@/lib/speaker-names-store';
import { speakerLabel } from '@/lib/transcript/speaker-colors';
import {
  MAX_SPEAKER_NAME_LENGTH,
  normalizeSpeakerName,
  parseSpeakerNames,
  parseSpeakerNamesBySession,
  withSpeakerName,
  isSpeakerIndex,
  YOU_SPEAKER,
  type SpeakerNamesBySession,
} from '@/lib/transcript/speaker-names';
import { MAX_SPEAKER_INDEX as MAX_DIARIZED_INDEX } from '@/lib/listen/protocol';

describe('speaker names (pure rules)', () => {
  it('trims, collapses whitespace, drops control characters and bounds the length', () => {
    expect(normalizeSpeakerName('  Dana \n Scully\u0000 ')).toBe('Dana Scully');
    expect(normalizeSpeakerName('a\u2028b')).toBe('a b');
    expect(Array.from(normalizeSpeakerName('😀'.repeat(100)))).toHaveLength(MAX_SPEAKER_NAME_LENGTH);
  });

  it('renames a speaker, and an empty name brings "Speaker N" back', () => {
    const named = withSpeakerName({}, 0, 'Dana');
    expect(speakerLabel(0, named)).toBe('Dana');
    expect(speakerLabel(1, named)).toBe('Speaker 2');
    expect(speakerLabel(0, withSpeakerName(named, 0, '   '))).toBe('Speaker 1');
  });

  it('renames "You" like any speaker, and reads its name back from storage', () => {
    expect(isSpeakerIndex(YOU_SPEAKER)).toBe(true);
    const named = withSpeakerName({ 0: 'Dana' }, YOU_SPEAKER, ' Sam ');
    expect(named).toEqual({ 0: 'Dana', [YOU_SPEAKER]: 'Sam' });
    expect(parseSpeakerNames(JSON.parse(JSON.stringify(named)))).toEqual(named);
    expect(withSpeakerName(named, YOU_SPEAKER, '')).toEqual({ 0: 'Dana' });
  });

  it('reserves "You" above every index a server can diarize, and accepts no other index up there', () => {
    expect(YOU_SPEAKER).toBeGreaterThan(MAX_DIARIZED_INDEX);
    expect(isSpeakerIndex(YOU_SPEAKER - 1)).toBe(false);
    expect(isSpeakerIndex(YOU_SPEAKER + 1)).toBe(false);
    expect(parseSpeakerNames({ 999: 'no', 1001: 'no', 10000: 'no' })).toEqual({});
  });

  it('ignores invalid speakers and keeps only valid entries from storage', () => {
    expect(withSpeakerName({}, -1, 'x')).toEqual({});
    expect(withSpeakerName({}, 1.5, 'x')).toEqual({});
    expect(parseSpeakerNames({ 0: 'Dana', 1: 42, x: 'no', 999: 'too big', 2: '  ' })).toEqual({ 0: 'Dana' });
    expect(parseSpeakerNames(null)).toEqual({});
    expect(parseSpeakerNames(['a'])).toEqual({});
  });
});

/**
 * An in-memory speakerNames item: parsed on every read and watch like the real one, watchers told
 * as Chrome tells them (after the write, to every listener). `data` holds the raw stored value.
 */
function memoryStorage(): { item: SpeakerNamesItem; data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  const listeners = new Set<(value: SpeakerNamesBySession) => void>();
  return {
    data,
    item: {
      getValue: async () => parseSpeakerNamesBySession(structuredClone(data.get(SPEAKER_NAMES_STORAGE_KEY) ?? null)),
      setValue: async (value) => {
        data.set(SPEAKER_NAMES_STORAGE_KEY, structuredClone(value));
        const parsed = parseSpeakerNamesBySession(structuredClone(value));
        queueMicrotask(() => listeners.forEach((l) => l(parsed)));
      },
      watch: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
  };
}

describe('speaker names store', () => {
  const key = speakerNamesKey(1_764_000_000_000);

  it('keys sessions by when capture began', () => {
    expect(key).toBe('session-1764000000000');
    expect(speakerNamesKey(1_764_000_000_000.4)).toBe(key);
  });

  it('keeps names per session: a rename in one session does not touch another', async () => {
    const { item } = memoryStorage();
    const store = createSpeakerNamesStore(item);
    await store.rename(key, 0, 'Dana');
    await store.rename('session-1', 0, 'Other');
    expect(await store.load(key)).toEqual({ 0: 'Dana' });
    expect(await store.load('session-1')).toEqual({ 0: 'Other' });
    expect(await store.load('session-2')).toEqual({});
  });

  it('loses no rename when two are made at once', async () => {
    const { item } = memoryStorage();
    const store = createSpeakerNamesStore(item);
    await Promise.all([store.rename(key, 0, 'Dana'), store.rename(key, 1, 'Lee'), store.rename(key, 2, 'Sam')]);
    expect(await store.load(key)).toEqual({ 0: 'Dana', 1: 'Lee', 2: 'Sam' });
  });

  it('tells a watcher the names now and after each change, and stops when unsubscribed', async () => {
    const { item } = memoryStorage();
    const writer = createSpeakerNamesStore(item);
    const reader = createSpeakerNamesStore(item);
    await writer.rename(key, 0, 'Dana');
    const seen: unknown[] = [];
    const stop = reader.watch(key, (names) => seen.push(names));
    await vi.waitFor(() => expect(seen).toEqual([{ 0: 'Dana' }]));
    await writer.rename(key, 1, 'Lee');
    await vi.waitFor(() => expect(seen).toEqual([{ 0: 'Dana' }, { 0: 'Dana', 1: 'Lee' }]));
    await writer.rename('session-elsewhere', 0, 'X'); // another session: no call
    stop();
    await writer.rename(key, 0, 'Dana Scully');
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toHaveLength(2);
  });

  it('forgets a deleted session and keeps at most MAX_SESSIONS, dropping the least recently renamed', async () => {
    const { item, data } = memoryStorage();
    let clock = 0;
    const store = createSpeakerNamesStore(item, () => ++clock);
    for (let i = 0; i <= MAX_SESSIONS; i++) await store.rename(`session-${i}`, 0, `n${i}`);
    const stored = data.get(SPEAKER_NAMES_STORAGE_KEY) as Record<string, unknown>;
    expect(Object.keys(stored)).toHaveLength(MAX_SESSIONS);
    expect(stored['session-0']).toBeUndefined();
    await store.forget('session-5');
    expect(await store.load('session-5')).toEqual({});
  });

  it('finds a saved session\'s names under a start read from the clock a moment apart', async () => {
    const { item } = memoryStorage();
    const store = createSpeakerNamesStore(item);
    await store.rename(speakerNamesKey(1_000_000), 0, 'Dana');
    await store.rename(speakerNamesKey(1_010_000), 0, 'Other session');
    expect(await store.resolveKey(1_000_003)).toBe(speakerNamesKey(1_000_000));
    expect(await store.resolveKey(1_000_000)).toBe(speakerNamesKey(1_000_000));
    expect(await store.resolveKey(1_005_000)).toBe(speakerNamesKey(1_005_000));
  });

  it('reads damaged storage as no names', async () => {
    const { item, data } = memoryStorage();
    data.set(SPEAKER_NAMES_STORAGE_KEY, { [key]: { names: { 0: 7, 1: 'Lee' } }, other: 'junk' });
    expect(await createSpeakerNamesStore(item).load(key)).toEqual({ 1: 'Lee' });
  });

  it('works over browser.storage.local', async () => {
    fakeBrowser.reset();
    await speakerNamesStore().rename(key, 3, 'Robin');
    const raw = await fakeBrowser.storage.local.get(SPEAKER_NAMES_STORAGE_KEY);
    expect(raw[SPEAKER_NAMES_STORAGE_KEY]).toMatchObject({ [key]: { names: { 3: 'Robin' } } });
    expect(await speakerNamesStore().load(key)).toEqual({ 3: 'Robin' });
  });
});
