/**
 * Refusals before a WebSocket upgrade are plain HTTP responses with a JSON body {error, message}:
 * non-browser clients can read them, and the status alone tells a browser's devtools what happened.
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

export type RefusalCode =
  | 'not_found'
  | 'upgrade_required'
  | 'forbidden_origin'
  | 'unauthorized'
  | 'bad_request'
  | 'too_many_streams'
  | 'daily_audio_quota'
  | 'upstream_capacity'
  | 'limits_unavailable'
  | 'engine_busy'
  | 'shutting_down'
  | 'unknown_host'
  | 'too_many_connections'
  | 'server_full'
  | 'too_many_attempts'
  | 'unavailable'
  | 'relay_forbidden';

export interface Refusal {
  status: number;
  error: RefusalCode;
  message: string;
  /** e.g. Retry-After on a throttled token attempt. */
  headers?: Record<string, string>;
}

export function refusalBody(refusal: Refusal): string {
  return JSON.stringify({ error: refusal.error, message: refusal.message });
}

/** Answers an upgrade request on its raw socket, then closes it. */
export function refuseUpgrade(socket: Duplex, refusal: Refusal, extraHeaders: Record<string, string> = {}): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = refusalBody(refusal);
  const headers = {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    Connection: 'close',
    ...refusal.headers,
    ...extraHeaders,
  };
  const head = [`HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? 'Error'}`]
    .concat(Object.entries(headers).map(([name, value]) => `${name}: ${value}`))
    .join('\r\n');
  socket.end(`${head}\r\n\r\n${body}`);
  // A client that never reads would keep the socket; end() is enough for well-behaved ones.
  setTimeout(() => socket.destroy(), 1000).unref();
}

export function sendJson(response: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(payload);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'no-store',
    ...headers,
  });
  response.end(body);
}
