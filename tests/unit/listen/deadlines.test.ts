/**
 * The listen socket's timer parts on their own: Deadlines over a hand-driven clock, the pure
 * housekeeping rules, and the reconnect counter. No real time passes.
 */
import { describe, expect, it } from 'vitest';
import { Reconnects } from '@/lib/listen/backoff';
import { Deadlines, type Clock } from '@/lib/listen/deadlines';
import { HEALTHY_CONNECTION_MS, Housekeeping } from '@/lib/listen/housekeeping';

/** A clock whose timers fire only when the test advances it, in time order. */
function manualClock() {
  let now = 0;
  let nextId = 1;
  const timers = new Map<number, { at: number; callback: () => void }>();
  const clock: Clock = {
    now: () => now,
    setTimeout(callback, ms) {
      const id = nextId++;
      timers.set(id, { at: now + ms, callback });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
  };
  function advance(ms: number): void {
    const end = now + ms;
    for (;;) {
      const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!due) break;
      timers.delete(due[0]);
      now = due[1].at;
      due[1].callback();
    }
    now = end;
  }
  return { clock, advance, pending: () => timers.size };
}

describe('Deadlines', () => {
  it('runs a deadline once, at its time', () => {
    const { clock, advance } = manualClock();
    const deadlines = new Deadlines<'a'>(clock);
    const fired: number[] = [];
    deadlines.set('a', 100, () => fired.push(clock.now()));
    advance(99);
    expect(fired).toEqual([]);
    expect(deadlines.has('a')).toBe(true);
    advance(1);
    expect(fired).toEqual([100]);
    expect(deadlines.has('a')).toBe(false);
    advance(1_000);
    expect(fired).toEqual([100]);
  });

  it('setting a name again replaces what it was waiting for', () => {
    const { clock, advance, pending } = manualClock();
    const deadlines = new Deadlines<'drain'>(clock);
    const fired: string[] = [];
    deadlines.set('drain', 100, () => fired.push('first'));
    deadlines.set('drain', 50, () => fired.push('second'));
    expect(pending()).toBe(1);
    advance(200);
    expect(fired).toEqual(['second']);
  });

  it('cancels by name, leaving the others', () => {
    const { clock, advance, pending } = manualClock();
    const deadlines = new Deadlines<'connect' | 'close' | 'backoff'>(clock);
    const fired: string[] = [];
    deadlines.set('connect', 10, () => fired.push('connect'));
    deadlines.set('close', 10, () => fired.push('close'));
    deadlines.set('backoff', 10, () => fired.push('backoff'));
    deadlines.cancel('connect', 'backoff');
    expect(pending()).toBe(1);
    advance(10);
    expect(fired).toEqual(['close']);
  });

  it('cancelAll clears every timer it started', () => {
    const { clock, advance, pending } = manualClock();
    const deadlines = new Deadlines<'a' | 'b'>(clock);
    let fired = 0;
    deadlines.set('a', 10, () => fired++);
    deadlines.set('b', 20, () => fired++);
    deadlines.cancelAll();
    expect(pending()).toBe(0);
    advance(100);
    expect(fired).toBe(0);
  });

  it('ignores a replaced timer that fires anyway (a clock that cannot cancel)', () => {
    const callbacks: (() => void)[] = [];
    const stubborn: Clock = { now: () => 0, setTimeout: (callback) => callbacks.push(callback), clearTimeout: () => undefined };
    const deadlines = new Deadlines<'a'>(stubborn);
    const fired: string[] = [];
    deadlines.set('a', 10, () => fired.push('old'));
    deadlines.set('a', 10, () => fired.push('new'));
    for (const callback of callbacks) callback();
    expect(fired).toEqual(['new']);
  });
});

describe('Housekeeping', () => {
  const options = { keepAliveIdleMs: 4000, serverSilenceTimeoutMs: 15_000, primeSilenceAfterMs: 3000 };

  it('on a new connection, primes first (3 s), and KeepAlive is due 4 s after the last thing sent', () => {
    const house = new Housekeeping(options, 1_000);
    expect(house.deadlines()).toEqual({ keepAlive: 5_000, serverSilence: null, prime: 4_000 });
    expect(house.nextAt()).toBe(4_000);
    expect(house.primeDue(3_999)).toBe(false);
    expect(house.primeDue(4_000)).toBe(true);
    house.primerSent(4_000);
    expect(house.deadlines()).toEqual({ keepAlive: 8_000, serverSilence: null, prime: null });
    expect(house.keepAliveDue(7_999)).toBe(false);
    expect(house.keepAliveDue(8_000)).toBe(true);
  });

  it('never primes once audio went, and text frames put KeepAlive off too', () => {
    const house = new Housekeeping(options, 0);
    house.textSent(2_000);
    expect(house.deadlines().keepAlive).toBe(6_000);
    house.audioSent(2_500);
    expect(house.deadlines().prime).toBeNull();
  });

  it('watches for an answer from the first audio sent, not the latest, until the server speaks', () => {
    const house = new Housekeeping(options, 0);
    house.audioSent(1_000);
    house.audioSent(5_000);
    expect(house.deadlines().serverSilence).toBe(16_000);
    expect(house.serverSilent(15_999)).toBe(false);
    expect(house.serverSilent(16_000)).toBe(true);
    house.heardFromServer();
    expect(house.serverSilent(60_000)).toBe(false);
    house.audioSent(61_000);
    expect(house.deadlines().serverSilence).toBe(76_000);
  });

  it('does not watch or prime when those are disabled (0)', () => {
    const house = new Housekeeping({ keepAliveIdleMs: 4000, serverSilenceTimeoutMs: 0, primeSilenceAfterMs: 0 }, 0);
    house.audioSent(10);
    expect(house.deadlines()).toEqual({ keepAlive: 4_010, serverSilence: null, prime: null });
    expect(house.serverSilent(1e9)).toBe(false);
    expect(house.primeDue(1e9)).toBe(false);
  });

  it('counts a connection healthy once it lived 30 s', () => {
    const house = new Housekeeping(options, 500);
    expect(house.wasHealthy(500 + HEALTHY_CONNECTION_MS - 1)).toBe(false);
    expect(house.wasHealthy(500 + HEALTHY_CONNECTION_MS)).toBe(true);
  });
});

describe('Reconnects', () => {
  const reconnects = (initialConnectAttempts = 3) => new Reconnects({ initialConnectAttempts, random: () => 0.5 });

  it('waits 0.5 s doubling to 30 s, and starts over once the server proved healthy', () => {
    const r = reconnects();
    r.opened();
    const delays = Array.from({ length: 8 }, () => r.next(false));
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect(r.attempt).toBe(8);
    r.healthy();
    expect(r.attempt).toBe(0);
    expect(r.next(false)).toBe(500);
  });

  it('retries at once the first time a server goes away on purpose, then backs off', () => {
    const r = reconnects();
    expect(r.next(true)).toBe(0);
    expect(r.next(true)).toBe(1000);
  });

  it('gives up on the first connection after the configured failed handshakes, never once one opened', () => {
    const first = reconnects(3);
    expect([first.handshakeFailed(), first.handshakeFailed(), first.handshakeFailed()]).toEqual([true, true, false]);
    const later = reconnects(1);
    later.opened();
    expect([later.handshakeFailed(), later.handshakeFailed()]).toEqual([true, true]);
  });
});
