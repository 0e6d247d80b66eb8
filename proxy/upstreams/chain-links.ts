/**
 * The proxy's upstreams as configured (proxy/upstream-chain-config.ts), each as a link of the
 * fallback chain (./upstream-chain.ts): Deepgram, a Deepgram-compatible server, the local engine.
 */
import type { Logger } from 'pino';
import type { ProxyConfig } from '../config';
import { DEFAULT_FALLBACK_COOLDOWN_MS } from '../upstream-chain-config';
import { createDeepgramUpstream } from './deepgram';
import { createLinkBreakers, type LinkBreakers } from './link-breakers';
import { createLocalEngineUpstream } from './local-engine';
import { closeReason, type Upstream, type UpstreamFactory, type UpstreamKind } from './upstream';
import type { ChainLink } from './upstream-chain';

/** The chain configured, or the behaviour before chains: Deepgram with a key, else the local engine. */
export function configuredUpstreams(config: ProxyConfig): readonly UpstreamKind[] {
  return config.chain?.upstreams ?? [config.deepgramApiKey !== undefined ? 'deepgram' : 'local'];
}

/** The local engine's capacity, all streams together (proxy/server.ts counts its decoders). */
export interface LocalEngineSlots {
  /** Takes `channels` decoders, or says why not (the engine is full). */
  take(channels: number): { ok: true } | { ok: false; reason: string };
  give(channels: number): void;
}

const NO_UPSTREAM: Upstream = { sendAudio() {}, sendControl() {}, destroy() {} };

/**
 * The local engine as a fallback: a stream that lands on it takes its decoders from the same count
 * the proxy's admission check reads, and gives them back once, however it ends. Full: the stream
 * is closed 1013 (try again later), as the engine cannot take it now.
 */
function countedLocalEngine(create: UpstreamFactory, slots: LocalEngineSlots): UpstreamFactory {
  return (context) => {
    const channels = context.params.format.channels;
    const taken = slots.take(channels);
    if (!taken.ok) {
      context.events.closed(1013, closeReason(taken.reason));
      return NO_UPSTREAM;
    }
    let held = true;
    const giveBack = () => {
      if (!held) return;
      held = false;
      slots.give(channels);
    };
    const upstream = create({
      ...context,
      events: {
        ...context.events,
        closed(code, reason, failure) {
          giveBack();
          context.events.closed(code, reason, failure);
        },
      },
    });
    return {
      sendAudio: (chunk) => upstream.sendAudio(chunk),
      sendControl: (type, text) => upstream.sendControl(type, text),
      destroy() {
        giveBack();
        upstream.destroy();
      },
    };
  };
}

/**
 * One link per configured engine. An engine with a next one may take `fallbackAfterMs` to open; the
 * last keeps the usual handshake timeout. The local engine first is counted by the proxy's own
 * admission check; later in the chain it counts itself (countedLocalEngine).
 */
export function upstreamLinks(config: ProxyConfig, slots: LocalEngineSlots): ChainLink[] {
  const kinds = configuredUpstreams(config);
  return kinds.map((kind, index): ChainLink => {
    const connectTimeoutMs = index < kinds.length - 1 ? config.chain?.fallbackAfterMs : undefined;
    switch (kind) {
      case 'deepgram':
        return { kind, create: createDeepgramUpstream({ url: config.deepgramUrl, apiKey: config.deepgramApiKey, connectTimeoutMs }) };
      case 'compatible': {
        const compatible = config.chain?.compatible;
        if (compatible === undefined) throw new Error('UPSTREAMS has compatible without COMPATIBLE_URL');
        return { kind, create: createDeepgramUpstream({ url: compatible.url, apiKey: compatible.apiKey, connectTimeoutMs }) };
      }
      case 'local':
        return { kind, create: index === 0 ? createLocalEngineUpstream() : countedLocalEngine(createLocalEngineUpstream(), slots) };
    }
  });
}

/**
 * The chain's memory of failing links (./link-breakers.ts): one breaker per engine that has a next
 * one. None for a single engine (there is nowhere to skip to) or FALLBACK_COOLDOWN_SECONDS=0.
 */
export function chainBreakers(config: ProxyConfig, logger: Logger, now?: () => number): LinkBreakers | undefined {
  const kinds = configuredUpstreams(config);
  const cooldownMs = config.chain?.cooldownMs ?? DEFAULT_FALLBACK_COOLDOWN_MS;
  if (kinds.length < 2 || cooldownMs === 0) return undefined;
  return createLinkBreakers(kinds.slice(0, -1), { cooldownMs, logger, ...(now === undefined ? {} : { now }) });
}
