/**
 * Direct mode (proxy/README.md, "Direct mode"): the proxy hands an authenticated client a
 * short-lived Deepgram token (Deepgram's `POST /v1/auth/grant`, about 30 s, enough to open a
 * socket) and the client streams to Deepgram itself. The Deepgram key never leaves the proxy.
 *
 * What the proxy still holds in direct mode, per client token:
 * - grants per minute (a token bucket), as every connect and reconnect takes one;
 * - a stream slot of the shared limits per direct session (MAX_STREAMS_PER_TOKEN,
 *   UPSTREAM_MAX_STREAMS, the daily quota at the start), held by a lease: the session's grants
 *   and renewals keep it, and it is given back when the client says the session ended or the
 *   lease runs out. With a daily quota, a lease counts its open time as audio, as compressed audio
 *   does when relayed.
 * What it cannot: the audio goes past it, so the audio rate, the format caps, the session length,
 * redaction and the archive do not apply, and a client that keeps a Deepgram socket open without
 * renewing its lease is no longer counted once the lease runs out.
 */
import { randomUUID } from 'node:crypto';
import type { DirectConfig } from './config';
import type { Refusal } from './http-refusal';
import type { SharedLimits, StreamSlot } from './limits/shared-limits';
import { createRedactor } from './redact';
import { TokenBucket } from './token-bucket';

/** What Deepgram's grant endpoint answered, or why there is no token. */
export type DeepgramGrant = { ok: true; accessToken: string; expiresIn: number } | { ok: false; status: number; detail: string };

export type RequestGrant = () => Promise<DeepgramGrant>;

/** A JSON answer for the client: its status and body (and headers such as Retry-After). */
export interface GrantAnswer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

const GRANT_TIMEOUT_MS = 5000;
/** Session ids are the client's (a capture's UUID); anything else is refused before it is a map key. */
const SESSION_PATTERN = /^[A-Za-z0-9-]{8,64}$/;

/** Deepgram's grant endpoint on the same host as its listen URL: wss://h/v1/listen -> https://h/v1/auth/grant. */
export function deepgramGrantUrl(listenUrl: string): string {
  const url = new URL(listenUrl);
  url.protocol = url.protocol === 'ws:' ? 'http:' : 'https:';
  url.pathname = '/v1/auth/grant';
  url.search = '';
  return url.toString();
}

/** Asks Deepgram for a token with the key (`Authorization: Token <key>`), bounded in time. */
export function deepgramGrantRequester(grantUrl: string, apiKey: string): RequestGrant {
  const redactor = createRedactor(apiKey);
  return async () => {
    let response: Response;
    try {
      response = await fetch(grantUrl, { method: 'POST', headers: { Authorization: `Token ${apiKey}` }, signal: AbortSignal.timeout(GRANT_TIMEOUT_MS) });
    } catch (error) {
      return { ok: false, status: 0, detail: redactor.text(error instanceof Error ? error.message : String(error)) };
    }
    const text = await response.text().catch(() => '');
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // A proxy or load balancer in front of Deepgram may answer in plain text: kept as the detail.
    }
    if (response.ok && typeof body.access_token === 'string' && body.access_token !== '') {
      return { ok: true, accessToken: body.access_token, expiresIn: typeof body.expires_in === 'number' ? body.expires_in : 30 };
    }
    const said = typeof body.err_msg === 'string' ? body.err_msg : typeof body.message === 'string' ? body.message : text;
    return { ok: false, status: response.status, detail: redactor.text(said.slice(0, 200)) };
  };
}

interface Lease {
  slot: StreamSlot;
  expiresAt: number;
  /** Open time up to here is counted as audio (daily quota). */
  countedAt: number;
}

export interface DirectGrantsOptions {
  config: DirectConfig;
  limits: SharedLimits;
  /** The Deepgram listen URL clients connect to (DEEPGRAM_URL). */
  listenUrl: string;
  requestGrant: RequestGrant;
  now?: () => number;
}

export class DirectGrants {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly leases = new Map<string, Lease>();
  private readonly now: () => number;

  constructor(private readonly options: DirectGrantsOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Direct sessions holding a lease now. */
  get open(): number {
    return this.leases.size;
  }

  /** A token for `limitKey`'s session (a new one when `session` is absent), or why not. */
  async grant(limitKey: string, session: string | undefined): Promise<GrantAnswer> {
    const { config } = this.options;
    if (config.mode === 'forbid') {
      return this.refuse(403, 'direct_forbidden', 'This proxy does not allow direct mode (DIRECT_MODE=forbid): your audio is relayed through it.');
    }
    if (session !== undefined && !SESSION_PATTERN.test(session)) {
      return this.refuse(400, 'bad_request', 'The session id must be 8 to 64 letters, digits or dashes.');
    }
    const now = this.now();
    if (!this.bucketFor(limitKey).take(1, now)) {
      return this.refuse(429, 'too_many_grants', `This client token asked for more than ${config.grantsPerMinutePerToken} direct-mode tokens in a minute; try again shortly.`, {
        'Retry-After': '60',
      });
    }
    const sessionId = session ?? randomUUID();
    const key = `${limitKey} ${sessionId}`;
    let lease = this.leases.get(key);
    const isNew = lease === undefined;
    if (lease === undefined) {
      const admission = await this.options.limits.acquire(limitKey);
      if ('refusal' in admission) return this.refuseWith(admission.refusal);
      // Another grant for the same session may have taken a slot while this one waited.
      const raced = this.leases.get(key);
      if (raced === undefined) {
        lease = { slot: admission.slot, expiresAt: now, countedAt: now };
        this.leases.set(key, lease);
      } else {
        admission.slot.release();
        lease = raced;
      }
    }
    this.countOpenTime(lease, now);
    this.renewLease(lease, now);
    const granted = await this.options.requestGrant();
    if (!granted.ok) {
      if (isNew) this.endLease(key);
      const why = granted.status === 0 ? `could not be reached (${granted.detail})` : `refused a token (${granted.status}${granted.detail ? `: ${granted.detail}` : ''})`;
      return this.refuse(502, 'grant_failed', `Deepgram ${why}.`);
    }
    return {
      status: 200,
      body: {
        access_token: granted.accessToken,
        expires_in: granted.expiresIn,
        url: this.options.listenUrl,
        session: sessionId,
        lease_seconds: Math.round(config.leaseMs / 1000),
      },
    };
  }

  /** Keeps a session's lease (204), ends it (`ended`), or 404 when it ran out or never was. */
  renew(limitKey: string, session: string, ended: boolean): GrantAnswer {
    const key = `${limitKey} ${session}`;
    const lease = this.leases.get(key);
    if (lease === undefined) return { status: 404, body: { error: 'no_lease', message: 'No direct session with this id holds a lease; the next grant starts one.' } };
    this.countOpenTime(lease, this.now());
    if (ended) this.endLease(key);
    else this.renewLease(lease, this.now());
    return { status: 204, body: {} };
  }

  /** Gives back the slots of leases that ran out. */
  sweep(): void {
    const now = this.now();
    for (const [key, lease] of this.leases) if (lease.expiresAt <= now) this.endLease(key);
  }

  close(): void {
    for (const key of [...this.leases.keys()]) this.endLease(key);
  }

  private renewLease(lease: Lease, now: number): void {
    lease.expiresAt = now + this.options.config.leaseMs;
  }

  private countOpenTime(lease: Lease, now: number): void {
    const until = Math.min(now, lease.expiresAt);
    if (until > lease.countedAt) lease.slot.addAudioSeconds((until - lease.countedAt) / 1000);
    lease.countedAt = Math.max(lease.countedAt, until);
  }

  private endLease(key: string): void {
    const lease = this.leases.get(key);
    if (lease === undefined) return;
    this.leases.delete(key);
    lease.slot.release();
  }

  private bucketFor(limitKey: string): TokenBucket {
    let bucket = this.buckets.get(limitKey);
    if (bucket === undefined) {
      const perMinute = this.options.config.grantsPerMinutePerToken;
      bucket = new TokenBucket(perMinute / 60, perMinute, this.now());
      this.buckets.set(limitKey, bucket);
    }
    return bucket;
  }

  /** Refusals say whether relaying is allowed, so the client knows whether to fall back to it. */
  private refuse(status: number, error: string, message: string, headers?: Record<string, string>): GrantAnswer {
    return { status, body: { error, message, relay: this.options.config.mode !== 'only' }, ...(headers === undefined ? {} : { headers }) };
  }

  private refuseWith(refusal: Refusal): GrantAnswer {
    return this.refuse(refusal.status, refusal.error, refusal.message, refusal.headers);
  }
}
