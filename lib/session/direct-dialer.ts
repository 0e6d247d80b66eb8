/**
 * Direct mode for one capture (the `connectionMode` setting): before every connection attempt it
 * asks the proxy for a fresh Deepgram token (lib/listen/direct-grant.ts) and sends the socket to
 * the Deepgram URL the grant names, with the subprotocols `bearer, <token>`. A token only opens a
 * socket: an open one goes on without the proxy, and only the next reconnect needs it again.
 *
 * When the proxy gives no token but allows relaying, the capture says why (onNotice) and relays
 * through the proxy from then on. When relaying is not allowed either, the attempt fails with the
 * proxy's reason, retried when that may help (a rate limit, Deepgram or the proxy unreachable).
 *
 * While direct, it renews the session's lease on the proxy's stream slot (a third of the lease
 * each time) and ends it on close; the proxy's limits count the session by it.
 */
import type { UserFacingError } from '../contract/messages';
import { t } from '../i18n';
import { renewLease, requestGrant, type PostLike } from '../listen/direct-grant';
import type { DialResult } from '../listen/listen-socket';
import { buildListenUrl, type ListenUrlOptions } from '../listen/listen-url';
import type { ListenSettings } from '../settings';

export interface DirectDialerOptions {
  settings: ListenSettings;
  /** What the listen URL needs besides the settings (channels); never an archive session, a proxy's own parameter. */
  urlOptions: Pick<ListenUrlOptions, 'channels'>;
  post: PostLike;
  /** A sentence to show while the capture goes on (the fall back to relaying). */
  onNotice: (message: string) => void;
  /** Timers for the lease renewals (tests pass fake ones). */
  setTimer?: (run: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

/**
 * Where and how a granted token opens the Deepgram socket: the grant's URL with the listen
 * parameters, the token as the `bearer` subprotocol. Options' connection test
 * (lib/connection-test-direct.ts) opens the same socket a session would.
 */
export function grantedSocket(grant: { url: URL; accessToken: string }, settings: ListenSettings, urlOptions: DirectDialerOptions['urlOptions']): { url: string; protocols: string[] } {
  return { url: buildListenUrl(grant.url, settings, urlOptions), protocols: ['bearer', grant.accessToken] };
}

export class DirectDialer {
  /** One id per capture: the proxy counts its reconnects as one session. */
  readonly session = crypto.randomUUID();
  private relaying = false;
  private leaseSeconds = 0;
  private renewal: unknown = null;
  private closed = false;
  private readonly setTimer: (run: () => void, ms: number) => unknown;
  private readonly clearTimer: (timer: unknown) => void;

  constructor(private readonly options: DirectDialerOptions) {
    this.setTimer = options.setTimer ?? ((run, ms) => setTimeout(run, ms));
    this.clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>));
  }

  /** Whether the capture fell back to relaying. */
  get isRelaying(): boolean {
    return this.relaying;
  }

  /** The socket's dial(): a direct URL and token, null to relay, or why not. */
  readonly dial = async (): Promise<DialResult> => {
    if (this.relaying) return null;
    const { settings, post } = this.options;
    const grant = await requestGrant(post, settings.proxyUrl, settings.token, this.session);
    if (grant.ok) {
      this.leaseSeconds = grant.leaseSeconds;
      this.scheduleRenewal();
      return grantedSocket(grant, settings, this.options.urlOptions);
    }
    if (grant.relay) {
      this.relaying = true;
      this.stopRenewals();
      this.options.onNotice(t('directFallbackToRelay', grant.reason));
      return null;
    }
    const error: UserFacingError =
      grant.status === null
        ? { code: 'proxy-unreachable', message: t('directGrantUnreachable', hostOf(settings.proxyUrl), grant.reason) }
        : { code: 'proxy-rejected', message: t('directGrantRefused', grant.reason) };
    return { error, retry: grant.retry };
  };

  /** Stops renewing and tells the proxy the session ended (its slot is free at once, not at the lease's end). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopRenewals();
    if (this.relaying || this.leaseSeconds === 0) return;
    const { settings, post } = this.options;
    await renewLease(post, settings.proxyUrl, settings.token, this.session, true);
  }

  private scheduleRenewal(): void {
    this.stopRenewals();
    if (this.closed) return;
    this.renewal = this.setTimer(() => void this.renew(), (this.leaseSeconds * 1000) / 3);
  }

  private async renew(): Promise<void> {
    this.renewal = null;
    if (!this.renewing()) return;
    const { settings, post } = this.options;
    const kept = await renewLease(post, settings.proxyUrl, settings.token, this.session, false);
    // The lease ran out (the proxy restarted, or was away longer than a lease): a grant takes it
    // again. A proxy that does not answer is no reason to stop captions: try again next time.
    if (kept === 'gone' && this.renewing()) await requestGrant(post, settings.proxyUrl, settings.token, this.session);
    if (this.renewing()) this.scheduleRenewal();
  }

  /** Read after each await: close() or a fall back to relaying may have come meanwhile. */
  private renewing(): boolean {
    return !this.closed && !this.relaying;
  }

  private stopRenewals(): void {
    if (this.renewal !== null) this.clearTimer(this.renewal);
    this.renewal = null;
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url.slice(0, 100);
  }
}
