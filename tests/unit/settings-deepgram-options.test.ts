import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, normalizeSettings } from '@/lib/settings';

describe('Deepgram option settings', () => {
  it('opt out of Deepgram keeping the audio, and redact nothing, by default', () => {
    expect(DEFAULT_SETTINGS.mipOptOut).toBe(true);
    expect(DEFAULT_SETTINGS.redact).toEqual([]);
  });

  it('a stored redact list with a kind Deepgram does not stream falls back to none; a valid one is kept', () => {
    expect(normalizeSettings({ redact: ['pci', 'ssn'] }).redact).toEqual([]);
    expect(normalizeSettings({ redact: ['phi', 'numbers'] }).redact).toEqual(['phi', 'numbers']);
    expect(normalizeSettings({ mipOptOut: 'no' }).mipOptOut).toBe(true);
    expect(normalizeSettings({ mipOptOut: false }).mipOptOut).toBe(false);
  });
});
