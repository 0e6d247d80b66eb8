import { describe, expect, it } from 'vitest';
import { DEFAULT_PLACEMENT, placeBox } from '@/lib/overlay/placement';
import { controlsBand, largestPlayingVideo, placementClearOf, type VideoCandidate } from '@/lib/overlay/video-clearance';

const VIEWPORT = { width: 1280, height: 720 };
const HEIGHT = 110;

const video = (left: number, top: number, width: number, height: number, playing = true): VideoCandidate => ({ left, top, width, height, playing });

describe('largestPlayingVideo', () => {
  it('picks the playing video showing the most of itself, ignoring paused, tiny and off-screen ones', () => {
    const paused = video(0, 0, 1280, 720, false);
    const preview = video(10, 10, 160, 90);
    const offscreen = video(0, 900, 1280, 720);
    const half = video(0, 400, 1000, 600); // 320 px of it seen
    const main = video(100, 40, 800, 450);
    expect(largestPlayingVideo([paused, preview, offscreen, half, main], VIEWPORT)).toBe(main);
    expect(largestPlayingVideo([paused, preview, offscreen], VIEWPORT)).toBeNull();
  });
});

describe('placementClearOf', () => {
  it('puts the box bottom above the video controls band, centred on the video', () => {
    const player = { left: 40, top: 40, width: 960, height: 540 };
    const rect = placeBox(placementClearOf(player, VIEWPORT, HEIGHT), VIEWPORT, HEIGHT);
    const videoBottom = player.top + player.height;
    expect(rect.top + HEIGHT).toBe(videoBottom - controlsBand(player.height));
    expect(rect.top + HEIGHT).toBeLessThanOrEqual(videoBottom - 64);
    expect(Math.abs(rect.left + rect.width / 2 - (player.left + player.width / 2))).toBeLessThanOrEqual(1);
  });

  it('clears a fullscreen player: the band grows with the height, and stays inside the viewport', () => {
    const fullHd = { width: 1920, height: 1080 };
    const rect = placeBox(placementClearOf({ left: 0, top: 0, ...fullHd }, fullHd, HEIGHT), fullHd, HEIGHT);
    expect(controlsBand(1080)).toBeGreaterThan(controlsBand(360));
    expect(rect.top + HEIGHT).toBe(1080 - controlsBand(1080));
    expect(rect.left).toBeGreaterThanOrEqual(8);
    expect(rect.left + rect.width).toBeLessThanOrEqual(1920 - 8);
  });

  it('keeps the viewport bottom band without a video, or when the video bottom (its controls) is out of view', () => {
    expect(placementClearOf(null, VIEWPORT, HEIGHT)).toBe(DEFAULT_PLACEMENT);
    expect(placementClearOf({ left: 0, top: 300, width: 1280, height: 720 }, VIEWPORT, HEIGHT)).toBe(DEFAULT_PLACEMENT);
  });

  it('a player near the left edge: the box slides right to stay whole, never clipped', () => {
    const rect = placeBox(placementClearOf({ left: -200, top: 0, width: 600, height: 338 }, VIEWPORT, HEIGHT), VIEWPORT, HEIGHT);
    expect(rect.left).toBe(8);
  });
});
