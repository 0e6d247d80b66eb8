import { describe, expect, it } from 'vitest';
import { checkProxyUrl, DEFAULT_SETTINGS, normalizeSettings } from '@/lib/settings';

describe('checkProxyUrl', () => {
  it.each(['ws://localhost:8787/v1/listen', 'ws://127.0.0.1:9/v1/listen', 'ws://[::1]:9/x', 'wss://captions.example.com/v1/listen'])(
    'accepts %s',
    (url) => expect(checkProxyUrl(url).ok).toBe(true),
  );

  it('refuses ws:// to another machine and suggests the wss:// address', () => {
    const check = checkProxyUrl('ws://captions.example.com/v1/listen');
    expect(check).toMatchObject({ ok: false });
    if (!check.ok) expect(check.message).toContain('wss://captions.example.com/v1/listen');
  });

  it.each([
    ['', /Enter the address/],
    ['not a url', /is not a URL/],
    ['https://example.com/v1/listen', /must start with wss:\/\//],
    ['wss://user:secret@example.com/v1/listen', /Token field/],
  ])('refuses %j with a clear message', (url, message) => {
    const check = checkProxyUrl(url);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.message).toMatch(message);
  });
});

describe('normalizeSettings', () => {
  it('keeps valid stored fields and replaces damaged ones with defaults', () => {
    const settings = normalizeSettings({ token: 'abc', vadSensitivity: 7, diarize: 'yes', unknown: 1 });
    expect(settings).toEqual({ ...DEFAULT_SETTINGS, token: 'abc' });
  });

  it('returns the defaults for nothing stored', () => {
    expect(normalizeSettings(undefined)).toEqual(DEFAULT_SETTINGS);
  });
});
