import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkEndpointing,
  checkKeyterms,
  checkLanguage,
  checkModel,
  checkProxyUrl,
  checkToken,
  DEFAULT_SETTINGS,
  draftFromSettings,
  keytermParam,
  normalizeSettings,
  parseKeyterms,
  splitSettings,
  validateDraft,
} from '@/lib/settings';
import { installEnglishMessages } from './settings-english-messages';

beforeAll(installEnglishMessages);

describe('checkProxyUrl', () => {
  it.each(['ws://localhost:8787/v1/listen', 'ws://127.0.0.1:9/v1/listen', 'ws://[::1]:9/x', 'wss://captions.example.com/v1/listen'])(
    'accepts %s',
    (url) => expect(checkProxyUrl(url).ok).toBe(true),
  );

  it('refuses ws:// to another machine and suggests the wss:// address', () => {
    const check = checkProxyUrl('ws://captions.example.com/v1/listen');
    expect(check).toMatchObject({ ok: false });
    if (!check.ok) expect(check.message).toBe('ws:// is only allowed for localhost. Use wss://captions.example.com/v1/listen so audio and token are encrypted.');
  });

  it('names a space in the address as such, and suggests the address without it (not a %20 host)', () => {
    expect(checkProxyUrl('wss://127.0.0.1 :8797/v1/listen')).toEqual({
      ok: false,
      message: 'The address "127.0.0.1 :8797" has a space in it. Remove it, like wss://127.0.0.1:8797/v1/listen.',
    });
    expect(checkProxyUrl('ws://my proxy.example/v1/listen')).toMatchObject({ ok: false, message: expect.stringMatching(/"my proxy\.example" has a space in it/) });
    expect(checkProxyUrl('ws://127.0.0.1:8797/v1/listen?tag=a b').ok).toBe(true);
  });

  it.each([
    ['', /Enter the address/],
    ['not a url', /"not a url" is not a URL/],
    ['https://example.com/v1/listen', /must start with wss:\/\/ \(or ws:\/\/ for this computer\), not https:\/\//],
    ['wss://user:secret@example.com/v1/listen', /Token field/],
    ['wss://example.com/v1/listen#top', /after #/],
  ])('refuses %j with a clear message', (url, message) => {
    const check = checkProxyUrl(url);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.message).toMatch(message);
  });
});

describe('field checks', () => {
  it('accepts tokens a browser can send as a WebSocket subprotocol, empty included', () => {
    expect(checkToken('  abc-DEF_123.~!  ')).toEqual({ ok: true, value: 'abc-DEF_123.~!' });
    expect(checkToken('')).toEqual({ ok: true, value: '' });
  });

  it('refuses tokens with spaces or characters the WebSocket constructor would reject', () => {
    expect(checkToken('two words')).toMatchObject({ ok: false, message: expect.stringMatching(/spaces or line breaks/) });
    expect(checkToken('tök€n')).toMatchObject({ ok: false, message: expect.stringMatching(/only letters, digits and ! # \$ %/) });
    expect(checkToken('x'.repeat(4097))).toMatchObject({ ok: false, message: expect.stringMatching(/longer than 4096/) });
  });

  it.each(['en', 'en-GB', 'pt-BR', 'zh-Hant-TW', 'multi', 'yue'])('accepts the language %s', (language) => {
    expect(checkLanguage(` ${language} `)).toEqual({ ok: true, value: language });
  });

  it.each(['english', 'e', 'en_US', 'en-'])('refuses the language %j, naming codes to use', (language) => {
    expect(checkLanguage(language)).toMatchObject({ ok: false, message: expect.stringMatching(/is not a language code\. Use a code such as en/) });
  });

  it('asks for a language and a model when they are empty', () => {
    expect(checkLanguage(' ')).toMatchObject({ ok: false, message: 'Enter a language code, such as en.' });
    expect(checkModel('')).toMatchObject({ ok: false, message: 'Enter a model name, such as nova-3.' });
  });

  it('accepts model names and refuses ones with spaces or symbols', () => {
    expect(checkModel('nova-2-meeting')).toEqual({ ok: true, value: 'nova-2-meeting' });
    expect(checkModel('nova 3')).toMatchObject({ ok: false, message: expect.stringMatching(/"nova 3" is not a model name/) });
  });

  it.each([
    ['300', 300],
    ['10', 10],
    [' 5000 ', 5000],
  ])('accepts endpointing %j ms', (raw, value) => expect(checkEndpointing(raw)).toEqual({ ok: true, value }));

  it.each(['9', '5001', '3.5', '-1', 'abc', ''])('refuses endpointing %j with the allowed range', (raw) => {
    expect(checkEndpointing(raw)).toMatchObject({ ok: false, message: 'Enter a whole number of milliseconds from 10 to 5000.' });
  });
});

describe('keyterms', () => {
  it('splits on lines and commas, trims, collapses spaces and drops repeats (any case)', () => {
    expect(parseKeyterms('Captionist\n  Dana   Scully ,WXT\n\ncaptionist\n')).toEqual(['Captionist', 'Dana Scully', 'WXT']);
  });

  it('refuses more than 100 terms, a term over 100 characters and over 2000 characters in all', () => {
    const many = Array.from({ length: 101 }, (_, i) => `term${i}`).join('\n');
    expect(checkKeyterms(many)).toMatchObject({ ok: false, message: 'At most 100 key terms; there are 101.' });
    expect(checkKeyterms('x'.repeat(101))).toMatchObject({ ok: false, message: expect.stringMatching(/is longer than 100 characters/) });
    const bulky = Array.from({ length: 30 }, (_, i) => `${i}`.padEnd(90, 'y')).join('\n');
    expect(checkKeyterms(bulky)).toMatchObject({ ok: false, message: 'Key terms may have 2000 characters in all; these have 2700.' });
  });

  it('refuses control characters inside a term (tabs become spaces)', () => {
    expect(checkKeyterms('tab\there')).toEqual({ ok: true, value: ['tab here'] });
    expect(checkKeyterms('bell\u0007here')).toMatchObject({ ok: false, message: expect.stringMatching(/invisible control character/) });
  });

  it('uses keyterm on Nova-3 models and keywords on older ones', () => {
    expect(keytermParam('nova-3')).toBe('keyterm');
    expect(keytermParam('nova-3-medical')).toBe('keyterm');
    expect(keytermParam('nova-2')).toBe('keywords');
  });
});

describe('validateDraft', () => {
  it('round-trips the defaults', () => {
    expect(validateDraft(draftFromSettings(DEFAULT_SETTINGS))).toEqual({ ok: true, settings: DEFAULT_SETTINGS });
  });

  it('reports every bad field at once, each with its own message', () => {
    const check = validateDraft({
      ...draftFromSettings(DEFAULT_SETTINGS),
      proxyUrl: 'http://example.com',
      token: 'has space',
      language: 'english',
      endpointingMs: 'soon',
    });
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(Object.keys(check.errors).sort()).toEqual(['endpointingMs', 'language', 'proxyUrl', 'token']);
    expect(check.errors.endpointingMs).toBe('Enter a whole number of milliseconds from 10 to 5000.');
  });

  it('stores trimmed values and the parsed keyterms', () => {
    const check = validateDraft({
      ...draftFromSettings(DEFAULT_SETTINGS),
      proxyUrl: ' wss://captions.example.com/v1/listen ',
      token: ' secret-token ',
      keyterms: 'Dana\nWXT',
      endpointingMs: '450',
    });
    expect(check).toMatchObject({
      ok: true,
      settings: { proxyUrl: 'wss://captions.example.com/v1/listen', token: 'secret-token', keyterms: ['Dana', 'WXT'], endpointingMs: 450 },
    });
  });
});

describe('normalizeSettings', () => {
  it('keeps valid stored fields and replaces damaged ones with defaults', () => {
    const settings = normalizeSettings({ token: 'abc', vadSensitivity: 7, diarize: 'yes', keyterms: [''], endpointingMs: 2, unknown: 1 });
    expect(settings).toEqual({ ...DEFAULT_SETTINGS, token: 'abc' });
  });

  it('returns the defaults for nothing stored', () => {
    expect(normalizeSettings(undefined)).toEqual(DEFAULT_SETTINGS);
  });

  it('ignores stored keys that name inherited properties instead of throwing', () => {
    const stored = JSON.parse('{"toString": 1, "constructor": "x", "__proto__": {}, "token": "abc"}') as unknown;
    expect(normalizeSettings(stored)).toEqual({ ...DEFAULT_SETTINGS, token: 'abc' });
  });

  it('fills settings added later (endpointing, keyterms) into an older stored object', () => {
    const { endpointingMs: _e, keyterms: _k, ...older } = DEFAULT_SETTINGS;
    expect(normalizeSettings({ ...older, language: 'de' })).toEqual({ ...DEFAULT_SETTINGS, language: 'de' });
  });
});

describe('splitSettings', () => {
  it('puts the token, and only the token, in the secret half', () => {
    const { synced, secret } = splitSettings({ ...DEFAULT_SETTINGS, token: 'tok-123' });
    expect(secret).toEqual({ token: 'tok-123' });
    expect(JSON.stringify(synced)).not.toContain('tok-123');
    expect(Object.keys(synced).sort()).toEqual(Object.keys(DEFAULT_SETTINGS).filter((key) => key !== 'token').sort());
  });
});
