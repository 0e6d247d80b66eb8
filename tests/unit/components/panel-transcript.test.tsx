// @vitest-environment happy-dom
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INITIAL_ROWS, TranscriptList } from '@/components/transcript-list';
import { rangeInside, selectedPieces } from '@/components/transcript-selection';
import { YOU_SPEAKER } from '@/lib/transcript/speaker-names';
import type { Utterance } from '@/lib/transcript/types';
import { selectionToPlainText } from '@/lib/views/selection-text';
import { matchesByIndex, searchTranscript } from '@/lib/views/transcript-search';

const u = (id: string, start: number, speaker: number | null, text: string): Utterance => ({
  id,
  start,
  end: start + 2,
  speaker,
  text,
  words: [],
  channel: 0,
  closed: true,
});

const utterances = [
  u('u1', 62, 0, 'The budget is ready.'),
  u('u2', 65, 1, '<img src=x onerror=alert(1)> budget & <b>bold</b>'),
  u('u3', 70, null, 'No speaker here.'),
];

let root: HTMLElement;
beforeEach(() => {
  root = document.createElement('div');
  document.body.append(root);
});
afterEach(() => {
  render(null, root);
  root.remove();
});

function searchView(query: string, current: number) {
  const matches = searchTranscript(utterances, query);
  const firstByIndex = new Map<number, number>();
  matches.forEach((m, i) => {
    if (!firstByIndex.has(m.index)) firstByIndex.set(m.index, i);
  });
  return { byIndex: matchesByIndex(matches), firstByIndex, current, currentMatch: matches[current] ?? null };
}

describe('TranscriptList', () => {
  it('shows each utterance with its speaker name, colour and meeting time, and the interim tail last', () => {
    act(() =>
      render(
        <TranscriptList
          utterances={utterances}
          interims={[{ text: 'still talking', words: [], start: 72, end: 73, speaker: 1, channel: 0 }]}
          names={{ 0: 'Dana' }}
          theme="light"
          emptyText="empty"
        />,
        root,
      ),
    );
    const rows = [...root.querySelectorAll('[data-testid=utterance]')];
    expect(rows.map((r) => r.querySelector('[data-testid=utterance-speaker]')?.textContent ?? null)).toEqual(['Dana', 'Speaker 2', null]);
    expect(rows.map((r) => r.querySelector('[data-testid=utterance-time]')?.textContent)).toEqual(['00:01:02', '00:01:05', '00:01:10']);
    expect((rows[0]!.querySelector('[data-testid=utterance-speaker]') as HTMLElement).style.color).not.toBe('');
    const interim = root.querySelector('[data-testid=interim]');
    expect(interim?.textContent).toBe('Speaker 2: still talking');
    expect(root.lastElementChild).toBe(interim);
  });

  it("shows a meeting's tails one after the other, each labelled when its speaker is not the one above", () => {
    act(() =>
      render(
        <TranscriptList
          utterances={utterances}
          interims={[
            { text: 'and then', words: [], start: 72, end: 73, speaker: 1, channel: 0 },
            { text: 'right', words: [], start: 72.5, end: 73, speaker: YOU_SPEAKER, channel: 1 },
          ]}
          names={{ [YOU_SPEAKER]: 'Me' }}
          theme="dark"
          emptyText="empty"
        />,
        root,
      ),
    );
    const tails = [...root.querySelectorAll('[data-testid=interim]')];
    expect(tails.map((t) => [t.textContent, t.getAttribute('data-channel')])).toEqual([
      ['Speaker 2: and then', '0'],
      ['Me: right', '1'],
    ]);
  });

  it('offers Edit only on the lines canEdit allows (a live session: its finished lines, not the open one)', () => {
    const open: Utterance = { ...u('u4', 75, 0, 'still growing'), closed: false };
    const edit = async () => true;
    act(() =>
      render(
        <TranscriptList utterances={[...utterances, open]} interims={[]} names={{}} theme="light" emptyText="empty" onEditText={edit} canEdit={(line) => line.closed} />,
        root,
      ),
    );
    const editable = [...root.querySelectorAll('[data-testid=utterance]')].map((row) => row.querySelector('[data-testid=utterance-edit]') !== null);
    expect(editable).toEqual([true, true, true, false]);
  });

  it('renders hostile text as text: no element comes from the transcript', () => {
    act(() => render(<TranscriptList utterances={utterances} interims={[]} names={{}} theme="dark" emptyText="empty" />, root));
    expect(root.querySelector('img, b')).toBeNull();
    expect(root.querySelectorAll('[data-testid=utterance-text]')[1]?.textContent).toBe('<img src=x onerror=alert(1)> budget & <b>bold</b>');
  });

  it('marks every search match with <mark>, the current one apart, without changing the text', () => {
    act(() => render(<TranscriptList utterances={utterances} interims={[]} names={{}} theme="light" search={searchView('BUDGET', 1)} emptyText="empty" />, root));
    const marks = [...root.querySelectorAll('mark')];
    expect(marks.map((m) => m.textContent)).toEqual(['budget', 'budget']);
    expect(marks.map((m) => m.getAttribute('data-current'))).toEqual([null, 'true']);
    expect(root.querySelectorAll('[data-testid=utterance-text]')[1]?.textContent).toBe(utterances[1]!.text);
    expect(root.querySelector('img, b')).toBeNull();
  });

  it('says where the transcript will appear when there is none', () => {
    act(() => render(<TranscriptList utterances={[]} interims={[]} names={{}} theme="light" emptyText="Nothing yet" />, root));
    expect(root.textContent).toBe('Nothing yet');
  });
});

describe('a long transcript', () => {
  const many = Array.from({ length: 700 }, (_, i) => u(`m${i}`, i * 5, i % 3, `utterance number ${i}${i === 40 ? ' needle' : ''}`));
  const rows = () => [...root.querySelectorAll<HTMLElement>('[data-testid=utterance]')].map((r) => Number(r.dataset.index));

  it('paints the live end first, then adds the earlier rows above until all are there', async () => {
    act(() => render(<TranscriptList utterances={many} interims={[]} names={{}} theme="light" emptyText="" />, root));
    expect(rows()).toHaveLength(INITIAL_ROWS);
    expect(rows().at(-1)).toBe(699);
    for (let i = 0; i < 10 && rows().length < many.length; i++) await act(async () => new Promise((r) => setTimeout(r, 5)));
    expect(rows()).toEqual(many.map((_, i) => i));
    // And it stays complete as the live transcript grows.
    const more = [...many, u('m700', 3500, 0, 'one more')];
    act(() => render(<TranscriptList utterances={more} interims={[]} names={{}} theme="light" emptyText="" />, root));
    expect(rows()).toHaveLength(701);
  });

  it('renders a search match that is not painted yet at once, with everything after it', () => {
    const matches = searchTranscript(many, 'needle');
    const view = { byIndex: matchesByIndex(matches), firstByIndex: new Map([[40, 0]]), current: 0, currentMatch: matches[0] ?? null };
    act(() => render(<TranscriptList utterances={many} interims={[]} names={{}} theme="light" search={view} emptyText="" />, root));
    expect(rows()[0]).toBe(40);
    expect(root.querySelector('mark[data-current]')?.textContent).toBe('needle');
  });

  it('renders every row at once when not progressive (the benchmark baseline)', () => {
    act(() => render(<TranscriptList utterances={many} interims={[]} names={{}} theme="light" emptyText="" progressive={false} />, root));
    expect(rows()).toHaveLength(700);
  });
});

describe('copying a selection', () => {
  it('takes only the selected part of each utterance, with its speaker and time', () => {
    act(() => render(<TranscriptList utterances={utterances} interims={[]} names={{ 1: 'Lee' }} theme="light" emptyText="" />, root));
    const texts = root.querySelectorAll('[data-testid=utterance-text]');
    const range = document.createRange();
    range.setStart(texts[0]!.firstChild!, 4); // "budget is ready."
    range.setEnd(texts[1]!.firstChild!, 5); // "<img "
    const selection = document.getSelection()!;
    selection.removeAllRanges();
    selection.addRange(range);
    const inside = rangeInside(root, selection);
    expect(inside).not.toBeNull();
    const text = selectionToPlainText(selectedPieces(root, inside!, utterances), { 1: 'Lee' });
    expect(text).toBe('[00:01:02] Speaker 1: budget is ready.\n[00:01:05] Lee: <img');
  });

  it('ignores a selection outside the transcript', () => {
    const outside = document.createElement('p');
    outside.textContent = 'elsewhere';
    document.body.append(outside);
    const range = document.createRange();
    range.selectNodeContents(outside);
    document.getSelection()!.removeAllRanges();
    document.getSelection()!.addRange(range);
    expect(rangeInside(root, document.getSelection())).toBeNull();
    outside.remove();
  });
});
