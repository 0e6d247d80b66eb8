import { describe, expect, it } from 'vitest';
import { checkConfigureKeyterms, estimateKeytermTokens } from '@/lib/listen/configure';

describe('Configure key-term limits (shared by the extension and the proxy)', () => {
  it('counts a word as at least one token and one per four characters', () => {
    expect(estimateKeytermTokens('Dana')).toBe(1);
    expect(estimateKeytermTokens('Dana Scully')).toBe(3);
    expect(estimateKeytermTokens('  ')).toBe(0);
  });

  it('trims the terms of a list within the limits', () => {
    expect(checkConfigureKeyterms([' Captionist ', 'WXT'])).toEqual({ ok: true, keyterms: ['Captionist', 'WXT'] });
    expect(checkConfigureKeyterms([])).toEqual({ ok: true, keyterms: [] });
  });

  it('names the first limit a list breaks', () => {
    expect(checkConfigureKeyterms(Array.from({ length: 101 }, (_, i) => `t${i}`))).toEqual({ ok: false, problem: { kind: 'too-many', max: 100, count: 101 } });
    expect(checkConfigureKeyterms(['x'.repeat(101)])).toMatchObject({ ok: false, problem: { kind: 'term-too-long', max: 100 } });
    expect(checkConfigureKeyterms(['ok', ' '])).toEqual({ ok: false, problem: { kind: 'empty-term' } });
    // 100 terms of 24 characters in three words: 6 tokens each, 600 in all.
    const heavy = Array.from({ length: 100 }, (_, i) => `abcdefgh ijklmnop qrst${String(i).padStart(4, '0')}`);
    expect(checkConfigureKeyterms(heavy)).toEqual({ ok: false, problem: { kind: 'too-many-tokens', max: 500, tokens: 600 } });
  });
});
