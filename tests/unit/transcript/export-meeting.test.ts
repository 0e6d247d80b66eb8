/**
 * A meeting's transcript in every export: "You" (the microphone, channel 1) and two speakers of
 * the tab (channel 0) keep their labels, and JSON keeps each utterance's channel and speaker.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { ExportDocument } from '@/lib/transcript/export-document';
import { renderExport } from '@/lib/transcript/export-formats';
import type { JsonExport } from '@/lib/transcript/export-json';
import { YOU_SPEAKER } from '@/lib/transcript/speaker-names';
import type { Utterance } from '@/lib/transcript/types';
import { installEnglishMessages } from '../settings-english-messages';
import { spoken } from './export-test-data';

const STARTED = new Date(2026, 10, 25, 14, 3, 0).getTime();

const yours = (text: string, start: number): Utterance => ({ ...spoken(text, start, YOU_SPEAKER), channel: 1 });

function meeting(names: ExportDocument['names'] = {}): ExportDocument {
  return {
    title: 'Planning call',
    startedAt: STARTED,
    utterances: [spoken('Welcome back everyone.', 1, 0), yours('Thanks for having me.', 3), spoken('Shall we start?', 6, 1), yours('Yes please.', 8)],
    names,
  };
}

beforeEach(installEnglishMessages);

describe('exports of a meeting (You, Speaker 1, Speaker 2)', () => {
  it('TXT: each line carries its label', () => {
    const lines = renderExport(meeting(), 'txt').content.split('\n');
    expect(lines.slice(3, 7)).toEqual([
      '[00:00:01] Speaker 1: Welcome back everyone.',
      '[00:00:03] You: Thanks for having me.',
      '[00:00:06] Speaker 2: Shall we start?',
      '[00:00:08] You: Yes please.',
    ]);
  });

  it('Markdown: each paragraph is headed by its label', () => {
    const md = renderExport(meeting(), 'md').content;
    expect(md.match(/^\*\*[^*]+\*\*/gm)).toEqual(['**Speaker 1**', '**You**', '**Speaker 2**', '**You**']);
  });

  it('SRT: the first cue of each utterance starts with its label', () => {
    const srt = renderExport(meeting(), 'srt').content;
    const firstLines = srt.split('\n\n').map((cue) => cue.split('\n')[2]);
    expect(firstLines.filter(Boolean)).toEqual([
      'Speaker 1: Welcome back everyone.',
      'You: Thanks for having me.',
      'Speaker 2: Shall we start?',
      'You: Yes please.',
    ]);
  });

  it('VTT: a voice tag per cue, <v You> for your words', () => {
    const vtt = renderExport(meeting(), 'vtt').content;
    expect(vtt.match(/<v [^>]+>/g)).toEqual(['<v Speaker 1>', '<v You>', '<v Speaker 2>', '<v You>']);
    expect(vtt).toContain('<v You>Thanks for having me.');
  });

  it('VTT and TXT use the name you gave yourself', () => {
    const named = meeting({ [YOU_SPEAKER]: 'Sam', 0: 'Dana' });
    expect(renderExport(named, 'vtt').content.match(/<v [^>]+>/g)).toEqual(['<v Dana>', '<v Sam>', '<v Speaker 2>', '<v Sam>']);
    expect(renderExport(named, 'txt').content).toContain('[00:00:03] Sam: Thanks for having me.');
  });

  it('JSON: every utterance has its channel, speaker and label, and You is among the speakers', () => {
    const parsed = JSON.parse(renderExport(meeting(), 'json').content) as JsonExport;
    expect(parsed.utterances.map((u) => [u.channel, u.speaker, u.speakerLabel])).toEqual([
      [0, 0, 'Speaker 1'],
      [1, YOU_SPEAKER, 'You'],
      [0, 1, 'Speaker 2'],
      [1, YOU_SPEAKER, 'You'],
    ]);
    expect(parsed.speakers).toEqual([
      { speaker: 0, label: 'Speaker 1', named: false },
      { speaker: YOU_SPEAKER, label: 'You', named: false },
      { speaker: 1, label: 'Speaker 2', named: false },
    ]);
    expect(parsed.utterances[1]?.words.every((w) => w.speaker === YOU_SPEAKER)).toBe(true);
  });
});
