/**
 * The caption box's default place when the user has not put it anywhere on this site: above the
 * control bar of the largest playing video (play, seek and volume stay reachable), centred on
 * that video; with no such video, the viewport's bottom band (DEFAULT_PLACEMENT).
 *
 * A player's controls sit along its bottom edge: Chromium's own about 50 px, common web players'
 * bars 48-70 px, taller in fullscreen. The band kept clear grows with the video's height so a
 * fullscreen player's larger bar is cleared too.
 */
import { boxWidth, DEFAULT_PLACEMENT, placementAt, type OverlayPlacement, type Size } from './placement';

export interface VideoRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface VideoCandidate extends VideoRect {
  playing: boolean;
}

/** The band along a video's bottom edge that holds its controls. */
export function controlsBand(videoHeight: number): number {
  return Math.round(Math.min(128, Math.max(72, videoHeight * 0.12)));
}

/**
 * The playing video showing the most of itself in the viewport, if any is big enough: smaller ones
 * (previews, avatars; under 200 × 112) are not where people watch.
 */
export function largestPlayingVideo<V extends VideoCandidate>(videos: readonly V[], viewport: Size): V | null {
  let best: V | null = null;
  let bestArea = 0;
  for (const video of videos) {
    if (!video.playing || video.width < 200 || video.height < 112) continue;
    const seenWidth = Math.min(video.left + video.width, viewport.width) - Math.max(video.left, 0);
    const seenHeight = Math.min(video.top + video.height, viewport.height) - Math.max(video.top, 0);
    const area = Math.max(0, seenWidth) * Math.max(0, seenHeight);
    if (area > bestArea) [best, bestArea] = [video, area];
  }
  return best;
}

/**
 * Where a box of `height` goes by default: its bottom edge above `video`'s controls band, centred
 * on it. A video whose bottom edge is below the viewport shows no controls: the default place then.
 */
export function placementClearOf(video: VideoRect | null, viewport: Size, height: number): OverlayPlacement {
  if (!video || video.top + video.height > viewport.height) return DEFAULT_PLACEMENT;
  const width = boxWidth(DEFAULT_PLACEMENT, viewport);
  const top = video.top + video.height - controlsBand(video.height) - height;
  return placementAt(video.left + video.width / 2 - width / 2, top, { width, height }, viewport, false);
}
