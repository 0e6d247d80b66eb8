/** Shared bits for the persistence tests: a fresh in-memory IndexedDB per test, and utterances. */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import type { Utterance } from '@/lib/transcript/types';

/** Replaces the global IndexedDB with an empty one (idb reads the global when it opens). */
export function freshIndexedDb(): void {
  globalThis.indexedDB = new IDBFactory();
}

export function utterance(id: string, start: number, words: string[], closed = true): Utterance {
  return {
    id,
    start,
    end: start + words.length * 0.3,
    text: words.join(' '),
    speaker: null,
    channel: 0,
    closed,
    words: words.map((text, i) => ({ text, start: start + i * 0.3, end: start + i * 0.3 + 0.25, confidence: 0.9, speaker: null })),
  };
}
