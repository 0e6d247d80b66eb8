/**
 * A minimal DevTools-protocol client over a plain WebSocket to the browser endpoint.
 *
 * Why not Playwright's CDPSession: the toolbar popup that `Extensions.triggerAction` opens is a CDP
 * `page` target Playwright does not list, and Playwright's sessions cannot address a child session
 * by id. With flat sessions (`Target.attachToTarget {flatten: true}`) every command just carries the
 * child's `sessionId` on this one socket.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import WebSocket from 'ws';

interface Pending {
  resolve: (result: Record<string, unknown>) => void;
  reject: (error: Error) => void;
  method: string;
  sessionId: string | undefined;
}

/** One protocol message as received; only the fields this client reads. */
interface Incoming {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string; code?: number };
  sessionId?: string;
}

export type CdpEventListener = (params: Record<string, unknown>, sessionId: string | undefined) => void;

export class CdpClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<string, Set<CdpEventListener>>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => this.onMessage(data.toString('utf8')));
    // A popup closes itself when focus moves (e.g. the extension opens a tab): fail its pending
    // commands at once instead of waiting for their timeouts.
    this.on('Target.detachedFromTarget', (params) => {
      for (const [id, waiter] of this.pending) {
        if (waiter.sessionId !== undefined && waiter.sessionId === params.sessionId) {
          this.pending.delete(id);
          waiter.reject(new Error(`CDP ${waiter.method}: the target closed`));
        }
      }
    });
    socket.on('close', () => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`CDP socket closed during ${waiter.method}`));
      this.pending.clear();
    });
  }

  static async connect(browserWsUrl: string, timeoutMs = 10_000): Promise<CdpClient> {
    const socket = new WebSocket(browserWsUrl, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new Error(`CDP connect to ${browserWsUrl} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('open', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    return new CdpClient(socket);
  }

  /**
   * Chromium writes `<port>\n<path>` to DevToolsActivePort in the profile once
   * --remote-debugging-port=0 has picked a port; poll for it.
   */
  static async connectToProfile(userDataDir: string, timeoutMs = 10_000): Promise<CdpClient> {
    const file = path.join(userDataDir, 'DevToolsActivePort');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const [port, wsPath] = (await readFile(file, 'utf8')).trim().split('\n');
        if (port && wsPath) return await CdpClient.connect(`ws://127.0.0.1:${port}${wsPath}`, timeoutMs);
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`No DevTools endpoint in ${file}: ${String(error)}`, { cause: error });
      }
      if (Date.now() > deadline) throw new Error(`No DevTools endpoint in ${file} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string, timeoutMs = 15_000): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const message: Record<string, unknown> = { id, method, params };
    if (sessionId) message.sessionId = sessionId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`CDP ${method} got no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        method,
        sessionId,
        resolve: (result) => {
          clearTimeout(timer);
          resolve(result);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.socket.send(JSON.stringify(message), (error) => {
        if (error) this.pending.get(id)?.reject(error);
      });
    });
  }

  on(event: string, listener: CdpEventListener): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.socket.terminate();
        resolve();
      }, 2_000);
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.close();
    });
  }

  private onMessage(text: string): void {
    let message: Incoming;
    try {
      message = JSON.parse(text) as Incoming;
    } catch {
      return; // The browser only sends JSON; anything else is not ours to act on.
    }
    if (typeof message.id === 'number') {
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.error) waiter.reject(new Error(`CDP ${waiter.method}: ${message.error.message}`));
      else waiter.resolve(message.result ?? {});
      return;
    }
    if (message.method) {
      for (const listener of this.listeners.get(message.method) ?? []) listener(message.params ?? {}, message.sessionId);
    }
  }
}

export interface TargetInfo {
  targetId: string;
  type: string;
  title: string;
  url: string;
  attached: boolean;
}

export async function getTargets(cdp: CdpClient, filter: Record<string, unknown>[] = [{}]): Promise<TargetInfo[]> {
  const { targetInfos } = await cdp.send('Target.getTargets', { filter });
  return targetInfos as TargetInfo[];
}

/** Runs `expression` in a flat session and returns its value (awaiting promises). */
export async function evaluateIn<T>(cdp: CdpClient, sessionId: string, expression: string, timeoutMs = 15_000): Promise<T> {
  const response = await cdp.send(
    'Runtime.evaluate',
    { expression, awaitPromise: true, returnByValue: true, userGesture: true },
    sessionId,
    timeoutMs,
  );
  const details = response.exceptionDetails as { text?: string; exception?: { description?: string } } | undefined;
  if (details) throw new Error(`Evaluation failed: ${details.exception?.description ?? details.text ?? 'unknown error'}`);
  return (response.result as { value: T }).value;
}
