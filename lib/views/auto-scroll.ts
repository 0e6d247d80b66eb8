/**
 * Auto-scroll that follows the live transcript and pauses when the reader scrolls up.
 *
 * The view follows while its scroll position is at the bottom (within `slack` pixels). A scroll
 * that leaves the bottom, the reader's or a jump to a search match, pauses following and shows
 * "Jump to live"; scrolling back to the bottom, or pressing that button, resumes it. Content that
 * grows while following is scrolled into view by the panel, which lands at the bottom again.
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

/**
 * Whether to keep following after a scroll event. `programmatic` is true for the panel's own
 * scroll to the bottom, which never pauses following even if layout shifted under it.
 */
export function followAfterScroll(metrics: ScrollMetrics, programmatic: boolean): boolean {
  return programmatic || isAtBottom(metrics);
}
