/**
 * UPSTREAMS and its companions (proxy/upstream-chain-config.ts) as proxy/config.ts reads them.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '@/proxy/config';
import { DEFAULT_FALLBACK_AFTER_MS, DEFAULT_FALLBACK_COOLDOWN_MS } from '@/proxy/upstream-chain-config';

const errorsOf = (env: Record<string, string>): string[] => {
  const result = loadConfig(env);
  return result.ok ? [] : result.errors;
};

describe('the fallback chain settings', () => {
  it('leaves the chain out when UPSTREAMS is unset: the behaviour before chains', () => {
    const result = loadConfig({ DEEPGRAM_API_KEY: 'dg-key' });
    expect(result.ok && result.config.chain).toBeUndefined();
  });

  it('reads the engines in order, the compatible server without a key, and the fallback delay', () => {
    const result = loadConfig({
      DEEPGRAM_API_KEY: 'dg-key',
      UPSTREAMS: ' Deepgram, compatible ,local',
      COMPATIBLE_URL: 'ws://192.168.1.20:8000/v1/listen',
      FALLBACK_AFTER_SECONDS: '2.5',
    });
    expect(result.ok && result.config.chain).toEqual({
      upstreams: ['deepgram', 'compatible', 'local'],
      compatible: { url: 'ws://192.168.1.20:8000/v1/listen', apiKey: undefined },
      fallbackAfterMs: 2500,
      cooldownMs: DEFAULT_FALLBACK_COOLDOWN_MS,
    });
    const plain = loadConfig({ UPSTREAMS: 'compatible', COMPATIBLE_URL: 'wss://asr.example.com/v1/listen', COMPATIBLE_API_KEY: 'self-key' });
    expect(plain.ok && plain.config.chain).toEqual({ upstreams: ['compatible'], compatible: { url: 'wss://asr.example.com/v1/listen', apiKey: 'self-key' }, fallbackAfterMs: DEFAULT_FALLBACK_AFTER_MS, cooldownMs: DEFAULT_FALLBACK_COOLDOWN_MS });
  });

  it('reads the cool-down of a failing engine, 0 turning it off', () => {
    const chainOf = (seconds: string) => {
      const result = loadConfig({ DEEPGRAM_API_KEY: 'dg-key', UPSTREAMS: 'deepgram,local', FALLBACK_COOLDOWN_SECONDS: seconds });
      return result.ok ? result.config.chain?.cooldownMs : undefined;
    };
    expect(chainOf('0')).toBe(0);
    expect(chainOf('12.5')).toBe(12_500);
    for (const bad of ['-1', 'soon', '3601']) {
      expect(errorsOf({ DEEPGRAM_API_KEY: 'dg-key', UPSTREAMS: 'deepgram,local', FALLBACK_COOLDOWN_SECONDS: bad })).toEqual([
        `FALLBACK_COOLDOWN_SECONDS must be a number from 0 (off) to 3600 (got "${bad}").`,
      ]);
    }
  });

  it('says what is wrong with each bad setting, all at once', () => {
    expect(errorsOf({ UPSTREAMS: 'deepgram,whisper,local,local', FALLBACK_AFTER_SECONDS: '90' })).toEqual([
      'FALLBACK_AFTER_SECONDS must be a number from 0.1 to 60 (got "90").',
      'UPSTREAMS: "whisper" is not an engine; use some of deepgram, compatible, local, in order of preference.',
      'UPSTREAMS names an engine twice; name each once, in order of preference.',
      'UPSTREAMS has deepgram but DEEPGRAM_API_KEY is not set.',
    ]);
    expect(errorsOf({ UPSTREAMS: 'compatible,local' })).toEqual(['UPSTREAMS has compatible but COMPATIBLE_URL is not set (e.g. ws://127.0.0.1:8000/v1/listen).']);
    expect(errorsOf({ COMPATIBLE_URL: 'ws://127.0.0.1:8000/v1/listen' })).toEqual([
      'COMPATIBLE_URL is set but UPSTREAMS is not: list the engines in order, e.g. UPSTREAMS=deepgram,compatible,local.',
    ]);
    expect(errorsOf({ UPSTREAMS: 'compatible', COMPATIBLE_URL: 'http://asr.example.com' })).toEqual([
      'COMPATIBLE_URL must be a ws:// or wss:// URL, e.g. ws://127.0.0.1:8000/v1/listen.',
    ]);
  });

  it('refuses to send a compatible key unencrypted off this computer, or a URL with credentials in it', () => {
    expect(errorsOf({ UPSTREAMS: 'compatible', COMPATIBLE_URL: 'ws://asr.example.com/v1/listen', COMPATIBLE_API_KEY: 'self-key' })).toEqual([
      'COMPATIBLE_URL must use wss:// to reach asr.example.com with COMPATIBLE_API_KEY set: plain ws:// would send the key unencrypted.',
    ]);
    expect(errorsOf({ UPSTREAMS: 'compatible', COMPATIBLE_URL: 'ws://127.0.0.1:8000/v1/listen', COMPATIBLE_API_KEY: 'self-key' })).toEqual([]);
    const withUser = errorsOf({ UPSTREAMS: 'compatible', COMPATIBLE_URL: 'wss://me:secret@asr.example.com/v1/listen' });
    expect(withUser).toEqual(['COMPATIBLE_URL must not carry a user name or password; a key belongs in COMPATIBLE_API_KEY.']);
    expect(withUser.join(' ')).not.toContain('secret');
  });
});
