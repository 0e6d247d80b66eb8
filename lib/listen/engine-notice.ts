/**
 * The proxy's in-band word that another engine than the first one it is configured with serves
 * this stream (proxy/upstreams/upstream-chain.ts): one JSON text message on the listen socket,
 * sent before the first result of that engine,
 *
 *   {"type":"CaptionistEngine","engine":"local","from":"deepgram","reason":"out_of_credit","status":402}
 *
 * so the extension can say "Deepgram refused (402): using the local engine, less accurate". The
 * shape is defined once here for both ends: the proxy builds it, lib/listen/protocol.ts reads it
 * (never throwing, counting what it cannot read). Deepgram itself never sends this type.
 */

export const ENGINE_NOTICE_TYPE = 'CaptionistEngine';

/** The engines a proxy can chain (proxy/config.ts UPSTREAMS). */
export const ENGINE_KINDS = ['deepgram', 'compatible', 'local'] as const;
export type EngineKind = (typeof ENGINE_KINDS)[number];

/**
 * Why the engine before could not open the stream; each is something a retry will not fix soon:
 * out of credit (402), too many streams (429), the service failing (5xx), not reachable, or no
 * answer to the handshake in time.
 */
export const FALLBACK_REASONS = ['out_of_credit', 'concurrency', 'server_error', 'unreachable', 'timeout'] as const;
export type FallbackReason = (typeof FALLBACK_REASONS)[number];

export interface EngineNotice {
  /** The engine serving the stream now. */
  engine: EngineKind;
  /** The first engine that could not open it. */
  from: EngineKind;
  reason: FallbackReason;
  /** The HTTP status of a refused handshake (402, 429, 5xx). */
  status?: number;
}

export function engineNoticeMessage(notice: EngineNotice): string {
  return JSON.stringify({ type: ENGINE_NOTICE_TYPE, ...notice });
}

const isOneOf = <T extends string>(values: readonly T[], value: unknown): value is T =>
  typeof value === 'string' && (values as readonly string[]).includes(value);

/** The notice in a parsed message, or null when a field is missing or not one the extension knows. */
export function readEngineNotice(value: Readonly<Record<string, unknown>>): EngineNotice | null {
  const { engine, from, reason, status } = value;
  if (!isOneOf(ENGINE_KINDS, engine) || !isOneOf(ENGINE_KINDS, from) || !isOneOf(FALLBACK_REASONS, reason)) return null;
  const notice: EngineNotice = { engine, from, reason };
  if (typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 599) notice.status = status;
  return notice;
}
