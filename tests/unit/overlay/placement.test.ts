import { describe, expect, it } from 'vitest';
import { seededRandom } from '@/testkit/prng';
import {
  boxWidth,
  DEFAULT_PLACEMENT,
  dragPlacement,
  EDGE_MARGIN,
  MIN_BOX_WIDTH,
  normalizePlacement,
  nudgePlacement,
  placeBox,
  resizePlacement,
  type OverlayPlacement,
  type Size,
} from '@/lib/overlay/placement';

const DESKTOP: Size = { width: 1280, height: 720 };
const HEIGHT = 130;

/** The box is inside the viewport's margins (when it fits at all). */
function expectInside(placement: OverlayPlacement, viewport: Size, height = HEIGHT) {
  const rect = placeBox(placement, viewport, height);
  expect(rect.left).toBeGreaterThanOrEqual(EDGE_MARGIN);
  expect(rect.top).toBeGreaterThanOrEqual(EDGE_MARGIN);
  expect(rect.left + rect.width).toBeLessThanOrEqual(viewport.width - EDGE_MARGIN);
  if (height + 2 * EDGE_MARGIN <= viewport.height) expect(rect.top + height).toBeLessThanOrEqual(viewport.height - EDGE_MARGIN);
}

describe('placement', () => {
  it('puts the box at the bottom centre by default, 880 px wide at most', () => {
    const rect = placeBox(DEFAULT_PLACEMENT, DESKTOP, HEIGHT);
    expect(rect.width).toBe(880);
    expect(rect.left + rect.width / 2).toBe(640);
    expect(rect.top + HEIGHT).toBeGreaterThan(DESKTOP.height * 0.85);
    expectInside(DEFAULT_PLACEMENT, DESKTOP);
  });

  it('clamps a drag past any edge to the margin', () => {
    const start = placeBox(DEFAULT_PLACEMENT, DESKTOP, HEIGHT);
    for (const [dx, dy] of [[-5000, 0], [5000, 0], [0, -5000], [0, 5000], [-5000, -5000], [5000, 5000]] as const) {
      const placement = dragPlacement(start, HEIGHT, dx, dy, DESKTOP, null);
      expectInside(placement, DESKTOP);
    }
    const topLeft = placeBox(dragPlacement(start, HEIGHT, -5000, -5000, DESKTOP, null), DESKTOP, HEIGHT);
    expect([topLeft.left, topLeft.top]).toEqual([EDGE_MARGIN, EDGE_MARGIN]);
  });

  it('moves by exactly the pointer movement inside the viewport', () => {
    const start = placeBox(DEFAULT_PLACEMENT, DESKTOP, HEIGHT);
    const moved = placeBox(dragPlacement(start, HEIGHT, -100, -250, DESKTOP, null), DESKTOP, HEIGHT);
    expect(moved.left).toBe(start.left - 100);
    expect(moved.top).toBe(start.top - 250);
  });

  it('stays inside the viewport when the window shrinks, and keeps its relative place', () => {
    const start = placeBox(DEFAULT_PLACEMENT, DESKTOP, HEIGHT);
    const bottomRight = dragPlacement(start, HEIGHT, 5000, 5000, DESKTOP, null);
    for (const viewport of [{ width: 800, height: 500 }, { width: 400, height: 300 }, { width: 1920, height: 1080 }]) {
      expectInside(bottomRight, viewport);
      const rect = placeBox(bottomRight, viewport, HEIGHT);
      expect(rect.left + rect.width).toBe(viewport.width - EDGE_MARGIN);
      expect(rect.top + HEIGHT).toBe(viewport.height - EDGE_MARGIN);
    }
  });

  it('shrinks a wide box to the viewport and never below the minimum while there is room', () => {
    const wide: OverlayPlacement = { x: 0.3, y: 0.5, width: 2000 };
    expect(boxWidth(wide, DESKTOP)).toBe(DESKTOP.width - 2 * EDGE_MARGIN);
    expect(boxWidth({ x: 0, y: 0, width: 50 }, DESKTOP)).toBe(MIN_BOX_WIDTH);
    // A viewport narrower than the minimum gets all of its width, not more.
    expect(boxWidth({ x: 0, y: 0, width: 500 }, { width: 180, height: 400 })).toBe(180 - 2 * EDGE_MARGIN);
    expectInside(wide, { width: 500, height: 400 });
  });

  it('puts a box taller than the viewport at the top margin', () => {
    expect(placeBox({ x: 0.5, y: 1, width: null }, { width: 800, height: 100 }, 300).top).toBe(EDGE_MARGIN);
  });

  it('resizes from the right edge with the left edge fixed, within the minimum and the viewport', () => {
    const start = placeBox({ x: 0, y: 0.5, width: 500 }, DESKTOP, HEIGHT);
    const wider = placeBox(resizePlacement(start, HEIGHT, 120, DESKTOP), DESKTOP, HEIGHT);
    expect([wider.left, wider.width]).toEqual([start.left, 620]);
    const narrow = placeBox(resizePlacement(start, HEIGHT, -1000, DESKTOP), DESKTOP, HEIGHT);
    expect(narrow.width).toBe(MIN_BOX_WIDTH);
    const huge = resizePlacement(start, HEIGHT, 10_000, DESKTOP);
    expect(placeBox(huge, DESKTOP, HEIGHT).width).toBe(DESKTOP.width - 2 * EDGE_MARGIN);
    expectInside(huge, DESKTOP);
  });

  it('a box at the right edge that grows slides left instead of leaving the viewport', () => {
    const start = placeBox({ x: 1, y: 0.5, width: 400 }, DESKTOP, HEIGHT);
    const grown = resizePlacement(start, HEIGHT, 300, DESKTOP);
    const rect = placeBox(grown, DESKTOP, HEIGHT);
    expect(rect.width).toBe(700);
    expect(rect.left + rect.width).toBe(DESKTOP.width - EDGE_MARGIN);
  });

  it('moves and resizes by keyboard steps, clamped like a drag', () => {
    const start = DEFAULT_PLACEMENT;
    const before = placeBox(start, DESKTOP, HEIGHT);
    const left = placeBox(nudgePlacement(start, DESKTOP, HEIGHT, { dx: -16, dy: 0 }), DESKTOP, HEIGHT);
    expect(left.left).toBe(before.left - 16);
    const wider = nudgePlacement(start, DESKTOP, HEIGHT, { dWidth: 32 });
    expect(wider.width).toBe(before.width + 32);
    const farDown = nudgePlacement(start, DESKTOP, HEIGHT, { dx: 0, dy: 10_000 });
    expectInside(farDown, DESKTOP);
  });

  it('normalizes stored placements: fractions clamped, bad widths dropped, garbage refused', () => {
    expect(normalizePlacement({ x: 2, y: -1, width: 640.4 })).toEqual({ x: 1, y: 0, width: 640 });
    expect(normalizePlacement({ x: 0.25, y: 0.75, width: 'wide' })).toEqual({ x: 0.25, y: 0.75, width: null });
    expect(normalizePlacement({ x: 0.25, y: 0.75, width: -3 })).toEqual({ x: 0.25, y: 0.75, width: null });
    for (const bad of [null, undefined, 'x', 3, { x: 'a', y: 0 }, { x: Number.NaN, y: 0 }, { y: 0.5 }]) {
      expect(normalizePlacement(bad)).toBeNull();
    }
  });

  it('keeps every random drag sequence inside random viewports', () => {
    const random = seededRandom(7);
    let placement: OverlayPlacement = DEFAULT_PLACEMENT;
    for (let i = 0; i < 500; i++) {
      const viewport = { width: 240 + Math.round(random() * 2000), height: 200 + Math.round(random() * 1200) };
      const height = 40 + Math.round(random() * 150);
      const start = placeBox(placement, viewport, height);
      placement =
        random() < 0.3
          ? resizePlacement(start, height, (random() - 0.5) * 3000, viewport)
          : dragPlacement(start, height, (random() - 0.5) * 4000, (random() - 0.5) * 4000, viewport, placement.width);
      expectInside(placement, viewport, height);
    }
  });
});
