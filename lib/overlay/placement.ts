/**
 * Where the caption box sits, kept inside the viewport whatever happens (drag, resize of the box,
 * resize of the window, a bigger font, fullscreen).
 *
 * A placement is stored as fractions of the free space, not pixels: x = 0 puts the box against
 * the left margin, x = 1 against the right one, and likewise y from top to bottom. A box that
 * was put at the bottom stays at the bottom when the window shrinks or the text grows, and no
 * stored value can ever place it outside the viewport. The width is in CSS pixels (null: the
 * default width for the viewport), clamped to what fits.
 */

export interface OverlayPlacement {
  /** 0..1 of the horizontal free space (viewport width minus margins minus box width). */
  x: number;
  /** 0..1 of the vertical free space. */
  y: number;
  /** CSS pixels; null follows the viewport (the default width). */
  width: number | null;
}

export interface Size {
  width: number;
  height: number;
}

export interface BoxRect {
  left: number;
  top: number;
  width: number;
}

/** Gap kept between the box and the viewport's edges. */
export const EDGE_MARGIN = 8;
export const MIN_BOX_WIDTH = 220;
export const MAX_DEFAULT_WIDTH = 880;
/** Bottom centre, a little above the bottom edge (where a video's own subtitles would be). */
export const DEFAULT_PLACEMENT: Readonly<OverlayPlacement> = Object.freeze({ x: 0.5, y: 0.9, width: null });

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));
const unit = (value: number) => (Number.isFinite(value) ? clamp(value, 0, 1) : 0.5);

/** A stored placement, checked: fractions clamped to 0..1, a bad width dropped; null if unusable. */
export function normalizePlacement(stored: unknown): OverlayPlacement | null {
  if (typeof stored !== 'object' || stored === null) return null;
  const { x, y, width } = stored as Record<string, unknown>;
  if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) return null;
  const validWidth = typeof width === 'number' && Number.isFinite(width) && width > 0 ? Math.round(width) : null;
  return { x: round4(unit(x)), y: round4(unit(y)), width: validWidth };
}

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** The widest the box may be: the viewport minus both margins (never negative). */
function availableWidth(viewport: Size): number {
  return Math.max(0, viewport.width - 2 * EDGE_MARGIN);
}

/** The box's width for this viewport: the user's width (or the default), shrunk to fit. */
export function boxWidth(placement: OverlayPlacement, viewport: Size): number {
  const available = availableWidth(viewport);
  const wanted = placement.width ?? Math.min(MAX_DEFAULT_WIDTH, Math.round(viewport.width * 0.92));
  // A viewport narrower than the minimum gets all of its width, never more.
  return Math.round(clamp(wanted, Math.min(MIN_BOX_WIDTH, available), available));
}

/** Pixel position for a box of `height` in `viewport`; always inside the margins where it fits. */
export function placeBox(placement: OverlayPlacement, viewport: Size, height: number): BoxRect {
  const width = boxWidth(placement, viewport);
  const freeX = Math.max(0, viewport.width - 2 * EDGE_MARGIN - width);
  // A box taller than the viewport sticks to the top margin; its text keeps the newest line
  // visible because the box's CSS max-height is the viewport and the text is bottom-anchored.
  const freeY = Math.max(0, viewport.height - 2 * EDGE_MARGIN - height);
  return {
    left: Math.round(EDGE_MARGIN + unit(placement.x) * freeX),
    top: Math.round(EDGE_MARGIN + unit(placement.y) * freeY),
    width,
  };
}

/**
 * The placement that puts a box of `size` with its top-left corner as near `left`/`top` as the
 * viewport allows (the inverse of placeBox, with clamping).
 */
export function placementAt(left: number, top: number, size: Size, viewport: Size, keepWidth: boolean): OverlayPlacement {
  const width = Math.round(clamp(size.width, Math.min(MIN_BOX_WIDTH, availableWidth(viewport)), availableWidth(viewport)));
  const freeX = Math.max(0, viewport.width - 2 * EDGE_MARGIN - width);
  const freeY = Math.max(0, viewport.height - 2 * EDGE_MARGIN - size.height);
  return {
    x: round4(freeX === 0 ? 0.5 : clamp((left - EDGE_MARGIN) / freeX, 0, 1)),
    y: round4(freeY === 0 ? 0 : clamp((top - EDGE_MARGIN) / freeY, 0, 1)),
    width: keepWidth ? width : null,
  };
}

/** Dragging: the box started at `start` and the pointer has moved by dx, dy. */
export function dragPlacement(
  start: BoxRect,
  height: number,
  dx: number,
  dy: number,
  viewport: Size,
  userWidth: number | null,
): OverlayPlacement {
  return placementAt(start.left + dx, start.top + dy, { width: start.width, height }, viewport, userWidth !== null);
}

/**
 * Resizing from the right edge: the left edge stays put while the box fits; the width is clamped
 * between the minimum and the viewport, and a box pushed past the right margin slides left.
 */
export function resizePlacement(start: BoxRect, height: number, dx: number, viewport: Size): OverlayPlacement {
  const available = availableWidth(viewport);
  const width = Math.round(clamp(start.width + dx, Math.min(MIN_BOX_WIDTH, available), available));
  const left = Math.min(start.left, viewport.width - EDGE_MARGIN - width);
  return placementAt(left, start.top, { width, height }, viewport, true);
}

/** Keyboard moves (arrow keys) and resizes (Shift+Left/Right), in pixels. */
export function nudgePlacement(
  placement: OverlayPlacement,
  viewport: Size,
  height: number,
  move: { dx: number; dy: number } | { dWidth: number },
): OverlayPlacement {
  const rect = placeBox(placement, viewport, height);
  if ('dWidth' in move) return resizePlacement(rect, height, move.dWidth, viewport);
  return dragPlacement(rect, height, move.dx, move.dy, viewport, placement.width);
}
