import { beforeEach, describe, expect, it } from 'vitest';
import { captionLines } from '@/lib/overlay/caption-lines';
import { YOU_SPEAKER } from '@/lib/transcript/speaker-names';
import type { Segment, TranscriptSnapshot, Utterance } from '@/lib/transcript/types';
import { installEnglishMessages } from '../settings-english-messages';

beforeEach(installEnglishMessages);

function utterance(id: string, speaker: number | null, text: string, start: number, closed = true, channel = 0): Utterance {
  return { id, speaker, text, start, end: start + 1, words: [], channel, closed };
}

function interim(text: string, speaker: number | null, start = 9, channel = 0): Segment {
  return { text, words: [], start, end: start + 1, speaker, channel };
}

const shape = (snapshot: TranscriptSnapshot, lines: number) =>
  captionLines(snapshot, lines).map((l) => [l.key, l.label, l.finalText, l.interimText]);

describe('captionLines', () => {
  it('shows the last finals and the interim tail on its own line when the last utterance is closed', () => {
    const lines = shape(
      { utterances: [utterance('a', 0, 'one', 0), utterance('b', 0, 'two', 1), utterance('c', 1, 'three', 2)], interims: [interim('four', 1)] },
      3,
    );
    expect(lines).toEqual([
      ['b', '', 'two', ''],
      ['c', 'Speaker 2', 'three', ''],
      ['interim-0', '', '', 'four'],
    ]);
  });

  it('continues an open utterance with its interim tail on the same line, finals first', () => {
    const lines = captionLines({ utterances: [utterance('a', 0, 'good morning', 0, false)], interims: [interim('every', 0)] }, 3);
    expect(lines).toEqual([{ key: 'a', speaker: 0, label: 'Speaker 1', finalText: 'good morning', interimText: 'every' }]);
  });

  it('starts a new line for an interim tail from another speaker, even when the last utterance is open', () => {
    const lines = captionLines({ utterances: [utterance('a', 0, 'yes', 0, false)], interims: [interim('no', 1)] }, 3);
    expect(lines.map((l) => [l.key, l.label, l.interimText])).toEqual([
      ['a', 'Speaker 1', ''],
      ['interim-0', 'Speaker 2', 'no'],
    ]);
  });

  it('rolls: keeps only as many utterances as lines, dropping the oldest first', () => {
    const utterances = Array.from({ length: 10 }, (_, i) => utterance(`u${i}`, null, `line ${i}`, i));
    for (const count of [1, 2, 3, 4, 5]) {
      const lines = captionLines({ utterances, interims: [] }, count);
      expect(lines.map((l) => l.finalText)).toEqual(utterances.slice(-count).map((u) => u.text));
    }
    // The interim tail takes a line of its own when it starts a new utterance.
    const withInterim = captionLines({ utterances, interims: [interim('next', null)] }, 2);
    expect(withInterim.map((l) => l.finalText || l.interimText)).toEqual(['line 9', 'next']);
  });

  it('keeps finalized text of a line unchanged while its interim tail is replaced', () => {
    const open = utterance('a', 0, 'the budget', 0, false);
    const first = captionLines({ utterances: [open], interims: [interim('is', 0)] }, 3)[0];
    const second = captionLines({ utterances: [open], interims: [interim('is ready', 0)] }, 3)[0];
    expect(first?.finalText).toBe('the budget');
    expect(second?.finalText).toBe('the budget');
    expect([first?.interimText, second?.interimText]).toEqual(['is', 'is ready']);
    expect(second?.key).toBe(first?.key);
  });

  it('names the speaker only when the speaker changes, judged against the line scrolled away', () => {
    const lines = captionLines(
      { utterances: [utterance('a', 0, 'one', 0), utterance('b', 0, 'two', 1), utterance('c', 1, 'three', 2)], interims: [] },
      2,
    );
    expect(lines.map((l) => l.label)).toEqual(['', 'Speaker 2']);
  });

  it('uses the names the user gave', () => {
    const lines = captionLines({ utterances: [utterance('a', 0, 'hi', 0), utterance('b', 1, 'hello', 1)], interims: [] }, 3, { 1: 'Dana' });
    expect(lines.map((l) => l.label)).toEqual(['Speaker 1', 'Dana']);
  });

  it('never names speakers without diarization', () => {
    const lines = captionLines({ utterances: [utterance('a', null, 'one', 0)], interims: [interim('two', null)] }, 3);
    expect(lines.map((l) => l.label)).toEqual(['', '']);
  });

  it('skips empty text and treats fewer than one line as one', () => {
    expect(captionLines({ utterances: [utterance('a', 0, '  ', 0)], interims: [interim(' ', 0)] }, 3)).toEqual([]);
    expect(captionLines({ utterances: [utterance('a', 0, 'x', 0), utterance('b', 0, 'y', 1)], interims: [] }, 0).map((l) => l.key)).toEqual(['b']);
  });

  it("shows a meeting's two tails, each continuing its own channel's open utterance", () => {
    const lines = captionLines(
      {
        utterances: [utterance('a', YOU_SPEAKER, 'so I think', 0, false, 1), utterance('b', 0, 'the budget', 1, false, 0)],
        interims: [interim('is ready', 0, 2, 0), interim('we should', YOU_SPEAKER, 2, 1)],
      },
      3,
    );
    expect(lines.map((l) => [l.key, l.label, l.finalText, l.interimText])).toEqual([
      ['a', 'You', 'so I think', 'we should'],
      ['b', 'Speaker 1', 'the budget', 'is ready'],
    ]);
  });

  it("gives each tail that starts a turn a line of its own, labelled, after the finals", () => {
    const lines = captionLines(
      { utterances: [utterance('a', 0, 'Over to you.', 0, true, 0)], interims: [interim('thanks', 1, 2, 0), interim('okay', YOU_SPEAKER, 2, 1)] },
      3,
    );
    expect(lines.map((l) => [l.key, l.label, l.interimText])).toEqual([
      ['a', 'Speaker 1', ''],
      ['interim-0', 'Speaker 2', 'thanks'],
      ['interim-1', 'You', 'okay'],
    ]);
    // With fewer lines the newest are kept: the tails.
    expect(captionLines({ utterances: [utterance('a', 0, 'Over to you.', 0, true, 0)], interims: [interim('thanks', 1, 2, 0), interim('okay', YOU_SPEAKER, 2, 1)] }, 2).map((l) => l.key)).toEqual([
      'interim-0',
      'interim-1',
    ]);
  });

  it('keeps HTML from the server as text (the view sets it as text, never markup)', () => {
    const html = '<img src=x onerror=alert(1)> <script>alert(2)</script>';
    const lines = captionLines({ utterances: [utterance('a', 0, html, 0)], interims: [] }, 3);
    expect(lines[0]?.finalText).toBe(html);
  });
});
