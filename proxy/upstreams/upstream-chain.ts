/**
 * A backup transcription service: an ordered list of upstreams (proxy/config.ts UPSTREAMS, e.g.
 * Deepgram, then a Deepgram-compatible server, then the local engine) behind the one Upstream
 * interface. A stream starts on the first; when one cannot open for a reason a retry will not fix
 * soon (its `OpenFailure`: 402, 429, 5xx, unreachable, handshake timeout), the next one serves it,
 * and the client is told in-band which engine now does (lib/listen/engine-notice.ts), before that
 * engine's first result.
 *
 * Audio and control messages are kept here until an upstream opens and then go to that one, so an
 * upstream that failed takes none of the stream with it: the new upstream's clock starts at the
 * same first byte the client's connection started with. Other refusals (400, 401, 403: about this
 * request or the configuration) end the stream as they would without a chain, and so does an
 * upstream lost after it opened: the client reconnects, replaying the audio no final covered
 * (lib/listen/listen-socket.ts), and its new stream goes through the chain from the start.
 *
 * With `breakers` (./link-breakers.ts), a link known to be failing is skipped without a handshake:
 * the stream starts on the next link, and the client's notice names the remembered failure.
 */
import { engineNoticeMessage, type EngineNotice } from '../../lib/listen/engine-notice';
import type { AttemptOutcome, LinkBreakers } from './link-breakers';
import type { ControlType, OpenFailure, Upstream, UpstreamContext, UpstreamFactory, UpstreamKind } from './upstream';

export interface ChainLink {
  kind: UpstreamKind;
  create: UpstreamFactory;
}

export interface UpstreamChainOptions {
  /** In order of preference; at least one. */
  links: readonly ChainLink[];
  /** Audio and control messages kept while an upstream opens (as proxy/upstreams/deepgram.ts keeps). */
  maxPendingBytes?: number;
  /** One stream moved on from `from` to `to` (for /metrics), having tried `from` or skipped it for its remembered failure. */
  onFallback?: (from: UpstreamKind, to: UpstreamKind, failure: OpenFailure) => void;
  /** Each link's health, kept across streams; absent: every stream tries every link in order. */
  breakers?: LinkBreakers;
}

const DEFAULT_MAX_PENDING_BYTES = 1024 * 1024;
export const FALLBACK_SETUP_REASON = 'the proxy could not start the fallback upstream for this stream';
export const PENDING_FULL_REASON = 'upstream did not open in time and the audio buffer is full';

type Pending = { kind: 'audio'; chunk: Buffer } | { kind: 'control'; type: ControlType; text: string };

/** A factory trying `links` in order; a chain of one is that link's own factory, unchanged. */
export function createUpstreamChain(options: UpstreamChainOptions): UpstreamFactory {
  const { links } = options;
  const only = links[0];
  if (only === undefined) throw new Error('an upstream chain needs at least one upstream');
  if (links.length === 1) return only.create;
  const maxPendingBytes = options.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;

  return (context: UpstreamContext): Upstream => {
    const { events, logger } = context;
    const pending: Pending[] = [];
    let pendingBytes = 0;
    let current: Upstream | undefined;
    /** Counts upstreams started: events from any but the latest are from one given up on. */
    let attempts = 0;
    let opened = false;
    let finished = false;
    /** The first upstream that could not open, and why: what the notice tells the client. */
    let firstFailure: { kind: UpstreamKind; failure: OpenFailure } | undefined;

    /** Settles the breaker for the attempt under way, if it has not been: see start. */
    let settleCurrent: (outcome: AttemptOutcome) => void = () => {};

    const finish = (code: number, reason: string, failure?: OpenFailure) => {
      if (finished) return;
      finished = true;
      // Ended before the current link answered (the buffer filled): nothing learnt about it.
      settleCurrent({ opened: false, failure: undefined });
      pending.length = 0;
      current?.destroy();
      events.closed(code, reason, failure);
    };

    /** Starts `links[index]`; `probe`: it is its breaker's half-open try. */
    const start = (index: number, probe: boolean, synchronous: boolean) => {
      const link = links[index];
      if (link === undefined) return;
      attempts += 1;
      const attempt = attempts;
      const live = () => attempt === attempts && !finished;
      let settled = false;
      const settle = (outcome: AttemptOutcome) => {
        if (settled) return;
        settled = true;
        options.breakers?.settle(link.kind, probe, outcome);
      };
      settleCurrent = settle;
      /** Set once create returns; an upstream opening within create is flushed after it. */
      let created: Upstream | undefined = undefined;
      const flush = (to: Upstream) => {
        for (const item of pending) {
          if (item.kind === 'audio') to.sendAudio(item.chunk);
          else to.sendControl(item.type, item.text);
        }
        pending.length = 0;
        pendingBytes = 0;
      };
      let upstream: Upstream;
      try {
        upstream = link.create({
          ...context,
          events: {
            opened() {
              settle({ opened: true });
              if (!live()) return;
              opened = true;
              if (firstFailure !== undefined) {
                const notice: EngineNotice = { engine: link.kind, from: firstFailure.kind, reason: firstFailure.failure.reason };
                if (firstFailure.failure.status !== undefined) notice.status = firstFailure.failure.status;
                events.message(engineNoticeMessage(notice));
              }
              if (created !== undefined) flush(created);
              context.servedBy?.(link.kind);
              events.opened();
            },
            message(text) {
              if (live()) events.message(text);
            },
            closed(code, reason, failure) {
              settle({ opened: false, failure });
              if (!live()) return;
              const next = links[index + 1];
              if (opened || failure === undefined || next === undefined) {
                finish(code, reason, failure);
                return;
              }
              logger.warn({ from: link.kind, to: next.kind, reason: failure.reason, status: failure.status }, 'upstream could not open: falling back');
              fallBack(index, failure, false);
            },
          },
        });
      } catch (error) {
        settle({ opened: false, failure: undefined });
        // The link started within the chain's own creation throws to ListenSession, which ends the
        // stream itself; a later one happens inside an event of the link before, so it ends the
        // stream here.
        if (synchronous) throw error;
        logger.error({ err: error instanceof Error ? error.message : String(error), kind: link.kind }, 'fallback upstream setup failed');
        finish(1011, FALLBACK_SETUP_REASON);
        return;
      }
      // An upstream may close while being created (the local engine refusing a format): a later
      // one may already be current then.
      if (attempt !== attempts) return;
      current = upstream;
      created = upstream;
      if (opened && !finished) flush(upstream);
    };

    /** Moves on from `links[index]`, which failed with `failure` (or is skipped for it), to the next link. */
    const fallBack = (index: number, failure: OpenFailure, synchronous: boolean) => {
      const from = links[index];
      const next = links[index + 1];
      if (from === undefined || next === undefined) return;
      firstFailure ??= { kind: from.kind, failure };
      options.onFallback?.(from.kind, next.kind, failure);
      tryLink(index + 1, synchronous);
    };

    /** Starts `links[index]` unless its breaker is open; the last link has none: nothing comes after it. */
    const tryLink = (index: number, synchronous: boolean) => {
      const link = links[index];
      if (link === undefined) return;
      const breakers = index < links.length - 1 ? options.breakers : undefined;
      const verdict = breakers?.verdict(link.kind) ?? { try: true, probe: false };
      if (verdict.try) {
        start(index, verdict.probe, synchronous);
        return;
      }
      logger.debug({ link: link.kind, reason: verdict.remembered.reason, status: verdict.remembered.status }, 'upstream link skipped: its breaker is open');
      fallBack(index, verdict.remembered, synchronous);
    };

    const keep = (item: Pending, bytes: number) => {
      pendingBytes += bytes;
      if (pendingBytes > maxPendingBytes) {
        finish(1011, PENDING_FULL_REASON);
        return;
      }
      pending.push(item);
    };

    tryLink(0, true);

    return {
      sendAudio(chunk) {
        if (finished) return;
        if (opened) current?.sendAudio(chunk);
        else keep({ kind: 'audio', chunk }, chunk.length);
      },
      sendControl(type, text) {
        if (finished) return;
        if (opened) current?.sendControl(type, text);
        else keep({ kind: 'control', type, text }, Buffer.byteLength(text));
      },
      destroy() {
        if (finished) return;
        finished = true;
        settleCurrent({ opened: false, failure: undefined });
        pending.length = 0;
        current?.destroy();
      },
    };
  };
}
