/**
 * Named one-shot deadlines over an injected clock. The listen socket waits for several things at
 * once (a handshake, a backoff, the pacing of its queue, the bound on closing, housekeeping); each
 * is one name here, so setting it again replaces it, and cancelling is by name rather than by a
 * handle field per timer.
 */

/** Time and timers, injected so tests drive them (listen-socket.test.ts uses vi's fake timers). */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Reads the globals at call time, so test fake timers installed later still apply. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

interface Pending {
  handle: unknown;
}

export class Deadlines<Name extends string> {
  private readonly pending = new Map<Name, Pending>();

  constructor(private readonly clock: Clock) {}

  /** Runs `callback` in `ms`, replacing whatever `name` was waiting for. */
  set(name: Name, ms: number, callback: () => void): void {
    this.cancel(name);
    const entry: Pending = { handle: null };
    entry.handle = this.clock.setTimeout(() => {
      // A cancelled or replaced deadline whose timer fires anyway (a clock that cannot cancel) is stale.
      if (this.pending.get(name) !== entry) return;
      this.pending.delete(name);
      callback();
    }, ms);
    this.pending.set(name, entry);
  }

  /** Whether `name` is still waiting. */
  has(name: Name): boolean {
    return this.pending.has(name);
  }

  cancel(...names: Name[]): void {
    for (const name of names) {
      const entry = this.pending.get(name);
      if (entry === undefined) continue;
      this.pending.delete(name);
      this.clock.clearTimeout(entry.handle);
    }
  }

  cancelAll(): void {
    this.cancel(...this.pending.keys());
  }
}
