/**
 * This instance's own view of the limits: the slots it holds and the audio its streams sent today.
 * It is the whole of the memory limits, and what the Redis limits fall back to (and re-register
 * from) while Redis is unreachable.
 */
import type { Refusal } from '../http-refusal';
import { dailyAudioQuota, tooManyStreams, upstreamCapacity } from './limit-refusals';
import { secondsUntilUtcMidnight, utcDay, type LimitSettings } from './shared-limits';

export class LocalLedger {
  /** Slot id -> token key (client-auth.ts limitKey). */
  readonly slots = new Map<string, string>();
  private readonly perToken = new Map<string, number>();
  /** `${day}|${token}` -> audio seconds counted here today. */
  private readonly audio = new Map<string, number>();

  constructor(private readonly settings: LimitSettings) {}

  get open(): number {
    return this.slots.size;
  }

  /**
   * Which limit, counted by this instance alone, refuses a new stream for the token.
   * `sharedAudioSeconds` adds what other instances are known to have used today.
   */
  refusal(tokenKey: string, now: number, sharedAudioSeconds = 0): Refusal | undefined {
    const { maxStreamsPerToken, upstreamMaxStreams, dailyAudioSecondsPerToken } = this.settings;
    if ((this.perToken.get(tokenKey) ?? 0) >= maxStreamsPerToken) return tooManyStreams(maxStreamsPerToken);
    if (dailyAudioSecondsPerToken !== undefined && sharedAudioSeconds + this.audioToday(tokenKey, now) >= dailyAudioSecondsPerToken) {
      return dailyAudioQuota(dailyAudioSecondsPerToken, secondsUntilUtcMidnight(now));
    }
    if (upstreamMaxStreams !== undefined && this.slots.size >= upstreamMaxStreams) return upstreamCapacity(upstreamMaxStreams);
    return undefined;
  }

  add(slotId: string, tokenKey: string): void {
    this.slots.set(slotId, tokenKey);
    this.perToken.set(tokenKey, (this.perToken.get(tokenKey) ?? 0) + 1);
  }

  remove(slotId: string): void {
    const tokenKey = this.slots.get(slotId);
    if (tokenKey === undefined) return;
    this.slots.delete(slotId);
    const left = (this.perToken.get(tokenKey) ?? 1) - 1;
    if (left <= 0) this.perToken.delete(tokenKey);
    else this.perToken.set(tokenKey, left);
  }

  addAudio(tokenKey: string, seconds: number, now: number): void {
    const key = `${utcDay(now)}|${tokenKey}`;
    this.audio.set(key, (this.audio.get(key) ?? 0) + seconds);
  }

  audioToday(tokenKey: string, now: number): number {
    return this.audio.get(`${utcDay(now)}|${tokenKey}`) ?? 0;
  }

  /** Drops the counts of past days, so the map stays as small as the tokens in use. */
  forgetPastDays(now: number): void {
    const today = `${utcDay(now)}|`;
    for (const key of this.audio.keys()) if (!key.startsWith(today)) this.audio.delete(key);
  }
}
