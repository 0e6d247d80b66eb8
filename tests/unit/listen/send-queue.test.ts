/**
 * The send queue alone: a hand-driven clock (ms) and a recording target stand in for time and the
 * WebSocket, so pacing, the cap, confirm and replay are checked without a socket or timers.
 */
import { describe, expect, it } from 'vitest';
import { SendQueue, type Outgoing, type SendQueueOptions, type SendTarget } from '@/lib/listen/send-queue';

/** 10 bytes per second keeps the arithmetic readable: one byte is 0.1 s. */
const BPS = 10;

function setup(options: Partial<SendQueueOptions> = {}) {
  let now = 0;
  const queue = new SendQueue({
    now: () => now,
    bytesPerSecond: BPS,
    maxBufferedSeconds: 90,
    maxSendRate: 1.25,
    sendBurstSeconds: 3,
    replayUnconfirmed: true,
    ...options,
  });
  return {
    queue,
    advance(ms: number) {
      now += ms;
    },
  };
}

/** `seconds` of audio whose every byte is `marker`, so the target can tell chunks apart. */
function audio(marker: number, seconds = 0.1): Uint8Array {
  return new Uint8Array(Math.round(seconds * BPS)).fill(marker);
}

function recorder(options: { congested?: () => boolean; refuse?: (item: Outgoing) => boolean } = {}) {
  const sent: (number | 'finalize')[] = [];
  const target: SendTarget = {
    congested: options.congested ?? (() => false),
    send(item) {
      if (options.refuse?.(item)) return false;
      sent.push(item.kind === 'finalize' ? 'finalize' : (new Uint8Array(item.chunk.data)[0] as number));
      return true;
    },
  };
  return { target, sent };
}

describe('SendQueue: order and copies', () => {
  it('hands over audio and Finalize in the order they were pushed', () => {
    const { queue } = setup();
    queue.push(audio(1));
    queue.pushFinalize();
    queue.push(audio(2));
    queue.connectionOpened(0);
    const { target, sent } = recorder();
    expect(queue.flush(target)).toEqual({ state: 'empty' });
    expect(sent).toEqual([1, 'finalize', 2]);
    expect(queue.isEmpty).toBe(true);
  });

  it('copies what it is given, so the caller may reuse its buffer', () => {
    const { queue } = setup();
    const reused = audio(7);
    queue.push(reused);
    reused.fill(9);
    queue.connectionOpened(0);
    const { target, sent } = recorder();
    queue.flush(target);
    expect(sent).toEqual([7]);
  });

  it('ignores an empty buffer: it is neither queued nor counted in the stream', () => {
    const { queue } = setup();
    queue.push(new Uint8Array(0));
    expect(queue.isEmpty).toBe(true);
    expect(queue.streamSeconds).toBe(0);
  });

  it('stamps each chunk with its stream time, from the bytes pushed before it', () => {
    const { queue } = setup();
    queue.push(audio(1, 0.5));
    queue.push(audio(2, 0.2));
    expect(queue.streamSeconds).toBeCloseTo(0.7, 9);
    expect(queue.nextOrigin()).toBe(0);
  });
});

describe('SendQueue: pacing', () => {
  it('lets a 3 s burst go at once, then 1.25 s of audio per second, and says how long to wait', () => {
    const { queue, advance } = setup();
    for (let i = 0; i < 100; i++) queue.push(audio(i)); // 10 s
    queue.connectionOpened(0);
    const { target, sent } = recorder();
    const first = queue.flush(target);
    expect(sent).toHaveLength(30);
    // The next 0.1 s chunk needs 0.1 s of tokens: 80 ms at 1.25x (rounded up to a whole ms, so
    // the float left over from thirty subtractions can make it 81).
    expect(first.state === 'wait' && first.ms).toBeGreaterThanOrEqual(80);
    expect(first.state === 'wait' && first.ms).toBeLessThanOrEqual(81);
    advance(1_000);
    queue.flush(target);
    expect(sent).toHaveLength(42); // 1.25 s more, in whole chunks
    // Following its waits as the socket's drain timer does: the other 5.75 s go in 4.6 s.
    let elapsed = 1_000;
    for (let result = queue.flush(target); result.state === 'wait'; result = queue.flush(target)) {
      advance(result.ms);
      elapsed += result.ms;
    }
    expect(sent).toHaveLength(100);
    expect(elapsed).toBeGreaterThanOrEqual(((10 - 3) / 1.25) * 1000);
    expect(elapsed).toBeLessThan(((10 - 3) / 1.25) * 1000 + 100);
  });

  it('refills only up to the burst, however long the wait', () => {
    const { queue, advance } = setup();
    for (let i = 0; i < 100; i++) queue.push(audio(i));
    queue.connectionOpened(0);
    const { target, sent } = recorder();
    queue.flush(target);
    advance(60_000);
    queue.flush(target);
    expect(sent).toHaveLength(60);
  });

  it('does not save up more than the burst while idle', () => {
    const { queue, advance } = setup();
    queue.connectionOpened(0);
    advance(60_000);
    for (let i = 0; i < 50; i++) queue.push(audio(i));
    const { target, sent } = recorder();
    queue.flush(target);
    expect(sent).toHaveLength(30);
  });

  it('sends a chunk longer than the burst once the bucket is full', () => {
    const { queue } = setup({ sendBurstSeconds: 1 });
    queue.push(audio(5, 2));
    queue.connectionOpened(0);
    const { target, sent } = recorder();
    expect(queue.flush(target)).toEqual({ state: 'empty' });
    expect(sent).toEqual([5]);
  });

  it('holds audio while the target is congested and asks to be tried again in 50 ms', () => {
    const { queue } = setup();
    let congested = true;
    queue.push(audio(1));
    queue.connectionOpened(0);
    const { target, sent } = recorder({ congested: () => congested });
    expect(queue.flush(target)).toEqual({ state: 'wait', ms: 50 });
    expect(sent).toEqual([]);
    congested = false;
    expect(queue.flush(target)).toEqual({ state: 'empty' });
    expect(sent).toEqual([1]);
  });

  it('keeps a refused chunk first in line', () => {
    const { queue } = setup();
    queue.push(audio(1));
    queue.push(audio(2));
    queue.connectionOpened(0);
    let refuse = true;
    const { target, sent } = recorder({ refuse: () => refuse });
    expect(queue.flush(target)).toEqual({ state: 'stopped' });
    refuse = false;
    queue.connectionOpened(0);
    queue.flush(target);
    expect(sent).toEqual([1, 2]);
    expect(queue.stats().sentSeconds).toBeCloseTo(0.2, 9);
  });

  it('says how long the queued audio takes beyond the burst', () => {
    const { queue } = setup();
    for (let i = 0; i < 200; i++) queue.push(audio(i)); // 20 s
    expect(queue.pacedFlushMs()).toBeCloseTo(((20 - 3) / 1.25) * 1000, 6);
  });
});

describe('SendQueue: confirm and replay', () => {
  it('replays after a lost connection only the audio no final covered, ahead of what came meanwhile', () => {
    const { queue } = setup();
    queue.connectionOpened(0);
    for (let i = 0; i < 10; i++) queue.push(audio(i));
    const first = recorder();
    queue.flush(first.target);
    queue.confirmUpTo(0.5); // chunks 0-4
    queue.push(audio(10)); // queued, not yet sent, when the connection died
    queue.connectionLost();
    for (let i = 11; i < 13; i++) queue.push(audio(i));
    expect(queue.nextOrigin()).toBeCloseTo(0.5, 9);
    queue.connectionOpened(queue.nextOrigin());
    const second = recorder();
    queue.flush(second.target);
    expect(second.sent).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);
    expect(queue.stats()).toMatchObject({ replayedSeconds: expect.closeTo(0.5, 9), sentSeconds: expect.closeTo(1.8, 9) });
  });

  it('confirms a chunk only once a final reaches its end, and never goes backwards', () => {
    const { queue } = setup();
    queue.connectionOpened(0);
    queue.push(audio(1));
    queue.push(audio(2));
    queue.flush(recorder().target);
    queue.confirmUpTo(0.15); // inside chunk 2: it stays
    queue.confirmUpTo(0.05); // behind the cursor: ignored
    expect(queue.backlogSeconds).toBeCloseTo(0.1, 9);
    queue.connectionLost();
    const next = recorder();
    queue.connectionOpened(queue.nextOrigin());
    queue.flush(next.target);
    expect(next.sent).toEqual([2]);
  });

  it('counts finals from where a connection starts', () => {
    const { queue } = setup();
    queue.connectionOpened(0);
    queue.push(audio(1));
    queue.flush(recorder().target);
    queue.connectionLost();
    queue.connectionOpened(0.5);
    // A final up to 0.3 s is behind this connection's start: it confirms nothing.
    queue.confirmUpTo(0.3);
    expect(queue.backlogSeconds).toBeCloseTo(0.1, 9);
  });

  it('forgets sent audio at once when told not to replay', () => {
    const { queue } = setup({ replayUnconfirmed: false });
    queue.connectionOpened(0);
    queue.push(audio(1));
    queue.flush(recorder().target);
    expect(queue.backlogSeconds).toBe(0);
    queue.connectionLost();
    expect(queue.hasAudio).toBe(false);
    expect(queue.stats().replayedSeconds).toBe(0);
  });
});

describe('SendQueue: the cap', () => {
  it('drops the oldest queued audio past maxBufferedSeconds, and counts it', () => {
    const { queue } = setup({ maxBufferedSeconds: 1 });
    for (let i = 0; i < 20; i++) queue.push(audio(i));
    queue.connectionOpened(queue.nextOrigin());
    const { target, sent } = recorder();
    queue.flush(target);
    expect(sent).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect(queue.stats()).toMatchObject({ droppedSeconds: expect.closeTo(1, 9), streamSeconds: expect.closeTo(2, 9) });
  });

  it('drops unconfirmed audio before queued audio, since it is older', () => {
    const { queue } = setup({ maxBufferedSeconds: 0.3 });
    queue.connectionOpened(0);
    queue.push(audio(1));
    queue.push(audio(2));
    queue.flush(recorder().target); // 1 and 2 wait for a final
    queue.pushFinalize();
    queue.push(audio(3));
    queue.push(audio(4)); // 0.4 s kept: chunk 1 goes
    queue.connectionLost();
    const next = recorder();
    queue.connectionOpened(queue.nextOrigin());
    queue.flush(next.target);
    expect(next.sent).toEqual([2, 'finalize', 3, 4]);
    expect(queue.stats().droppedSeconds).toBeCloseTo(0.1, 9);
  });

  it('reports unsent audio, not Finalize markers, as unsent', () => {
    const { queue } = setup();
    queue.push(audio(1, 0.3));
    queue.pushFinalize();
    expect(queue.stats()).toEqual({ streamSeconds: 0.3, sentSeconds: 0, replayedSeconds: 0, droppedSeconds: 0, unsentSeconds: 0.3 });
  });
});
