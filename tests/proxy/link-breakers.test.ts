/**
 * The fallback chain's memory of failing links (proxy/upstreams/link-breakers.ts), on an injected
 * clock: which failures open a breaker, the one half-open probe after the cool-down, what closes
 * it, the log lines; and the chain (proxy/upstreams/upstream-chain.ts) skipping an open link with
 * scripted links, telling the client the remembered reason.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '@/proxy/config';
import { checkListenParams } from '@/proxy/listen-params';
import { createLinkBreakers, SERVER_ERRORS_TO_OPEN, type LinkBreakers } from '@/proxy/upstreams/link-breakers';
import type { OpenFailure, Upstream, UpstreamContext, UpstreamEvents, UpstreamKind } from '@/proxy/upstreams/upstream';
import { createUpstreamChain } from '@/proxy/upstreams/upstream-chain';

const COOLDOWN_MS = 30_000;
const OUT_OF_CREDIT: OpenFailure = { reason: 'out_of_credit', status: 402 };
const SERVER_ERROR: OpenFailure = { reason: 'server_error', status: 503 };
const TOO_MANY: OpenFailure = { reason: 'concurrency', status: 429 };

function breakersOnClock(links: readonly UpstreamKind[] = ['deepgram']) {
  const clock = { now: 1_000_000 };
  const logged: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logged.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  const breakers = createLinkBreakers(links, { cooldownMs: COOLDOWN_MS, now: () => clock.now, logger: pino({ level: 'info' }, sink) });
  return { breakers, clock, logged };
}

/** Starts an attempt as the chain does: asks, and when allowed settles it with `outcome`. */
function attempt(breakers: LinkBreakers, outcome: OpenFailure | 'opened' | 'no answer'): 'skipped' | 'tried' | 'probed' {
  const verdict = breakers.verdict('deepgram');
  if (!verdict.try) return 'skipped';
  breakers.settle('deepgram', verdict.probe, outcome === 'opened' ? { opened: true } : { opened: false, failure: outcome === 'no answer' ? undefined : outcome });
  return verdict.probe ? 'probed' : 'tried';
}

describe('a link breaker', () => {
  it('opens at the first 402, remembers it, and lets one stream probe after the cool-down', () => {
    const { breakers, clock } = breakersOnClock();
    expect(attempt(breakers, OUT_OF_CREDIT)).toBe('tried');
    expect(breakers.verdict('deepgram')).toEqual({ try: false, remembered: OUT_OF_CREDIT });
    expect(breakers.health()).toEqual([{ link: 'deepgram', state: 'open', reason: 'out_of_credit', status: 402, retryInSeconds: 30 }]);
    clock.now += COOLDOWN_MS - 1;
    expect(breakers.verdict('deepgram').try).toBe(false);
    clock.now += 1;
    expect(breakers.health()[0]?.state).toBe('half_open');
    const probe = breakers.verdict('deepgram');
    expect(probe).toEqual({ try: true, probe: true });
    // While the probe is out, every other stream still skips the link.
    expect(breakers.verdict('deepgram')).toEqual({ try: false, remembered: OUT_OF_CREDIT });
    breakers.settle('deepgram', true, { opened: true });
    expect(breakers.verdict('deepgram')).toEqual({ try: true, probe: false });
    expect(breakers.health()).toEqual([{ link: 'deepgram', state: 'closed' }]);
  });

  it('a probe that fails again opens it for a whole new cool-down', () => {
    const { breakers, clock } = breakersOnClock();
    attempt(breakers, { reason: 'timeout' });
    clock.now += COOLDOWN_MS;
    expect(attempt(breakers, { reason: 'timeout' })).toBe('probed');
    clock.now += COOLDOWN_MS - 1;
    expect(breakers.verdict('deepgram')).toEqual({ try: false, remembered: { reason: 'timeout' } });
    clock.now += 1;
    expect(attempt(breakers, 'opened')).toBe('probed');
    expect(breakers.health()[0]?.state).toBe('closed');
  });

  it('a probe ending without an answer about the link (client gone, 429) hands the probe to the next stream', () => {
    const { breakers, clock } = breakersOnClock();
    attempt(breakers, { reason: 'unreachable' });
    clock.now += COOLDOWN_MS;
    expect(attempt(breakers, 'no answer')).toBe('probed');
    expect(attempt(breakers, TOO_MANY)).toBe('probed');
    expect(breakers.health()[0]?.state).toBe('half_open');
    expect(attempt(breakers, OUT_OF_CREDIT)).toBe('probed');
    expect(breakers.health()[0]).toMatchObject({ state: 'open', reason: 'out_of_credit', retryInSeconds: 30 });
  });

  it('429 never opens it; 5xx only a run of them with no success between', () => {
    const { breakers } = breakersOnClock();
    for (let i = 0; i < 10; i += 1) expect(attempt(breakers, TOO_MANY)).toBe('tried');
    for (let i = 1; i < SERVER_ERRORS_TO_OPEN; i += 1) expect(attempt(breakers, SERVER_ERROR)).toBe('tried');
    expect(attempt(breakers, 'opened')).toBe('tried');
    for (let i = 1; i < SERVER_ERRORS_TO_OPEN; i += 1) expect(attempt(breakers, SERVER_ERROR)).toBe('tried');
    expect(breakers.health()[0]?.state).toBe('closed');
    expect(attempt(breakers, SERVER_ERROR)).toBe('tried');
    expect(breakers.verdict('deepgram')).toEqual({ try: false, remembered: SERVER_ERROR });
  });

  it('a stream started before it opened and opening later closes it: the link works', () => {
    const { breakers } = breakersOnClock();
    const early = breakers.verdict('deepgram');
    attempt(breakers, OUT_OF_CREDIT);
    breakers.settle('deepgram', early.try && early.probe, { opened: true });
    expect(breakers.health()[0]?.state).toBe('closed');
  });

  it('logs when it opens and when it closes, once each', () => {
    const { breakers, clock, logged } = breakersOnClock();
    attempt(breakers, OUT_OF_CREDIT);
    attempt(breakers, OUT_OF_CREDIT);
    clock.now += COOLDOWN_MS;
    attempt(breakers, 'opened');
    attempt(breakers, 'opened');
    expect(logged.map(({ msg, link, reason, status, cooldownSeconds }) => ({ msg, link, reason, status, cooldownSeconds }))).toEqual([
      { msg: 'upstream link breaker open: new streams skip it', link: 'deepgram', reason: 'out_of_credit', status: 402, cooldownSeconds: 30 },
      { msg: 'upstream link breaker closed: the link opened again', link: 'deepgram', reason: undefined, status: undefined, cooldownSeconds: undefined },
    ]);
  });
});

/** A link the test drives (as in tests/proxy/upstream-chain.test.ts). */
function scriptedLink(kind: UpstreamKind) {
  const link = {
    kind,
    created: 0,
    destroyed: 0,
    events: undefined as UpstreamEvents | undefined,
    create(context: UpstreamContext): Upstream {
      link.created += 1;
      link.events = context.events;
      return { sendAudio() {}, sendControl() {}, destroy: () => (link.destroyed += 1) };
    },
  };
  return link;
}

function clientSide() {
  const params = checkListenParams(new URLSearchParams('encoding=linear16&sample_rate=16000'), DEFAULT_LIMITS);
  if (!params.ok) throw new Error(params.message);
  const seen = { messages: [] as string[], closed: [] as number[], servedBy: [] as UpstreamKind[] };
  const context: UpstreamContext = {
    requestId: 'test',
    params: params.params,
    logger: pino({ level: 'silent' }),
    events: { opened() {}, message: (text) => seen.messages.push(text.toString()), closed: (code) => seen.closed.push(code) },
    servedBy: (kind) => seen.servedBy.push(kind),
  };
  return { context, seen };
}

describe('the chain with breakers', () => {
  it('skips an open link without creating it, tells the client the remembered reason, and counts the fallback', () => {
    const { breakers } = breakersOnClock(['deepgram', 'compatible']);
    const first = scriptedLink('deepgram');
    const second = scriptedLink('compatible');
    const last = scriptedLink('local');
    const fallbacks: string[] = [];
    const chain = createUpstreamChain({ links: [first, second, last], breakers, onFallback: (from, to, failure) => fallbacks.push(`${from}>${to}:${failure.reason}`) });

    const one = clientSide();
    chain(one.context);
    first.events?.closed(1008, 'upstream account is out of credit (402)', OUT_OF_CREDIT);
    second.events?.opened();
    expect(one.seen.servedBy).toEqual(['compatible']);

    const two = clientSide();
    chain(two.context);
    expect(first.created).toBe(1);
    expect(second.created).toBe(2);
    second.events?.opened();
    expect(two.seen.messages).toEqual(['{"type":"CaptionistEngine","engine":"compatible","from":"deepgram","reason":"out_of_credit","status":402}']);
    expect(two.seen.servedBy).toEqual(['compatible']);
    expect(fallbacks).toEqual(['deepgram>compatible:out_of_credit', 'deepgram>compatible:out_of_credit']);
  });

  it('the last link is tried even when every link before it is skipped', () => {
    const { breakers } = breakersOnClock(['deepgram', 'compatible']);
    breakers.settle('deepgram', false, { opened: false, failure: OUT_OF_CREDIT });
    breakers.settle('compatible', false, { opened: false, failure: { reason: 'unreachable' } });
    const first = scriptedLink('deepgram');
    const second = scriptedLink('compatible');
    const last = scriptedLink('local');
    const { context, seen } = clientSide();
    createUpstreamChain({ links: [first, second, last], breakers })(context);
    expect([first.created, second.created, last.created]).toEqual([0, 0, 1]);
    last.events?.opened();
    // The notice names the first engine skipped, as it would the first that failed.
    expect(seen.messages).toEqual(['{"type":"CaptionistEngine","engine":"local","from":"deepgram","reason":"out_of_credit","status":402}']);
  });

  it('a probing stream destroyed before its link answers lets the next stream probe', () => {
    const { breakers, clock } = breakersOnClock(['deepgram']);
    breakers.settle('deepgram', false, { opened: false, failure: OUT_OF_CREDIT });
    clock.now += COOLDOWN_MS;
    const first = scriptedLink('deepgram');
    const last = scriptedLink('local');
    const chain = createUpstreamChain({ links: [first, last], breakers });
    chain(clientSide().context).destroy();
    expect(first.created).toBe(1);
    chain(clientSide().context);
    expect(first.created).toBe(2);
    chain(clientSide().context);
    expect(first.created).toBe(2);
    first.events?.opened();
    expect(breakers.health()[0]?.state).toBe('closed');
  });
});
