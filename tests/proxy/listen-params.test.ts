import { describe, expect, it } from 'vitest';
import { DEFAULT_FORMAT_LIMITS, bytesPerSecond, checkListenParams } from '@/proxy/listen-params';
import { TokenBucket } from '@/proxy/token-bucket';
import { closeReason } from '@/proxy/upstreams/upstream';

const check = (query: string) => checkListenParams(new URLSearchParams(query));

describe('listen query parameters', () => {
  it('passes the extension\'s usual query through unchanged, in order', () => {
    const query = 'model=nova-3&language=en&encoding=linear16&sample_rate=16000&channels=1&interim_results=true&smart_format=true&diarize=true';
    const result = check(query);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.params.query.toString()).toBe(query);
    expect(result.params.format).toEqual({ encoding: 'linear16', sampleRate: 16_000, channels: 1 });
  });

  it.each([
    ['callback=https://x.example/hook', '"callback" is not allowed'],
    ['callback_method=put', '"callback_method" is not allowed'],
    ['token=abc', '"token" is not allowed'],
    ['model=nova-3&model=nova-2', 'may appear only once'],
    ['encoding=wav&sample_rate=16000', 'encoding "wav" is not one of'],
    ['encoding=linear16', 'needs sample_rate'],
    ['encoding=linear16&sample_rate=1000', 'outside 8000-192000'],
    ['encoding=linear16&sample_rate=16000&channels=0', 'outside 1-20'],
    ['endpointing=soon', 'milliseconds or false'],
    ['punctuate=1', 'true or false'],
    [`tag=${'x'.repeat(300)}`, 'longer than 256'],
  ])('refuses %s with a reason', (query, reason) => {
    const result = check(query);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(reason);
  });

  it('allows repeatable parameters (keyterm, redact, tag, extra) several times', () => {
    const result = check('keyterm=Dashwood&keyterm=Norland+Park&redact=pci&redact=ssn&extra=a:1&extra=b:2&endpointing=false');
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.params.query.getAll('keyterm')).toEqual(['Dashwood', 'Norland Park']);
  });

  it('caps the declared format by configuration, so a client cannot declare itself a higher rate limit', () => {
    expect(check('encoding=linear32&sample_rate=16000')).toEqual({
      ok: false,
      message: 'encoding linear32 is not allowed by this proxy (ALLOWED_ENCODINGS: linear16, mulaw, alaw, opus, ogg-opus, flac).',
    });
    expect(check('encoding=linear16&sample_rate=96000')).toEqual({
      ok: false,
      message: "sample_rate 96000 is above this proxy's limit of 48000 (MAX_SAMPLE_RATE).",
    });
    expect(check('encoding=linear16&sample_rate=48000&channels=3')).toEqual({
      ok: false,
      message: "channels 3 is above this proxy's limit of 2 (MAX_CHANNELS).",
    });
    const worst = check('encoding=linear16&sample_rate=48000&channels=2');
    expect(worst.ok && bytesPerSecond(worst.params.format)).toBe(192_000);
    const widened = { ...DEFAULT_FORMAT_LIMITS, maxSampleRate: 192_000, maxChannels: 20, allowedEncodings: ['linear32'] };
    expect(checkListenParams(new URLSearchParams('encoding=linear32&sample_rate=192000&channels=20'), widened).ok).toBe(true);
  });

  it('knows the byte rate of raw formats and allows a generous one for containers', () => {
    expect(bytesPerSecond({ encoding: 'linear16', sampleRate: 16_000, channels: 1 })).toBe(32_000);
    expect(bytesPerSecond({ encoding: 'mulaw', sampleRate: 8000, channels: 2 })).toBe(16_000);
    expect(bytesPerSecond({ encoding: undefined, sampleRate: undefined, channels: 1 })).toBe(192_000);
    expect(bytesPerSecond({ encoding: 'flac', sampleRate: 16_000, channels: 2 })).toBe(192_000);
    // Compressed audio on more channels may need more: each declared channel counts.
    expect(bytesPerSecond({ encoding: 'flac', sampleRate: 48_000, channels: 4 })).toBe(384_000);
  });
});

describe('token bucket', () => {
  it('allows the burst at once, then only the sustained rate', () => {
    const bucket = new TokenBucket(100, 500, 0);
    expect(bucket.take(500, 0)).toBe(true);
    expect(bucket.take(1, 0)).toBe(false);
    expect(bucket.take(50, 500)).toBe(true); // 0.5 s refills 50
    expect(bucket.take(1, 500)).toBe(false);
    expect(bucket.take(500, 60_000)).toBe(true); // refills up to the capacity, not beyond
    expect(bucket.take(1, 60_000)).toBe(false);
  });
});

describe('close reasons', () => {
  it('keeps reasons within the 123 bytes a close frame allows, counting UTF-8 bytes', () => {
    expect(closeReason('short')).toBe('short');
    const long = closeReason('é'.repeat(100));
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(123);
    expect(long.endsWith('...')).toBe(true);
  });
});
