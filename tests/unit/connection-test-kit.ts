/**
 * Real local servers for the "Test connection" tests, and a fetch that behaves like a browser's.
 *
 * - `browserFetch(origin)`: Node's fetch, made to obey what a browser extension page gets: CORS
 *   (a preflight for the Authorization header; an answer is readable only with a matching
 *   Access-Control-Allow-Origin), opaque answers for no-cors, and every network failure reduced
 *   to `TypeError: Failed to fetch` with no cause (browsers say nothing more).
 * - `startContractProxy()`: what the proxy's /v1/auth-check is asked to do (see the report of
 *   issue 5), with a /v1/listen WebSocket that speaks enough of the protocol.
 * - Servers that are not listen servers: plain HTTP, an echo WebSocket, a TLS terminator with an
 *   untrusted certificate that answers plain HTTP with 400 (as nginx does), a silent TCP port.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import WebSocket, { WebSocketServer } from 'ws';
import type { FetchLike } from '@/lib/connection-test';
import type { PostLike } from '@/lib/listen/direct-grant';
import type { WebSocketFactory } from '@/lib/listen/listen-socket';

export const EXTENSION_ORIGIN = 'chrome-extension://dbmknijkimjaniglhfaegghkialpjohk';
export const GOOD_TOKEN = 'good-token-0123456789abcdef0123456789';

const SAFELISTED_HEADERS = new Set(['accept', 'accept-language', 'content-language', 'content-type']);

function failedToFetch(): TypeError {
  return new TypeError('Failed to fetch');
}

function allows(response: Response, origin: string): boolean {
  const allowed = response.headers.get('access-control-allow-origin');
  return allowed === '*' || allowed === origin;
}

/**
 * Node's fetch with a browser extension page's limits (see the file comment). `fetch` is what
 * carries the requests: `resolvingFetch` stands in for a name that resolves to this computer.
 */
export function browserFetch(origin = EXTENSION_ORIGIN, fetch: typeof globalThis.fetch = globalThis.fetch): FetchLike {
  return async (url, init) => {
    const { signal } = init;
    try {
      if (init.mode === 'no-cors') {
        const response = await fetch(url, { method: 'GET', signal, redirect: 'follow' });
        await response.body?.cancel();
        return { status: 0, type: 'opaque', text: async () => '' };
      }
      const headers = { ...(init.headers ?? {}), Origin: origin };
      const unsafe = Object.keys(init.headers ?? {}).filter((name) => !SAFELISTED_HEADERS.has(name.toLowerCase()));
      if (unsafe.length > 0) {
        const preflight = await fetch(url, {
          method: 'OPTIONS',
          signal,
          headers: {
            Origin: origin,
            'Access-Control-Request-Method': 'GET',
            'Access-Control-Request-Headers': unsafe.map((name) => name.toLowerCase()).join(','),
          },
        });
        await preflight.body?.cancel();
        const allowedHeaders = (preflight.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(/\s*,\s*/);
        // "*" does not cover Authorization (Fetch standard), so it must be named.
        const ok = preflight.ok && allows(preflight, origin) && unsafe.every((name) => allowedHeaders.includes(name.toLowerCase()));
        if (!ok) throw failedToFetch();
      }
      const response = await fetch(url, { method: 'GET', signal, headers });
      if (!allows(response, origin)) {
        await response.body?.cancel();
        throw failedToFetch();
      }
      const body = await response.text();
      return { status: response.status, type: 'cors', text: async () => body };
    } catch (error) {
      if (signal.aborted) throw new DOMException('The operation was aborted.', 'AbortError');
      throw error instanceof TypeError && error.message === 'Failed to fetch' ? error : failedToFetch();
    }
  };
}

/**
 * Node's fetch for the direct-mode POSTs (lib/listen/direct-grant.ts) with a browser extension
 * page's limits: the preflight its Authorization and JSON Content-Type need, an answer readable
 * only with the origin allowed, and every failure reduced to `TypeError: Failed to fetch`.
 */
export function browserPost(origin = EXTENSION_ORIGIN): PostLike {
  return async (url, init) => {
    const { signal } = init;
    try {
      const preflight = await fetch(url, {
        method: 'OPTIONS',
        signal,
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' },
      });
      await preflight.body?.cancel();
      const allowedHeaders = (preflight.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(/\s*,\s*/);
      const allowedMethods = (preflight.headers.get('access-control-allow-methods') ?? '').toUpperCase().split(/\s*,\s*/);
      const sent = Object.keys(init.headers).map((name) => name.toLowerCase());
      if (!preflight.ok || !allows(preflight, origin) || !allowedMethods.includes('POST') || !sent.every((name) => allowedHeaders.includes(name))) throw failedToFetch();
      const response = await fetch(url, { method: 'POST', signal, headers: { ...init.headers, Origin: origin }, body: init.body });
      if (!allows(response, origin)) {
        await response.body?.cancel();
        throw failedToFetch();
      }
      const body = await response.text();
      return { status: response.status, text: async () => body };
    } catch (error) {
      if (signal.aborted) throw new DOMException('The operation was aborted.', 'AbortError');
      throw error instanceof TypeError && error.message === 'Failed to fetch' ? error : failedToFetch();
    }
  };
}

/** `ws` with the Origin header a browser page sends (a browser also refuses an unanswered subprotocol, as `ws` does). */
export function browserWebSocket(origin = EXTENSION_ORIGIN): WebSocketFactory {
  return (url, protocols) => new WebSocket(url, protocols, { origin, perMessageDeflate: false, handshakeTimeout: 10_000 });
}

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

function listen(server: Server | NetServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function closer(server: Server | NetServer, sockets: Set<Socket>, extra: () => void = () => undefined): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      extra();
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
}

function track(server: Server | NetServer): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return sockets;
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers });
  response.end(JSON.stringify(body));
}

export interface ContractProxyOptions {
  tokens?: string[];
  engine?: string;
  allowedOrigins?: string[];
  /** auth-check answers 429 (the token has all its streams open). */
  streamsFull?: boolean;
  /** auth-check answers 503. */
  shuttingDown?: boolean;
  /** The listen WebSocket is not reachable (a reverse proxy that does not pass upgrades). */
  upgrades?: 'accept' | 'refuse';
  /** Closes every stream right after it opens with this code and reason. */
  closeOnOpen?: { code: number; reason: string };
  /** Sends this text as soon as a stream opens (a proxy's greeting). */
  greeting?: string;
}

/** The Captionist proxy as the connection test expects it to behave once /v1/auth-check exists. */
export async function startContractProxy(options: ContractProxyOptions = {}): Promise<RunningServer & { requests: string[] }> {
  const tokens = options.tokens ?? [GOOD_TOKEN];
  const allowedOrigins = options.allowedOrigins ?? [EXTENSION_ORIGIN];
  const requests: string[] = [];
  const tokenOf = (request: IncomingMessage): string | undefined => {
    const protocols = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((item) => item.trim());
    const marker = protocols.indexOf('token');
    if (marker !== -1 && protocols[marker + 1]) return protocols[marker + 1];
    return /^Token\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  };
  const server = createHttpServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://proxy');
    requests.push(`${request.method} ${url.pathname}`);
    const origin = request.headers.origin;
    const cors: Record<string, string> = origin ? { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' } : {};
    if (url.pathname === '/v1/auth-check' && request.method === 'OPTIONS') {
      response.writeHead(204, { ...cors, 'Access-Control-Allow-Methods': 'GET', 'Access-Control-Allow-Headers': 'Authorization', 'Access-Control-Max-Age': '600' });
      response.end();
    } else if (url.pathname === '/v1/auth-check') {
      if (origin !== undefined && !allowedOrigins.includes(origin)) {
        json(response, 403, { error: 'forbidden_origin', message: `Pages from ${origin} may not use this proxy.` }, cors);
      } else if (tokens.length > 0 && !tokens.includes(tokenOf(request) ?? '')) {
        json(response, 401, { error: 'unauthorized', message: 'The client token is not valid for this proxy.' }, cors);
      } else if (options.shuttingDown) {
        json(response, 503, { error: 'shutting_down', message: 'The proxy is shutting down; try again shortly.' }, cors);
      } else if (options.streamsFull) {
        json(response, 429, { error: 'too_many_streams', message: 'This token already has 8 streams open, the most allowed.' }, cors);
      } else if (url.searchParams.get('language') === 'xx') {
        json(response, 400, { error: 'bad_request', message: 'language "xx" is not supported.' }, cors);
      } else {
        json(response, 200, { ok: true, engine: options.engine ?? 'deepgram' }, cors);
      }
    } else if (url.pathname === '/healthz') {
      json(response, 200, { status: 'ok', engine: options.engine ?? 'deepgram', streams: 0 });
    } else {
      json(response, 404, { error: 'not_found', message: 'Nothing here.' });
    }
  });
  const sockets = track(server);
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => (protocols.has('token') ? 'token' : false) });
  server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    requests.push(`UPGRADE ${new URL(request.url ?? '/', 'http://proxy').pathname}`);
    const token = tokenOf(request);
    // Like proxy/server.ts, the listen WebSocket is at /v1/listen only.
    if (new URL(request.url ?? '/', 'http://proxy').pathname !== '/v1/listen') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (options.upgrades === 'refuse' || (tokens.length > 0 && !tokens.includes(token ?? ''))) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (client) => {
      if (options.greeting) client.send(options.greeting);
      if (options.closeOnOpen) {
        client.close(options.closeOnOpen.code, options.closeOnOpen.reason);
        return;
      }
      client.on('message', (data, isBinary) => {
        // ws hands text frames over as a Buffer (binaryType 'nodebuffer', its default).
        if (!isBinary && (JSON.parse((data as Buffer).toString()) as { type?: unknown }).type === 'CloseStream') {
          client.send(JSON.stringify({ type: 'Metadata', request_id: 'r-1', duration: 0, channels: 1 }));
          client.close(1000);
        }
      });
    });
  });
  const port = await listen(server);
  return { port, requests, close: closer(server, sockets, () => wss.close()) };
}

/** Answers every request with a web page; no CORS, no WebSocket. */
export async function startPlainHttpServer(cors = false): Promise<RunningServer> {
  const server = createHttpServer((_request, response) => {
    response.writeHead(404, { 'Content-Type': 'text/html', ...(cors ? { 'Access-Control-Allow-Origin': '*' } : {}) });
    response.end('<!doctype html><title>Not here</title>');
  });
  const sockets = track(server);
  const port = await listen(server);
  return { port, close: closer(server, sockets) };
}

/** A WebSocket echo server that accepts any subprotocol (the first one offered). */
export async function startEchoWebSocketServer(): Promise<RunningServer> {
  const server = createHttpServer((_request, response) => {
    response.writeHead(426);
    response.end();
  });
  const sockets = track(server);
  const wss = new WebSocketServer({ server, handleProtocols: (protocols) => [...protocols][0] ?? false });
  wss.on('connection', (client) => client.on('message', (data, isBinary) => client.send(data, { binary: isBinary })));
  const port = await listen(server);
  return { port, close: closer(server, sockets, () => wss.close()) };
}

/** Accepts connections and never says a word. */
export async function startSilentServer(): Promise<RunningServer> {
  const server = createNetServer(() => undefined);
  const sockets = track(server);
  const port = await listen(server);
  return { port, close: closer(server, sockets) };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createNetServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * TLS with a self-signed certificate (untrusted, as a browser would find it), which answers a
 * plain-HTTP request with 400 the way nginx and Caddy do.
 */
export async function startUntrustedTlsServer(): Promise<RunningServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'captionist-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '1', '-subj', '/CN=localhost'], {
      cwd: dir,
      stdio: 'ignore',
      timeout: 15_000,
    });
    const tls = createHttpsServer({ key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) }, (_request, response) => {
      response.end('ok');
    });
    const tlsSockets = track(tls);
    const tlsPort = await listen(tls);
    const front = createNetServer((socket) => {
      socket.on('error', () => socket.destroy());
      socket.once('data', (first) => {
        if (first[0] === 0x16) {
          // A TLS ClientHello: relay the connection to the HTTPS server.
          const inner = connect(tlsPort, '127.0.0.1');
          inner.on('error', () => socket.destroy());
          inner.write(first);
          socket.pipe(inner).pipe(socket);
        } else {
          socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: 47\r\n\r\nThe plain HTTP request was sent to HTTPS port\r\n');
        }
      });
    });
    const sockets = track(front);
    const port = await listen(front);
    const closeTls = closer(tls, tlsSockets);
    const closeFront = closer(front, sockets);
    return {
      port,
      close: async () => {
        await Promise.all([closeFront(), closeTls()]);
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A fetch for URLs whose host is `name`: the request goes to 127.0.0.1 with `Host: name:port`, as
 * it arrives at the proxy from nginx terminating TLS for that name (proxy/deploy/nginx-site.conf
 * passes `Host $host`); https:// is carried as plain HTTP, which is nginx's part. Node's fetch
 * ignores a Host header, and a test cannot add names to the resolver.
 */
export function resolvingFetch(name: string): typeof globalThis.fetch {
  return (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      if (url.hostname !== name) { reject(new TypeError('fetch failed')); return; }
      const headers: Record<string, string> = { ...(init?.headers as Record<string, string> | undefined), Host: url.host };
      const request = httpRequest(
        { host: '127.0.0.1', port: Number(url.port), path: `${url.pathname}${url.search}`, method: init?.method ?? 'GET', headers, signal: init?.signal ?? undefined },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', () => {
            const answerHeaders = new Headers();
            for (const [key, value] of Object.entries(answer.headers)) if (typeof value === 'string') answerHeaders.set(key, value);
            const status = answer.statusCode ?? 500;
            resolve(new Response(status === 204 ? null : Buffer.concat(chunks), { status, headers: answerHeaders }));
          });
          answer.on('error', reject);
        },
      );
      request.on('error', () => reject(new TypeError('fetch failed')));
      request.end();
    });
}
