import { useEffect, useState } from 'preact/hooks';
import { largestPlayingVideo, type VideoRect } from '@/lib/overlay/video-clearance';
import type { Size } from '@/lib/overlay/placement';

/**
 * Layout moves no media event reports (scrolling, a player resized by the page's own script) are
 * caught this often; play, pause and end are followed at once.
 */
const RECHECK_MS = 1_000;
// A video that ends is paused too (and fires 'pause').
const MEDIA_EVENTS = ['play', 'pause'];

/**
 * The largest playing video in this document (lib/overlay/video-clearance.ts), followed while
 * `watch` is true (the box has no place of the user's). Videos inside frames are out of a content
 * script's reach here.
 */
export function usePlayingVideo(watch: boolean, viewport: Size): VideoRect | null {
  const [video, setVideo] = useState<VideoRect | null>(null);
  useEffect(() => {
    if (!watch) return undefined;
    const check = () => {
      const videos = [...document.querySelectorAll('video')].map((element) => {
        const { left, top, width, height } = element.getBoundingClientRect();
        // readyState 2 (HAVE_CURRENT_DATA): a frame to show.
        return { left, top, width, height, playing: !element.paused && element.readyState > 1 };
      });
      const next = largestPlayingVideo(videos, viewport);
      // A new object only when it moved: the box re-renders for nothing otherwise.
      setVideo((current) => (JSON.stringify(current) === JSON.stringify(next) ? current : next));
    };
    check();
    for (const type of MEDIA_EVENTS) document.addEventListener(type, check, true);
    const timer = setInterval(check, RECHECK_MS);
    return () => {
      clearInterval(timer);
      for (const type of MEDIA_EVENTS) document.removeEventListener(type, check, true);
    };
  }, [watch, viewport]);
  return video;
}
