import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DEEPGRAM_URL, EXTENSION_ORIGIN, isLoopbackHost, loadConfig } from '@/proxy/config';
import { ProxyStartError, startProxy } from '@/proxy/server';
import { testConfig } from './proxy-test-kit';

describe('proxy configuration from the environment', () => {
  it('starts from safe defaults: loopback, port 8787, the public Deepgram URL, the extension origin', () => {
    const result = loadConfig({});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config).toMatchObject({
      host: '127.0.0.1',
      port: 8787,
      deepgramApiKey: undefined,
      deepgramUrl: DEFAULT_DEEPGRAM_URL,
      tokens: [],
      allowedOrigins: [EXTENSION_ORIGIN],
    });
    expect(result.config.limits.maxMessageBytes).toBe(64 * 1024);
  });

  it('reads tokens from the list and the file, and origins from the list', () => {
    const folder = mkdtempSync(join(tmpdir(), 'captionist-config-'));
    const file = join(folder, 'tokens');
    writeFileSync(file, '# team tokens\nfile-token-a-7c1e5b9d3f8a2c6e0b4d\n\n  file-token-b-2e8a4c6f0d9b1e7a5c3f  \n');
    const result = loadConfig({
      PORT: '0',
      CAPTIONIST_TOKENS: 'env-token-1-4f9c2a7e8b3d6f1a0c5e9b, env-token-2-9b3d5f7a1c8e2b4d6f0a7c',
      CAPTIONIST_TOKENS_FILE: file,
      ALLOWED_ORIGINS: 'https://meet.example.com/, http://localhost:5173',
      DEEPGRAM_API_KEY: 'dg-key',
    });
    rmSync(folder, { recursive: true, force: true });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.port).toBe(0);
    expect(result.config.tokens).toEqual(['env-token-1-4f9c2a7e8b3d6f1a0c5e9b', 'env-token-2-9b3d5f7a1c8e2b4d6f0a7c', 'file-token-a-7c1e5b9d3f8a2c6e0b4d', 'file-token-b-2e8a4c6f0d9b1e7a5c3f']);
    expect(result.config.allowedOrigins).toEqual([EXTENSION_ORIGIN, 'https://meet.example.com', 'http://localhost:5173']);
  });

  it('reports every bad value at once, each naming its variable', () => {
    const result = loadConfig({
      PORT: '99999',
      DEEPGRAM_URL: 'https://api.deepgram.com/v1/listen',
      ALLOWED_ORIGINS: 'meet.example.com',
      CAPTIONIST_TOKENS: 'short',
      CAPTIONIST_TOKENS_FILE: '/nonexistent/tokens',
      MAX_MESSAGE_BYTES: 'lots',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = result.errors.join('\n');
    expect(text).toContain('PORT must be at most 65535');
    expect(text).toContain('DEEPGRAM_URL must be a ws:// or wss:// URL');
    expect(text).toContain('ALLOWED_ORIGINS: "meet.example.com" is not an origin');
    expect(text).toContain('Client token #1 is not usable');
    expect(text).toContain('CAPTIONIST_TOKENS_FILE: cannot read "/nonexistent/tokens" (ENOENT)');
    expect(text).toContain('MAX_MESSAGE_BYTES must be a whole number');
    expect(text).not.toContain('short'); // a token is never echoed back
  });

  it('refuses a non-loopback host without tokens, and says what to do', () => {
    const result = loadConfig({ HOST: '0.0.0.0' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.join()).toMatch(/Refusing to listen on 0\.0\.0\.0 without client tokens.*CAPTIONIST_TOKENS/);
    expect(loadConfig({ HOST: '0.0.0.0', CAPTIONIST_TOKENS: 'a-long-enough-token-5d2f8b1e7c4a9f3e' }).ok).toBe(true);
  });

  it('startProxy itself refuses a non-loopback host without tokens', async () => {
    await expect(startProxy(testConfig({ host: '0.0.0.0', tokens: [] }))).rejects.toBeInstanceOf(ProxyStartError);
    await expect(startProxy(testConfig({ host: '0.0.0.0', tokens: [] }))).rejects.toThrow(/without client tokens/);
  });

  it('says which port is taken when it cannot listen', async () => {
    const first = await startProxy(testConfig());
    try {
      await expect(startProxy(testConfig({ port: first.port }))).rejects.toThrow(`port ${first.port} on 127.0.0.1 is already in use`);
    } finally {
      await first.close();
    }
  });

  it('counts only this computer as loopback', () => {
    expect(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '::', '192.168.1.4', 'example.com', '10.0.0.1'].some(isLoopbackHost)).toBe(false);
  });
});

describe('upstream settings and format caps (issue 12)', () => {
  it('refuses a Deepgram key with a character no HTTP header can carry, saying which and where, never the key', () => {
    const result = loadConfig({ DEEPGRAM_API_KEY: 'abcd\u2019ef0123456789' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      'DEEPGRAM_API_KEY has a character that cannot be sent in an HTTP header at position 5 of 17: "\u2019" (U+2019), a typographic quote; copy the key again as plain text.',
    ]);
    expect(result.errors.join()).not.toContain('abcd');
    const inner = loadConfig({ DEEPGRAM_API_KEY: 'abc def' });
    expect(!inner.ok && inner.errors[0]).toContain('position 4 of 7: U+0020, a space');
    expect(loadConfig({ DEEPGRAM_API_KEY: '  0123456789abcdef  ' }).ok).toBe(true);
  });

  it('requires wss:// for a Deepgram URL off this computer, and refuses user info in it without printing it', () => {
    const plain = loadConfig({ DEEPGRAM_URL: 'ws://stt.example.com/v1/listen' });
    expect(!plain.ok && plain.errors).toEqual([
      'DEEPGRAM_URL must use wss:// to reach stt.example.com: plain ws:// would send the key and the audio unencrypted (ws:// is allowed to this computer only).',
    ]);
    const withUser = loadConfig({ DEEPGRAM_URL: 'wss://admin:hunter2@stt.example.com/v1/listen' });
    expect(!withUser.ok && withUser.errors).toEqual([
      'DEEPGRAM_URL must not carry a user name or password (user:pass@); the key belongs in DEEPGRAM_API_KEY.',
    ]);
    for (const url of ['ws://127.0.0.1:9000/v1/listen', 'ws://localhost:9000/v1/listen', 'ws://[::1]:9000/v1/listen', 'wss://api.eu.deepgram.com/v1/listen']) {
      expect(loadConfig({ DEEPGRAM_URL: url }).ok, url).toBe(true);
    }
  });

  it('caps the declared audio format: 48 kHz, 2 channels and the common encodings by default, each settable', () => {
    const defaults = loadConfig({});
    expect(defaults.ok && defaults.config.limits).toMatchObject({
      maxSampleRate: 48_000,
      maxChannels: 2,
      allowedEncodings: ['linear16', 'mulaw', 'alaw', 'opus', 'ogg-opus', 'flac'],
      maxClientBufferBytes: 1024 * 1024,
    });
    const set = loadConfig({ MAX_SAMPLE_RATE: '16000', MAX_CHANNELS: '1', ALLOWED_ENCODINGS: 'linear16, LINEAR32', MAX_CLIENT_BUFFER_BYTES: '262144' });
    expect(set.ok && set.config.limits).toMatchObject({ maxSampleRate: 16_000, maxChannels: 1, allowedEncodings: ['linear16', 'linear32'], maxClientBufferBytes: 262_144 });
    const bad = loadConfig({ MAX_SAMPLE_RATE: '400000', MAX_CHANNELS: '0', ALLOWED_ENCODINGS: 'linear16,mp3' });
    expect(!bad.ok && bad.errors.join('\n')).toMatch(/MAX_SAMPLE_RATE must be at most 192000[\s\S]*MAX_CHANNELS must be at least 1[\s\S]*ALLOWED_ENCODINGS: "mp3" is not a Deepgram encoding/);
  });
});

describe('shared limits settings (issue 14)', () => {
  it('keeps limits in memory by default and reads REDIS_URL, REDIS_DOWN, the cap, the quota and the slot TTL', () => {
    const defaults = loadConfig({});
    expect(defaults.ok && defaults.config.shared).toEqual({
      redisUrl: undefined,
      redisDown: 'admit',
      upstreamMaxStreams: undefined,
      dailyAudioSecondsPerToken: undefined,
      slotTtlMs: 15_000,
    });
    const set = loadConfig({
      REDIS_URL: 'redis://:secret@10.0.0.5:6379/2',
      REDIS_DOWN: 'refuse',
      UPSTREAM_MAX_STREAMS: '50',
      DAILY_AUDIO_SECONDS_PER_TOKEN: '14400',
      REDIS_SLOT_TTL_SECONDS: '30',
    });
    expect(set.ok && set.config.shared).toEqual({
      redisUrl: 'redis://:secret@10.0.0.5:6379/2',
      redisDown: 'refuse',
      upstreamMaxStreams: 50,
      dailyAudioSecondsPerToken: 14_400,
      slotTtlMs: 30_000,
    });
  });

  it('reports bad values, never printing the Redis URL (it may hold a password)', () => {
    const bad = loadConfig({ REDIS_URL: 'http://:secret@cache:6379', REDIS_DOWN: 'maybe', UPSTREAM_MAX_STREAMS: '0', REDIS_SLOT_TTL_SECONDS: '1' });
    expect(bad.ok).toBe(false);
    const text = bad.ok ? '' : bad.errors.join('\n');
    expect(text).toMatch(/REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/);
    expect(text).toMatch(/REDIS_DOWN must be admit or refuse/);
    expect(text).toMatch(/UPSTREAM_MAX_STREAMS must be at least 1/);
    expect(text).toMatch(/REDIS_SLOT_TTL_SECONDS must be at least 3/);
    expect(text).not.toContain('secret');
  });
});
