/**
 * The proxy's fallback notice (lib/listen/engine-notice.ts) at the extension's border
 * (lib/listen/protocol.ts): read when whole, ignored and counted otherwise, never thrown on.
 */
import { describe, expect, it } from 'vitest';
import { engineNoticeMessage } from '@/lib/listen/engine-notice';
import { createParseStats, parseServerMessage } from '@/lib/listen/protocol';

describe('the CaptionistEngine notice', () => {
  it('reads what the proxy builds, status included', () => {
    const text = engineNoticeMessage({ engine: 'local', from: 'deepgram', reason: 'out_of_credit', status: 402 });
    expect(JSON.parse(text)).toEqual({ type: 'CaptionistEngine', engine: 'local', from: 'deepgram', reason: 'out_of_credit', status: 402 });
    expect(parseServerMessage(text)).toEqual({ ok: true, event: { kind: 'engine', notice: { engine: 'local', from: 'deepgram', reason: 'out_of_credit', status: 402 } } });
  });

  it('reads a notice without a status (unreachable, timeout) and drops a status that is not an HTTP one', () => {
    expect(parseServerMessage('{"type":"CaptionistEngine","engine":"compatible","from":"deepgram","reason":"timeout"}')).toMatchObject({
      ok: true,
      event: { notice: { engine: 'compatible', from: 'deepgram', reason: 'timeout' } },
    });
    const odd = parseServerMessage('{"type":"CaptionistEngine","engine":"local","from":"deepgram","reason":"server_error","status":"503"}');
    expect(odd.ok && odd.event.kind === 'engine' ? odd.event.notice : null).toEqual({ engine: 'local', from: 'deepgram', reason: 'server_error' });
  });

  it.each([
    ['an unknown engine', '{"type":"CaptionistEngine","engine":"whisper","from":"deepgram","reason":"timeout"}'],
    ['no reason', '{"type":"CaptionistEngine","engine":"local","from":"deepgram"}'],
    ['an unknown reason', '{"type":"CaptionistEngine","engine":"local","from":"deepgram","reason":"bored"}'],
    ['a number for the engine', '{"type":"CaptionistEngine","engine":1,"from":"deepgram","reason":"timeout"}'],
  ])('ignores and counts a notice with %s', (_name, text) => {
    const stats = createParseStats();
    expect(parseServerMessage(text, { stats })).toMatchObject({ ok: false, ignored: 'invalid-engine-notice' });
    expect(stats.ignored['invalid-engine-notice']).toBe(1);
    expect(stats.parsed).toBe(0);
  });
});
