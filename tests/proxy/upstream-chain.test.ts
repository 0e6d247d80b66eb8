/**
 * proxy/upstreams/upstream-chain.ts with scripted links: the orders of events real upstreams can
 * produce (closing inside their own creation, opening late, failing after opening) and what the
 * chain keeps while no upstream is open.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '@/proxy/config';
import { checkListenParams } from '@/proxy/listen-params';
import type { OpenFailure, Upstream, UpstreamContext, UpstreamEvents, UpstreamKind } from '@/proxy/upstreams/upstream';
import { createUpstreamChain, PENDING_FULL_REASON } from '@/proxy/upstreams/upstream-chain';

/** A link the test drives: it records what it was sent and exposes its events. */
function scriptedLink(kind: UpstreamKind, onCreate?: (events: UpstreamEvents) => void) {
  const link = {
    kind,
    created: 0,
    destroyed: 0,
    received: [] as string[],
    events: undefined as UpstreamEvents | undefined,
    create(context: UpstreamContext): Upstream {
      link.created += 1;
      link.events = context.events;
      onCreate?.(context.events);
      return {
        sendAudio: (chunk) => link.received.push(`audio:${chunk.toString()}`),
        sendControl: (type) => link.received.push(`control:${type}`),
        destroy: () => {
          link.destroyed += 1;
        },
      };
    },
  };
  return link;
}

function clientSide() {
  const params = checkListenParams(new URLSearchParams('encoding=linear16&sample_rate=16000'), DEFAULT_LIMITS);
  if (!params.ok) throw new Error(params.message);
  const seen = { opened: 0, messages: [] as string[], closed: [] as [number, string, OpenFailure | undefined][] };
  const context: UpstreamContext = {
    requestId: 'test',
    params: params.params,
    logger: pino({ level: 'silent' }),
    events: {
      opened: () => (seen.opened += 1),
      message: (text) => seen.messages.push(text.toString()),
      closed: (code, reason, failure) => seen.closed.push([code, reason, failure]),
    },
  };
  return { context, seen };
}

const REFUSED: OpenFailure = { reason: 'concurrency', status: 429 };

describe('the upstream chain', () => {
  it('a link that fails while being created hands over to the next, which gets everything sent meanwhile in order', () => {
    const first = scriptedLink('deepgram', (events) => events.closed(1008, 'too many', REFUSED));
    const second = scriptedLink('local');
    const { context, seen } = clientSide();
    const upstream = createUpstreamChain({ links: [first, second] })(context);
    upstream.sendAudio(Buffer.from('a'));
    upstream.sendControl('KeepAlive', '{"type":"KeepAlive"}');
    upstream.sendAudio(Buffer.from('b'));
    expect(second.received).toEqual([]);
    second.events?.opened();
    expect(seen.messages).toEqual(['{"type":"CaptionistEngine","engine":"local","from":"deepgram","reason":"concurrency","status":429}']);
    expect(second.received).toEqual(['audio:a', 'control:KeepAlive', 'audio:b']);
    upstream.sendAudio(Buffer.from('c'));
    expect(second.received.at(-1)).toBe('audio:c');
    expect(first.received).toEqual([]);
    expect(seen.opened).toBe(1);
  });

  it('an upstream lost after it opened ends the stream: no fallback mid-stream', () => {
    const first = scriptedLink('deepgram');
    const second = scriptedLink('local');
    const { context, seen } = clientSide();
    createUpstreamChain({ links: [first, second] })(context);
    first.events?.opened();
    first.events?.closed(1011, 'upstream connection lost', { reason: 'unreachable' });
    expect(second.created).toBe(0);
    expect(seen.closed).toEqual([[1011, 'upstream connection lost', { reason: 'unreachable' }]]);
    expect(seen.messages).toEqual([]);
  });

  it('a refusal without a fallback reason (401) ends the stream; so does the last link failing', () => {
    const keyRefused = scriptedLink('deepgram');
    const unused = scriptedLink('local');
    const one = clientSide();
    createUpstreamChain({ links: [keyRefused, unused] })(one.context);
    keyRefused.events?.closed(1008, 'upstream rejected the key (401)');
    expect(unused.created).toBe(0);
    expect(one.seen.closed).toEqual([[1008, 'upstream rejected the key (401)', undefined]]);

    const first = scriptedLink('deepgram');
    const last = scriptedLink('compatible');
    const two = clientSide();
    createUpstreamChain({ links: [first, last] })(two.context);
    first.events?.closed(1011, 'upstream unavailable (503), try again later', { reason: 'server_error', status: 503 });
    last.events?.closed(1011, 'upstream unreachable (ECONNREFUSED)', { reason: 'unreachable' });
    expect(two.seen.closed).toEqual([[1011, 'upstream unreachable (ECONNREFUSED)', { reason: 'unreachable' }]]);
  });

  it('destroyed while an upstream opens: that one is destroyed, and its late events are ignored', () => {
    const first = scriptedLink('deepgram');
    const second = scriptedLink('local');
    const { context, seen } = clientSide();
    const upstream = createUpstreamChain({ links: [first, second] })(context);
    upstream.destroy();
    expect(first.destroyed).toBe(1);
    first.events?.closed(1011, 'late', { reason: 'timeout' });
    first.events?.opened();
    expect(second.created).toBe(0);
    expect(seen).toEqual({ opened: 0, messages: [], closed: [] });
  });

  it('keeps at most maxPendingBytes while no upstream is open, then ends the stream', () => {
    const first = scriptedLink('deepgram');
    const second = scriptedLink('local');
    const { context, seen } = clientSide();
    const upstream = createUpstreamChain({ links: [first, second], maxPendingBytes: 10 })(context);
    upstream.sendAudio(Buffer.alloc(6));
    expect(seen.closed).toEqual([]);
    upstream.sendAudio(Buffer.alloc(6));
    expect(seen.closed).toEqual([[1011, PENDING_FULL_REASON, undefined]]);
    expect(first.destroyed).toBe(1);
    upstream.sendAudio(Buffer.alloc(1));
    expect(seen.closed).toHaveLength(1);
  });

  it('a chain of one is that link itself, unchanged', () => {
    const only = scriptedLink('deepgram');
    expect(createUpstreamChain({ links: [only] })).toBe(only.create);
  });
});
