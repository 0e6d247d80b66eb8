import { describe, expect, it } from 'vitest';
import { nextAnnouncements, startAnnouncer } from '@/lib/overlay/live-announcements';
import type { Utterance } from '@/lib/transcript/types';

function utterance(id: string, speaker: number | null, text: string, closed = true): Utterance {
  return { id, speaker, text, start: 0, end: 1, words: [], channel: 0, closed };
}

describe('live announcements', () => {
  it('announces each finalized piece once, with the name on a change of speaker', () => {
    let state = startAnnouncer([]);
    const heard: string[] = [];
    const step = (utterances: Utterance[]) => {
      const result = nextAnnouncements(state, utterances, { 1: 'Dana' });
      state = result.state;
      heard.push(...result.announcements);
    };
    step([utterance('a', 0, 'Good morning', false)]);
    step([utterance('a', 0, 'Good morning', false)]); // an update that only changed the interim
    step([utterance('a', 0, 'Good morning everyone.', true)]);
    step([utterance('a', 0, 'Good morning everyone.'), utterance('b', 0, 'Shall we begin?')]);
    step([utterance('a', 0, 'Good morning everyone.'), utterance('b', 0, 'Shall we begin?'), utterance('c', 1, 'Yes.')]);
    expect(heard).toEqual(['Speaker 1: Good morning', 'everyone.', 'Shall we begin?', 'Dana: Yes.']);
  });

  it('does not read out what was there before the overlay appeared', () => {
    const before = [utterance('a', 0, 'old news'), utterance('b', 1, 'more old news')];
    const state = startAnnouncer(before);
    expect(nextAnnouncements(state, before).announcements).toEqual([]);
    expect(nextAnnouncements(state, [...before, utterance('c', 1, 'new')]).announcements).toEqual(['new']);
  });

  it('never names speakers without diarization', () => {
    const result = nextAnnouncements(startAnnouncer([]), [utterance('a', null, 'one'), utterance('b', null, 'two')]);
    expect(result.announcements).toEqual(['one', 'two']);
  });

  it('reads a rewritten final whole rather than a broken piece', () => {
    const state = nextAnnouncements(startAnnouncer([]), [utterance('a', null, 'recognise speech')]).state;
    expect(nextAnnouncements(state, [utterance('a', null, 'wreck a nice beach')]).announcements).toEqual(['wreck a nice beach']);
  });

  it('skips empty finals', () => {
    expect(nextAnnouncements(startAnnouncer([]), [utterance('a', 0, '   ')]).announcements).toEqual([]);
  });
});
