import { useEffect, useState } from 'preact/hooks';
import { largestPlayingVideo, type VideoRect } from '@/lib/overlay/video-clearance';
import type { Size } from '@/lib/overlay/placement';

/**
 * How often the videos are looked at again: a video that starts or stops playing, scrolling, a
 * player resized by the page's own script. A poll rather than media and scroll listeners: as
 * prompt as a person notices, and smaller in the content script, whose size budget is tight.
 */
const RECHECK_MS = 1_000;

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
        // readyState 2 (HAVE_CURRENT_DATA): a frame to show. A video that ended is paused too.
        return { left, top, width, height, playing: !element.paused && element.readyState > 1 };
      });
      // While a video plays the box re-renders once a second; a comparison would cost more bytes
      // than that costs time.
      setVideo(largestPlayingVideo(videos, viewport));
    };
    check();
    const timer = setInterval(check, RECHECK_MS);
    return () => clearInterval(timer);
  }, [watch, viewport]);
  return video;
}
