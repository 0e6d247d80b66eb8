/**
 * A token bucket: a sustained rate plus a burst. Used for audio bytes (about 1.25x real time, so a
 * client can catch up after a hiccup but cannot dump an hour of audio at once) and for text messages.
 */
export class TokenBucket {
  private level: number;
  private updatedAt: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly capacity: number,
    now: number,
  ) {
    this.level = capacity;
    this.updatedAt = now;
  }

  /** Takes `amount` if the bucket holds it; false means over the limit (and nothing is taken). */
  take(amount: number, now: number): boolean {
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.updatedAt = now;
    this.level = Math.min(this.capacity, this.level + elapsed * this.ratePerSecond);
    if (amount > this.level) return false;
    this.level -= amount;
    return true;
  }
}
