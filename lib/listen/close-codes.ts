/**
 * What a closed or refused listen connection means for the user, and whether trying again can help.
 *
 * Retrying cannot fix a refused token, an unpaid account or audio the server cannot decode, so
 * those stop the session with the server's reason (issue 6). Everything else (network drops,
 * restarts, internal errors, timeouts) is retried with backoff.
 *
 * Close codes (RFC 6455 §7.4, docs/deepgram-protocol.md §4.5):
 *   1000 normal, 1001 going away (retry at once: this project's proxy sends it when it stops and at its
 *   session limit, proxy/listen-session.ts), 1005/1006 no status / abnormal (network),
 *   1002/1003/1007/1008/1009/1010 our data or parameters were refused (Deepgram: 1008 DATA-0000),
 *   1011 server error (Deepgram NET-0000/NET-0001), 1012/1013/1014 restart / try later / bad gateway,
 *   1015 TLS failure.
 *   4000-4099: proxy-defined refusals (this project's proxy: 4001 bad token, 4002 payment, 4003 forbidden).
 *   4400-4599: an HTTP status + 4000 (4401 unauthorized, 4429 too many requests, 4503 unavailable).
 */
import type { UserFacingError } from '../contract/messages';
import { t } from '../i18n';

/**
 * Who failed, for the sentence the user reads: the proxy's speech service (Deepgram), the proxy
 * itself, or the network between the browser and the proxy.
 */
export type FailedParty = 'upstream' | 'proxy' | 'network';

export interface CloseVerdict {
  retry: boolean;
  /** Set where the close says who failed (classifyClose). */
  party?: FailedParty;
  /** Retry without waiting (the server is going away on purpose, e.g. a proxy restart). */
  immediate: boolean;
  error: UserFacingError;
}

const NOT_RETRYABLE_WS = new Set([1002, 1003, 1007, 1008, 1009, 1010]);

/** Close reasons are server text: keep them short and printable (they are shown with textContent). */
export function cleanReason(reason: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what we strip
  return reason.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, 200);
}

function withReason(text: string, code: number, reason: string): string {
  const why = cleanReason(reason);
  return why ? `${text} (${code}: ${why})` : t('closeWithCode', text, code);
}

function httpRefusal(status: number): CloseVerdict | null {
  if (status === 401 || status === 403) {
    return {
      retry: false,
      immediate: false,
      error: { code: 'proxy-rejected', message: t('closeTokenRefused', status) },
    };
  }
  if (status === 402) {
    return {
      retry: false,
      immediate: false,
      error: { code: 'proxy-rejected', message: t('closeNoCredit') },
    };
  }
  if (status === 408 || status === 429 || status >= 500) return null;
  if (status >= 400 && status < 500) {
    return {
      retry: false,
      immediate: false,
      error: {
        code: 'proxy-rejected',
        message: t('closeRefusedHttp', status),
      },
    };
  }
  return null;
}

/**
 * The WebSocket constructor threw (a SyntaxError for a malformed URL, or for a token with spaces or
 * commas, which cannot be a subprotocol): retrying cannot help.
 */
export function classifyConstructorFailure(error: unknown, sentToken: boolean): UserFacingError {
  const detail = error instanceof Error ? error.message : String(error);
  if (sentToken && /protocol/i.test(detail)) {
    return { code: 'proxy-rejected', message: t('closeTokenCharacters') };
  }
  return { code: 'invalid-proxy-url', message: t('closeBadProxyUrl', cleanReason(detail)) };
}

/**
 * A connection that never opened. `httpStatus` is known only where the WebSocket implementation
 * reports it (Node's ws does; browsers hide it, so there a refusal looks like an unreachable proxy).
 */
export function classifyHandshakeFailure(host: string, httpStatus: number | null): CloseVerdict {
  const refusal = httpStatus === null ? null : httpRefusal(httpStatus);
  if (refusal) return refusal;
  return {
    retry: true,
    immediate: false,
    error: {
      code: 'proxy-unreachable',
      message: httpStatus === null ? t('closeUnreachable', host) : t('closeUnreachableHttp', host, httpStatus),
    },
  };
}

/**
 * Who a close names. This project's proxy passes the speech service's own failures on with a
 * reason that starts with "upstream" (proxy/upstreams/deepgram.ts: "upstream unreachable
 * (ENOTFOUND)", "upstream rejected the key (401)", "upstream unavailable (503)", "upstream
 * connection lost"); a close with no close frame at all (1006, 1005) is the network's; anything
 * else is the proxy's own.
 */
export function failedParty(code: number, reason: string): FailedParty {
  if (/^upstream\b/i.test(cleanReason(reason))) return 'upstream';
  if (code === 1006 || code === 1005) return 'network';
  return 'proxy';
}

/** A connection that was open and closed without us asking. */
export function classifyClose(code: number, reason: string): CloseVerdict {
  const party = failedParty(code, reason);
  if (party === 'upstream') {
    // The proxy answered, so it is not the one to check: its speech service is.
    const retry = !NOT_RETRYABLE_WS.has(code) && !(code >= 4000 && code <= 4599);
    const text = retry
      ? t('closeUpstreamRetrying')
      : t('closeUpstreamRefused');
    return { retry, immediate: false, party, error: { code: retry ? 'proxy-closed' : 'proxy-rejected', message: withReason(text, code, reason) } };
  }
  if (NOT_RETRYABLE_WS.has(code)) {
    return {
      retry: false,
      immediate: false,
      error: { code: 'proxy-rejected', message: withReason(t('closeRefusedAudio'), code, reason) },
    };
  }
  if (code === 1015) {
    return {
      retry: false,
      immediate: false,
      error: { code: 'proxy-unreachable', message: withReason(t('closeTlsFailed'), code, reason) },
    };
  }
  if (code >= 4000 && code <= 4099) {
    return {
      retry: false,
      immediate: false,
      error: { code: 'proxy-rejected', message: withReason(t('closeRefused'), code, reason) },
    };
  }
  if (code >= 4400 && code <= 4599) {
    const refusal = httpRefusal(code - 4000);
    if (refusal) {
      const why = cleanReason(reason);
      return why ? { ...refusal, error: { ...refusal.error, message: `${refusal.error.message} ${why}` } } : refusal;
    }
  }
  return {
    retry: true,
    immediate: code === 1001 || code === 1012,
    party,
    error: {
      code: 'proxy-closed',
      message: withReason(party === 'network' ? t('closeNetworkLost') : t('closeConnectionLost'), code, reason),
    },
  };
}

/**
 * The speech service stayed down through every retry (Reconnects.upstreamFailed): the session
 * stops, saying who failed and that the words captured so far are kept.
 */
export function upstreamGaveUp(code: number, reason: string, seconds: number): UserFacingError {
  const what = t('closeUpstreamGaveUp', seconds);
  return { code: 'proxy-closed', message: t('closeSavedTryAgain', withReason(what, code, reason)) };
}

/** `ws` (Node) reports a refused upgrade as "Unexpected server response: 401"; browsers say nothing. */
export function httpStatusFromError(error: unknown): number | null {
  const inner = typeof error === 'object' && error !== null && 'error' in error ? (error as { error?: { message?: unknown } }).error?.message : undefined;
  const message =
    typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string'
      ? error.message
      : typeof inner === 'string'
        ? inner
        : '';
  const match = /Unexpected server response: (\d{3})/.exec(message);
  return match ? Number(match[1]) : null;
}
