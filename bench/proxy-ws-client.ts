/**
 * A bare WebSocket client for bench/proxy.ts's load generator, as load tools (wrk and the like) do
 * it: the handshake with node:http, then pre-encoded frames written straight to the socket and a
 * minimal reader for what the server sends. The load generator and the fake share the machine with
 * the proxy, so every microsecond the generator spends per frame (ws's sender, its stream and event
 * machinery) is taken from the proxy it measures; real clients are on other machines.
 *
 * Audio frames (RFC 6455 §5.2) are built once per buffer: FIN + binary, the MASK bit, a 16-bit
 * extended length, a fixed mask key, and the payload XORed with it. The payload is silence except
 * for the timing stamp in its first 16 bytes (bench/proxy-frame-stamp.ts), so each send masks those
 * 16 bytes and nothing else. A fixed key rather than a random one per frame changes nothing for the
 * receiver, which unmasks every byte either way (and a zero key would let it skip nothing more).
 *
 * The reader handles what a server may send: unmasked text, binary, continuation (fragmented
 * messages are joined), close, ping (answered with a pong) and pong.
 */
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { Socket } from 'node:net';
import { stampFrame, unstampFrame, type StampGroup } from './proxy-frame-stamp';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** The fixed masking key every frame this client sends uses. */
export const BENCH_MASK_KEY: Readonly<Buffer> = Buffer.from([0x5a, 0xc3, 0x17, 0x8e]);
const STAMP_BYTES = 16;

const OP_CONTINUATION = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;

/** Header bytes of a masked frame with this payload length: 2, the extended length, the key. */
function maskedHeaderBytes(payloadBytes: number): number {
  return 2 + (payloadBytes < 126 ? 0 : payloadBytes < 65536 ? 2 : 8) + 4;
}

function xorWithMask(buffer: Buffer, from: number, to: number, mask: Readonly<Buffer>): void {
  // The payload starts at `from`, so the key's byte for payload byte i is mask[i & 3].
  for (let index = from; index < to; index += 1) buffer[index] = (buffer[index] ?? 0) ^ (mask[(index - from) & 3] ?? 0);
}

/** A complete client frame (FIN set), the payload masked with `mask`. */
export function encodeMaskedFrame(opcode: number, payload: Buffer, mask: Readonly<Buffer> = BENCH_MASK_KEY): Buffer {
  const header = maskedHeaderBytes(payload.length);
  const frame = Buffer.allocUnsafe(header + payload.length);
  frame[0] = 0x80 | opcode;
  if (payload.length < 126) frame[1] = 0x80 | payload.length;
  else if (payload.length < 65536) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(payload.length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(payload.length), 2);
  }
  mask.copy(frame, header - 4);
  payload.copy(frame, header);
  xorWithMask(frame, header, frame.length, mask);
  return frame;
}

/** An audio frame of `payloadBytes` of silence, ready to send, with room for the stamp. */
export function encodeAudioFrame(payloadBytes: number): Buffer {
  return encodeMaskedFrame(OP_BINARY, Buffer.alloc(payloadBytes));
}

const stampScratch = Buffer.alloc(STAMP_BYTES);

/** Where the payload of an encoded masked frame starts. */
function payloadOffset(frame: Buffer): number {
  const length = (frame[1] ?? 0) & 0x7f;
  return length < 126 ? 6 : length === 126 ? 8 : 14;
}

/** Stamps an encoded audio frame with the send time now (the stamp's 16 bytes, masked in place). */
export function stampEncodedFrame(frame: Buffer, group: StampGroup): void {
  stampFrame(stampScratch, group);
  const at = payloadOffset(frame);
  stampScratch.copy(frame, at);
  xorWithMask(frame, at, at + STAMP_BYTES, BENCH_MASK_KEY);
}

/** Clears the stamp of an encoded audio frame (silence again), so the fake does not time it. */
export function unstampEncodedFrame(frame: Buffer): void {
  unstampFrame(stampScratch);
  const at = payloadOffset(frame);
  stampScratch.copy(frame, at);
  xorWithMask(frame, at, at + STAMP_BYTES, BENCH_MASK_KEY);
}

export interface FrameReaderEvents {
  message(data: Buffer, isBinary: boolean): void;
  close(code: number): void;
  ping(payload: Buffer): void;
}

/**
 * Reads server frames from a byte stream in chunks of any size. Payloads are handed over as views
 * of the chunk when a frame lies within one (valid only during the call), copies otherwise.
 */
export class FrameReader {
  private pending: Buffer | undefined;
  private fragments: Buffer[] = [];
  private fragmentedBinary = false;

  constructor(private readonly events: FrameReaderEvents) {}

  push(chunk: Buffer): void {
    const data = this.pending === undefined ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = undefined;
    let at = 0;
    while (data.length - at >= 2) {
      const first = data[at] ?? 0;
      const second = data[at + 1] ?? 0;
      const masked = (second & 0x80) !== 0;
      let length = second & 0x7f;
      let header = 2;
      if (length === 126) {
        if (data.length - at < 4) break;
        length = data.readUInt16BE(at + 2);
        header = 4;
      } else if (length === 127) {
        if (data.length - at < 10) break;
        length = Number(data.readBigUInt64BE(at + 2));
        header = 10;
      }
      if (masked) header += 4;
      if (data.length - at < header + length) break;
      let payload = data.subarray(at + header, at + header + length);
      if (masked) {
        // Servers do not mask (RFC 6455 §5.1), but read it right if one does.
        payload = Buffer.from(payload);
        const mask = data.subarray(at + header - 4, at + header);
        xorWithMask(payload, 0, payload.length, mask);
      }
      at += header + length;
      this.frame(first, payload);
    }
    if (at < data.length) this.pending = Buffer.from(data.subarray(at));
  }

  private frame(first: number, payload: Buffer): void {
    const fin = (first & 0x80) !== 0;
    const opcode = first & 0x0f;
    if (opcode === OP_TEXT || opcode === OP_BINARY) {
      if (fin) this.events.message(payload, opcode === OP_BINARY);
      else {
        this.fragments = [Buffer.from(payload)];
        this.fragmentedBinary = opcode === OP_BINARY;
      }
    } else if (opcode === OP_CONTINUATION) {
      this.fragments.push(Buffer.from(payload));
      if (fin) {
        const whole = Buffer.concat(this.fragments);
        this.fragments = [];
        this.events.message(whole, this.fragmentedBinary);
      }
    } else if (opcode === OP_CLOSE) this.events.close(payload.length >= 2 ? payload.readUInt16BE(0) : 1005);
    else if (opcode === OP_PING) this.events.ping(payload);
    // Pong (0xA): nothing to do.
  }
}

/** An open bench connection: send pre-encoded frames, get messages and the close. */
export class BenchWebSocket {
  open = true;
  onMessage: (data: Buffer, isBinary: boolean) => void = () => {};
  private readonly closeListeners: (() => void)[] = [];
  private readonly reader: FrameReader;

  constructor(readonly socket: Socket, head: Buffer) {
    this.reader = new FrameReader({
      message: (data, isBinary) => this.onMessage(data, isBinary),
      close: (code) => {
        // Answer the server's close (with its code), then let the server end the TCP connection.
        if (this.open) this.socket.write(encodeMaskedFrame(OP_CLOSE, closePayload(code === 1005 ? 1000 : code)));
        this.open = false;
      },
      ping: (payload) => {
        if (this.open) this.socket.write(encodeMaskedFrame(0xa, payload));
      },
    });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.reader.push(chunk));
    socket.on('error', () => {});
    socket.once('close', () => {
      this.open = false;
      for (const listener of this.closeListeners) listener();
    });
    if (head.length > 0) this.reader.push(head);
  }

  get closed(): boolean {
    return this.socket.destroyed;
  }

  /** Writes an already encoded frame. The socket may hold on to it until it is written. */
  send(frame: Buffer): void {
    this.socket.write(frame);
  }

  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  /** Starts the closing handshake (the server answers, then ends the connection). */
  close(code = 1000): void {
    if (!this.open) return;
    this.open = false;
    this.socket.write(encodeMaskedFrame(OP_CLOSE, closePayload(code)));
  }

  terminate(): void {
    this.open = false;
    this.socket.destroy();
  }
}

function closePayload(code: number): Buffer {
  const payload = Buffer.alloc(2);
  payload.writeUInt16BE(code, 0);
  return payload;
}

/** Opens a WebSocket to `url` (ws:// only) with the handshake done by node:http. */
export function connectBenchWebSocket(url: string, headers: Record<string, string>, timeoutMs = 20_000): Promise<BenchWebSocket> {
  const target = new URL(url);
  const key = randomBytes(16).toString('base64');
  const expected = createHash('sha1').update(key + WS_GUID).digest('base64');
  return new Promise((resolve, reject) => {
    const req = request({
      hostname: target.hostname,
      port: target.port,
      path: `${target.pathname}${target.search}`,
      headers: {
        ...headers,
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': key,
      },
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`stream did not open in ${timeoutMs / 1000} s`));
    }, timeoutMs);
    req.once('upgrade', (response, socket: Socket, head: Buffer) => {
      clearTimeout(timer);
      if (response.headers['sec-websocket-accept'] !== expected) {
        socket.destroy();
        reject(new Error('bad Sec-WebSocket-Accept'));
        return;
      }
      resolve(new BenchWebSocket(socket, head));
    });
    req.once('response', (response) => {
      clearTimeout(timer);
      response.resume();
      reject(new Error(`upgrade refused: HTTP ${response.statusCode ?? '?'}`));
    });
    req.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end();
  });
}
