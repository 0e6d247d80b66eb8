/**
 * Auto-scroll that follows the live transcript and pauses when the reader scrolls up.
 *
 * The view follows while its scroll position is at the bottom (within `slack` pixels), judged on
 * every scroll event only: a scroll that leaves the bottom, the reader's or a jump to a search
 * match, pauses following and shows "Jump to live"; scrolling back to the bottom, or pressing that
 * button, resumes it. Content that grows while following is scrolled to the bottom by the panel
 * (instantly, never smoothly), and that scroll event lands at the bottom, so it keeps following;
 * growth itself fires no scroll event, so it never pauses following.
 */
export interface ScrollMetrics {
  scrollTop: number;
  scrollHeight: number;
  clientHeight: number;
}

/** Pixels from the bottom still counted as "at the bottom" (sub-pixel rounding, a line's fraction). */
export const STICK_SLACK_PX = 32;

export function isAtBottom(metrics: ScrollMetrics, slack: number = STICK_SLACK_PX): boolean {
  return metrics.scrollHeight - metrics.clientHeight - metrics.scrollTop <= slack;
}
