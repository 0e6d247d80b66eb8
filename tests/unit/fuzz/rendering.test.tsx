// @vitest-environment happy-dom
/**
 * No markup is ever rendered: hostile transcripts (generated, then run through the real parser
 * and store) rendered by the overlay's caption text, the side panel's transcript list and the
 * past-sessions list give exactly the elements the same transcript with plain letters gives.
 * Text can change what is written, never which elements exist. No event-handler attribute, no
 * img/script/iframe/svg/object from a transcript, and the markup is there as text.
 */
import fc from 'fast-check';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CaptionText } from '@/components/overlay-caption-text';
import { PanelHistory } from '@/components/panel-history';
import { TranscriptList } from '@/components/transcript-list';
import { parseServerMessage } from '@/lib/listen/protocol';
import { captionLines } from '@/lib/overlay/caption-lines';
import { TranscriptStore } from '@/lib/transcript/transcript-store';
import type { TranscriptSnapshot } from '@/lib/transcript/types';
import { EMPTY_HISTORY, type SessionHistory, type SessionSummary } from '@/lib/views/session-history';
import { hostileText, MARKUP, serverFrame } from './hostile-arbitraries';

let root: HTMLElement;
beforeEach(() => {
  root = document.createElement('div');
  document.body.append(root);
});
afterEach(() => {
  render(null, root);
  root.remove();
});

/** Letters to 'x', spaces kept: the same words, lines and emptiness, without any markup. */
const plain = (text: string) => text.replace(/\S/g, 'x');

function plainSnapshot(snapshot: TranscriptSnapshot): TranscriptSnapshot {
  const words = <T extends { text: string }>(list: T[]) => list.map((w) => ({ ...w, text: plain(w.text) }));
  return {
    utterances: snapshot.utterances.map((u) => ({ ...u, text: plain(u.text), words: words(u.words) })),
    interims: snapshot.interims.map((interim) => ({ ...interim, text: plain(interim.text), words: words(interim.words) })),
  };
}

/** The element structure of what is rendered: tag and class of every element, in order. */
function structure(element: Element): string[] {
  return [...element.querySelectorAll('*')].map((el) => `${el.tagName.toLowerCase()}.${el.getAttribute('class') ?? ''}`);
}

function assertNoInjection(element: Element): void {
  for (const el of element.querySelectorAll('*')) {
    for (const name of el.getAttributeNames()) expect(name, `attribute on <${el.tagName}>`).not.toMatch(/^on/i);
  }
  expect(element.querySelectorAll('script, iframe, object, embed').length).toBe(0);
}

function transcriptFrom(frames: readonly (string | ArrayBuffer)[]): TranscriptSnapshot {
  const store = new TranscriptStore();
  for (const frame of frames) {
    const result = parseServerMessage(frame);
    if (result.ok) store.apply(result.event);
  }
  return store.snapshot();
}

/** Hostile streams that carry markup in valid finals and interims, among the rest. */
const markupFinal = fc.record({ text: fc.constantFrom(...MARKUP), start: fc.integer({ min: 0, max: 100 }), final: fc.boolean() }).map(({ text, start, final }) =>
  JSON.stringify({
    type: 'Results',
    start,
    duration: 1,
    is_final: final,
    speech_final: final,
    channel: { alternatives: [{ transcript: text, words: [{ word: text, start: start + 0.2, end: start + 0.6, confidence: 1, speaker: start % 3 }] }] },
  }),
);
const stream = fc.array(fc.oneof(markupFinal, serverFrame), { minLength: 1, maxLength: 25 });

let rendered = 0;

describe('fuzz: no markup rendered (happy-dom)', () => {
  it('overlay caption text: the same elements as plain text, markup shown as text', { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(stream, fc.integer({ min: 1, max: 5 }), (frames, lines) => {
        const snapshot = transcriptFrom(frames);
        act(() => render(<CaptionText lines={captionLines(plainSnapshot(snapshot), lines)} placeholder={null} />, root));
        const expected = structure(root);
        const hostile = captionLines(snapshot, lines);
        act(() => render(<CaptionText lines={hostile} placeholder={null} />, root));
        rendered += 1;
        expect(structure(root)).toEqual(expected);
        assertNoInjection(root);
        const shown = root.textContent;
        for (const line of hostile) {
          expect(shown).toContain(line.finalText);
          expect(shown).toContain(line.interimText);
        }
      }),
      { numRuns: 300, seed: 7001 },
    );
  });

  it('side panel transcript list: the same elements as plain text, markup shown as text', { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(stream, (frames) => {
        const snapshot = transcriptFrom(frames);
        const list = (s: TranscriptSnapshot) => (
          <TranscriptList utterances={s.utterances} interims={s.interims} names={{}} theme="light" emptyText="empty" progressive={false} />
        );
        act(() => render(list(plainSnapshot(snapshot)), root));
        const expected = structure(root);
        act(() => render(list(snapshot), root));
        rendered += 1;
        expect(structure(root)).toEqual(expected);
        assertNoInjection(root);
        for (const u of snapshot.utterances) expect(root.textContent).toContain(u.text);
      }),
      { numRuns: 200, seed: 7002 },
    );
  });

  it('past sessions list: hostile titles, addresses and previews render as text', { timeout: 60_000 }, async () => {
    const summary = fc.record({
      title: hostileText,
      url: fc.oneof(fc.constant(null), hostileText),
      preview: hostileText,
      startedAt: fc.integer({ min: 0, max: 2_000_000_000_000 }),
      durationSeconds: fc.oneof(fc.double({ min: 0, max: 20_000, noNaN: true }), fc.constantFrom(Number.NaN, -5, Infinity)),
      wordCount: fc.nat(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(summary, { minLength: 1, maxLength: 6 }), async (items) => {
        const sessions: SessionSummary[] = items.map((item, i) => ({ id: `s${i}`, endedAt: null, ...item }));
        const plainSessions = sessions.map((s) => ({ ...s, title: plain(s.title), url: s.url === null ? null : plain(s.url), preview: plain(s.preview) }));
        const show = async (list: SessionSummary[]) => {
          const history: SessionHistory = { ...EMPTY_HISTORY, listSessions: async () => list, loadSession: async () => null, deleteSession: async () => undefined };
          await act(async () => {
            render(<PanelHistory history={history} onOpen={() => undefined} onExport={() => undefined} />, root);
          });
          await act(async () => {
            await Promise.resolve();
          });
          return structure(root);
        };
        const expected = await show(plainSessions);
        render(null, root);
        const actual = await show(sessions);
        rendered += 1;
        expect(actual).toEqual(expected);
        assertNoInjection(root);
        for (const s of sessions) if (s.title.trim()) expect(root.textContent).toContain(s.title.trim().slice(0, 40));
        render(null, root);
      }),
      { numRuns: 60, seed: 7003 },
    );
  });

  it('report', () => {
    console.log(`[fuzz] hostile transcripts rendered and compared: ${rendered}`);
    expect(rendered).toBeGreaterThan(500);
  });
});
