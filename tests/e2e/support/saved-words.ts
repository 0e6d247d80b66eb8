/**
 * The words of the saved session, as any extension page reads them, and the check the fault specs
 * make on them: with a fake upstream that answers one word per 100 ms of audio, every 100 ms slot
 * from the first word to the last holds exactly one word when nothing was lost or sent twice.
 */
import { expect, type Page } from '@playwright/test';
import { wordForAudio, type HostileUpstream } from '../../../testkit/upstream';

export interface SavedWord {
  text: string;
  start: number;
}

const SLOT_SECONDS = 0.1;

/** Asks the background for the transcript from `page` (an extension page); words sorted by start. */
export async function readSavedWords(page: Page): Promise<SavedWord[]> {
  const saved = await page.evaluate(async () => {
    // The page's own extension API (no types for `chrome` in this Node-side file).
    const runtime = (globalThis as unknown as { chrome: { runtime: { sendMessage(message: unknown): Promise<unknown> } } }).chrome.runtime;
    const snapshot = (await runtime.sendMessage({ type: 'transcript/get' })) as {
      utterances: { words: { text: string; start: number }[] }[];
    };
    return snapshot.utterances.flatMap((u) => u.words.map((w) => ({ text: w.text, start: w.start })));
  });
  return saved.sort((a, b) => a.start - b.start);
}

export interface SlotCheck {
  /** Slots with no word: audio lost. */
  missing: number[];
  /** Slots with a second word: audio sent twice. */
  repeated: number[];
  /** Seconds from the first word to the last. */
  capturedSeconds: number;
}

export function checkSlots(words: readonly SavedWord[]): SlotCheck {
  const first = words[0]?.start ?? 0;
  const slots = words.map((w) => Math.round((w.start - first) / SLOT_SECONDS));
  const missing: number[] = [];
  const repeated: number[] = [];
  for (let i = 1; i < slots.length; i++) {
    const previous = slots[i - 1] ?? 0;
    const current = slots[i] ?? 0;
    if (current === previous) repeated.push(current);
    for (let s = previous + 1; s < current; s++) missing.push(s);
  }
  return { missing, repeated, capturedSeconds: Number(((slots.at(-1) ?? 0) * SLOT_SECONDS).toFixed(1)) };
}

/** 100 ms of 16 kHz Int16 mono: the client's batch, so one word of the fake per batch. */
const BATCH_BYTES = 3200;

/**
 * Waits for the speech on `tab` to end and for the live upstream connection to hear only the
 * digital silence after it: by then the backlog from every outage has been sent.
 */
export async function waitForBacklogDrained(tab: Page, upstream: HostileUpstream, speechTimeoutMs: number): Promise<void> {
  await tab.waitForFunction(() => document.querySelector('audio')?.ended === true, undefined, { timeout: speechTimeoutMs });
  const silenceWord = wordForAudio(new Uint8Array(BATCH_BYTES));
  await expect
    .poll(() => upstream.connections.at(-1)?.words.slice(-10).every((w) => w === silenceWord) ?? false, {
      timeout: 60_000,
      message: 'the backlog drained: the live connection hears the silence after the speech',
    })
    .toBe(true);
}
