import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SAMPLE_CLIP_PATH, SAMPLE_REFERENCE_TEXT, sampleCaptionText } from '@/lib/sample-clip';
import type { Segment, Utterance } from '@/lib/transcript/types';

const segment = (text: string, channel = 0): Segment => ({ words: [], text, start: 0, end: 1, speaker: null, channel });
const utterance = (text: string): Utterance => ({ ...segment(text), id: text, closed: true });

describe('the sample recording', () => {
  it('shows the captions as one running text: finals, then the tails still being revised', () => {
    expect(sampleCaptionText({ utterances: [], interims: [] })).toBe('');
    expect(sampleCaptionText({ utterances: [utterance('he was not'), utterance(' an ill ')], interims: [segment('disposed'), segment('  ')] })).toBe(
      'he was not an ill disposed',
    );
  });

  it('ships a small clip with its licence notice beside it', () => {
    const file = path.join('public', SAMPLE_CLIP_PATH);
    expect(existsSync(file)).toBe(true);
    // An Ogg file of about 49 kB: the store zip's budget (scripts/check-bundle-size.ts) has room for it, not for a WAV.
    expect(readFileSync(file).subarray(0, 4).toString('latin1')).toBe('OggS');
    expect(statSync(file).size).toBeLessThan(60_000);
    const notice = readFileSync(path.join('public', 'sample', 'NOTICE.txt'), 'utf8');
    expect(notice).toContain('Carnegie Mellon University');
    expect(notice).toContain('Redistributions in binary form');
    expect(SAMPLE_REFERENCE_TEXT).toMatch(/^He was not an ill disposed young man/);
  });
});
