import { describe, expect, it } from 'vitest';
import type { Word } from '@/lib/transcript/types';
describe('toolchain', () => {
  it('compiles TypeScript with the project alias', () => {
    const w: Word = { text: 'hi', start: 0, end: 1, confidence: 1, speaker: null };
    expect(w.end - w.start).toBe(1);
  });
});
