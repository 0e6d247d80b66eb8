/**
 * Direct mode's requests to the Captionist proxy (proxy/README.md, "Direct mode"): a short-lived
 * Deepgram token and the URL to use it on (`POST /v1/auth/grant`), and the lease that keeps the
 * session counted in the proxy's limits (`POST /v1/auth/lease`). Both sit beside the proxy's
 * /v1/listen, as /v1/auth-check does (lib/connection-test.ts proxyHttpEndpoints).
 */
/** The parts of `fetch` these requests use; the browser's own fetch fits. */
export type PostLike = (
  url: string,
  init: { method: 'POST'; mode: 'cors'; headers: Record<string, string>; body: string; signal: AbortSignal; cache: 'no-store'; credentials: 'omit' },
) => Promise<{ status: number; text(): Promise<string> }>;

export type GrantAnswer =
  | { ok: true; accessToken: string; url: URL; leaseSeconds: number }
  /**
   * No token: `reason` is the proxy's sentence (or ours when it did not answer), `relay` whether
   * the proxy allows relaying instead, `retry` whether asking again later may work.
   */
  | { ok: false; status: number | null; error: string; reason: string; relay: boolean; retry: boolean };

const REQUEST_TIMEOUT_MS = 5000;

/** This computer, as a URL's hostname writes it. */
function isLoopbackHostname(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}
const LISTEN_SUFFIX = /\/v1\/listen\/?$/;

/** One of the proxy's direct-mode endpoints, from its listen URL: ws(s)://h/p/v1/listen -> http(s)://h/p/v1/auth/<name>. */
export function proxyAuthUrl(proxyListenUrl: string, name: 'grant' | 'lease'): string {
  const url = new URL(proxyListenUrl.trim());
  const base = url.pathname.replace(LISTEN_SUFFIX, '').replace(/\/$/, '');
  return `${url.protocol === 'wss:' ? 'https' : 'http'}://${url.host}${base}/v1/auth/${name}`;
}

/**
 * The listen URL a grant names, checked before anything is sent to it: wss://, or ws:// only to
 * this computer (the same rule as the proxy URL, lib/settings.ts checkProxyUrl), no credentials
 * in it. A proxy (or whatever answers in its place) could otherwise send the audio anywhere.
 */
export function checkDirectUrl(raw: unknown): URL | undefined {
  if (typeof raw !== 'string' || !URL.canParse(raw)) return undefined;
  const url = new URL(raw);
  if (url.username !== '' || url.password !== '') return undefined;
  if (url.protocol === 'wss:') return url;
  if (url.protocol === 'ws:' && isLoopbackHostname(url.hostname)) return url;
  return undefined;
}

async function post(postLike: PostLike, url: string, token: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> } | { unreachable: string }> {
  try {
    const response = await postLike(url, {
      method: 'POST',
      mode: 'cors',
      headers: { 'Content-Type': 'application/json', ...(token === '' ? {} : { Authorization: `Token ${token}` }) },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      cache: 'no-store',
      credentials: 'omit',
    });
    const text = await response.text().catch(() => '');
    let json: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null) json = parsed as Record<string, unknown>;
    } catch {
      // Not the proxy's JSON (another server, an error page): the status says enough.
    }
    return { status: response.status, json };
  } catch (error) {
    return { unreachable: error instanceof Error ? error.message : String(error) };
  }
}

/** Asks the proxy for a Deepgram token for this capture's session (one id across its reconnects). */
export async function requestGrant(postLike: PostLike, proxyListenUrl: string, token: string, session: string): Promise<GrantAnswer> {
  const answer = await post(postLike, proxyAuthUrl(proxyListenUrl, 'grant'), token, { session });
  if ('unreachable' in answer) {
    // Nothing said whether relaying is allowed, and it would need the same proxy: try again later.
    return { ok: false, status: null, error: 'unreachable', reason: answer.unreachable, relay: false, retry: true };
  }
  const { status, json } = answer;
  if (status === 200 && typeof json.access_token === 'string' && json.access_token !== '') {
    const url = checkDirectUrl(json.url);
    if (url === undefined) {
      return { ok: false, status, error: 'bad_direct_url', reason: `the proxy named ${String(json.url).slice(0, 120)}, which is not a wss:// address`, relay: true, retry: false };
    }
    const leaseSeconds = typeof json.lease_seconds === 'number' && json.lease_seconds > 0 ? json.lease_seconds : 60;
    return { ok: true, accessToken: json.access_token, url, leaseSeconds };
  }
  const error = typeof json.error === 'string' ? json.error : `http_${status}`;
  const reason = typeof json.message === 'string' ? json.message : `HTTP ${status}`;
  // A server that is not a Captionist proxy (no JSON) says nothing about relaying: the relay it was set up for stays.
  const relay = typeof json.relay === 'boolean' ? json.relay : true;
  return { ok: false, status, error, reason, relay, retry: status === 429 || status >= 500 };
}

/** Keeps the session's lease ('kept'), ends it, or learns it ran out ('gone'); 'failed' when the proxy did not answer. */
export async function renewLease(postLike: PostLike, proxyListenUrl: string, token: string, session: string, ended: boolean): Promise<'kept' | 'gone' | 'failed'> {
  const answer = await post(postLike, proxyAuthUrl(proxyListenUrl, 'lease'), token, { session, ended });
  if ('unreachable' in answer) return 'failed';
  if (answer.status === 204) return 'kept';
  return answer.status === 404 ? 'gone' : 'failed';
}
