/**
 * The meetings shown in the store screenshots (scripts/store-screenshots.ts): written for them,
 * nobody's real conversation. Word times are spread over each line.
 */
import type { Utterance } from '../lib/transcript/types';

export interface SampleMeeting {
  title: string;
  origin: string;
  /** Hours before the screenshots are taken. */
  hoursAgo: number;
  lines: [speaker: number, text: string][];
}

export const SAMPLE_MEETINGS: SampleMeeting[] = [
  {
    title: 'Quarterly planning',
    origin: 'https://meet.example.com',
    hoursAgo: 2,
    lines: [
      [0, 'Good morning everyone, thanks for joining the quarterly planning.'],
      [1, 'Morning! I shared the budget draft in the channel an hour ago.'],
      [0, 'Great. Let us start with the budget for the captioning pilot.'],
      [2, 'The pilot needs two more weeks of testing with the support team.'],
      [1, 'That fits. The budget has room for it if we move the survey to May.'],
      [0, 'Agreed, the survey moves to May. Who writes the summary for the board?'],
      [2, 'I can take it and send it around by Thursday.'],
      [1, 'Please add the accessibility numbers from last month.'],
      [0, 'Anything else before we wrap up?'],
      [2, 'Only that the new microphones arrive on Monday.'],
      [0, 'Perfect. Thanks all, see you next week.'],
    ],
  },
  {
    title: 'Design review: onboarding',
    origin: 'https://video.example.org',
    hoursAgo: 26,
    lines: [
      [0, 'Today we look at the new onboarding screens.'],
      [1, 'The first screen now asks for the language before anything else.'],
      [0, 'Nice. Does the budget for translations cover German and Spanish?'],
      [1, 'Yes, both are in this quarter.'],
      [0, 'Then let us ship the English version first and follow with the rest.'],
    ],
  },
  {
    title: 'Customer call: Northwind',
    origin: 'https://calls.example.net',
    hoursAgo: 50,
    lines: [
      [0, 'Thanks for taking the time today.'],
      [1, 'Happy to. Our team wants live captions in every weekly meeting.'],
      [0, 'Captions stay on your computer and the transcript is saved locally.'],
      [1, 'Good. Can people search last month’s meetings for a decision?'],
      [0, 'Yes, search looks through every saved session at once.'],
    ],
  },
];

/** The meeting's lines as saved utterances, about three seconds a line. */
export function sampleUtterances(meeting: SampleMeeting): Utterance[] {
  let t = 2;
  return meeting.lines.map(([speaker, text], i) => {
    const tokens = text.split(' ');
    const start = t;
    const step = 0.32;
    t += tokens.length * step + 1.2;
    return {
      id: `s-u${i + 1}`,
      start,
      end: start + tokens.length * step,
      text,
      speaker,
      channel: 0,
      closed: true,
      words: tokens.map((word, k) => ({ text: word, start: start + k * step, end: start + (k + 1) * step - 0.04, confidence: 0.97, speaker })),
    };
  });
}
