/**
 * What every mode of the fake upstream shares: a loopback HTTP server answering WebSocket upgrades
 * on /v1/listen the way Deepgram does (reference in testkit/upstream/normal.ts's header):
 *
 * - the key as `Authorization: Token <key>` or the `token, <key>` subprotocol (echoed), else 401
 *   with Deepgram's JSON body and `dg-error`; no `apiKey` accepts any client;
 * - any other path: 404; `refuse`: every upgrade refused with that status and body, to test how
 *   402/429/5xx refusals are relayed; `hang`: every upgrade is read and never answered, as a
 *   server that accepts connections but is stuck, to test a handshake timeout;
 * - `dg-request-id` on every answer, accepted or not.
 *
 * A mode gets each accepted socket with its request and decides what the upstream says on it.
 * close() ends every socket and the server.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

export interface UpgradeRefusal {
  status: number;
  /** A JSON object (sent with `request_id` added) or a string sent byte for byte. */
  body?: Record<string, unknown> | string;
}

export interface AcceptedUpgrade {
  requestId: string;
  /** The query string as received (keyterm etc. may repeat). */
  query: URLSearchParams;
  /** How the key came: header, subprotocol, or none (no key was asked for). */
  auth: 'header' | 'subprotocol' | 'none';
  /** The upgrade's Authorization header, as sent. */
  authorization: string | undefined;
}

export interface UpstreamServerOptions {
  /** The key clients must present; undefined accepts every client. */
  apiKey?: string;
  refuse?: UpgradeRefusal;
  /** Never answer an upgrade (after the key check): the client's handshake timeout decides. */
  hang?: boolean;
  onConnection(socket: WebSocket, upgrade: AcceptedUpgrade): void;
}

export interface UpstreamServer {
  /** ws://127.0.0.1:port/v1/listen */
  url: string;
  port: number;
  /** Sockets still open. */
  sockets: ReadonlySet<WebSocket>;
  close(): Promise<void>;
}

function refuseUpgrade(socket: Duplex, status: number, body: Record<string, unknown> | string, requestId: string): void {
  const text = typeof body === 'string' ? body : JSON.stringify({ ...body, request_id: requestId });
  const reason = typeof body !== 'string' && typeof body.err_msg === 'string' ? body.err_msg : 'error';
  socket.end(
    `HTTP/1.1 ${status} Error\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n` +
      `dg-request-id: ${requestId}\r\ndg-error: ${reason}\r\nConnection: close\r\n\r\n${text}`,
  );
}

function presentedKey(request: IncomingMessage): { key: string | undefined; via: 'header' | 'subprotocol' } {
  const match = /^token\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  if (match?.[1] !== undefined) return { key: match[1], via: 'header' };
  const protocols = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((item) => item.trim());
  return { key: protocols[0]?.toLowerCase() === 'token' ? protocols[1] : undefined, via: 'subprotocol' };
}

export async function startUpstreamServer(options: UpstreamServerOptions): Promise<UpstreamServer> {
  const sockets = new Set<WebSocket>();
  /** Upgrades held unanswered (`hang`), cut at close(). */
  const hanging = new Set<Duplex>();
  const server = createServer((_request, response) => {
    response.writeHead(404, { 'Content-Type': 'application/json' }).end('{"err_code":"NOT_FOUND","err_msg":"Not found."}');
  });
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has('token') ? 'token' : false),
  });
  const pendingIds = new WeakMap<IncomingMessage, string>();
  wss.on('headers', (headers, request) => headers.push(`dg-request-id: ${pendingIds.get(request) ?? ''}`));

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const requestId = randomUUID();
    const url = new URL(request.url ?? '/', 'http://fake');
    if (url.pathname !== '/v1/listen') {
      refuseUpgrade(socket, 404, { err_code: 'NOT_FOUND', err_msg: 'Not found.' }, requestId);
      return;
    }
    const presented = presentedKey(request);
    if (options.apiKey !== undefined && presented.key !== options.apiKey) {
      refuseUpgrade(socket, 401, { err_code: 'INVALID_AUTH', err_msg: 'Invalid credentials.' }, requestId);
      return;
    }
    if (options.hang === true) {
      hanging.add(socket);
      socket.once('close', () => hanging.delete(socket));
      return;
    }
    if (options.refuse) {
      const body = options.refuse.body ?? { err_code: 'ERROR', err_msg: `Fake refusal ${options.refuse.status}.` };
      refuseUpgrade(socket, options.refuse.status, body, requestId);
      return;
    }
    pendingIds.set(request, requestId);
    wss.handleUpgrade(request, socket, head, (client) => {
      sockets.add(client);
      client.on('close', () => sockets.delete(client));
      client.on('error', () => undefined);
      options.onConnection(client, {
        requestId,
        query: url.searchParams,
        auth: options.apiKey === undefined ? 'none' : presented.via,
        authorization: request.headers.authorization,
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/v1/listen`,
    port,
    sockets,
    async close() {
      for (const socket of sockets) socket.terminate();
      for (const socket of hanging) socket.destroy();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The `type` of a client's text frame as the modes log it: the control message's type, or
 * "(not JSON)" / "(no type)" for what is not one (hostile tests send both on purpose).
 */
export function controlMessageType(data: Buffer): string {
  try {
    const parsed = JSON.parse(data.toString('utf8')) as { type?: unknown };
    return typeof parsed.type === 'string' ? parsed.type : '(no type)';
  } catch {
    return '(not JSON)';
  }
}
