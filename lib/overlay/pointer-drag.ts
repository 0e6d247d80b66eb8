/**
 * Follows one pointer from pointerdown to pointerup with pointer capture, so a drag keeps going
 * when the pointer leaves the box (or crosses an iframe) and ends cleanly on cancel.
 *
 * `relayed`: the press reached the box through relayFullscreenPresses (the box is inert over a
 * fullscreen <video> and cannot capture the pointer), so the moves and the release are taken from
 * the window before the page sees them.
 */
export interface PointerDragHandlers {
  move(dx: number, dy: number): void;
  /** `moved` is false for a press without movement (a click). */
  end(dx: number, dy: number, moved: boolean): void;
}

/** Movement under this many pixels is a click, not a drag. */
const SLOP = 3;

export function followPointer(down: PointerEvent, element: Element, handlers: PointerDragHandlers, relayed = false): void {
  const { pointerId, clientX: startX, clientY: startY } = down;
  const source: EventTarget = relayed ? (element.ownerDocument.defaultView ?? element) : element;
  let dx = 0;
  let dy = 0;
  let moved = false;
  try {
    if (!relayed) element.setPointerCapture(pointerId);
  } catch {
    // A pointer that is already gone cannot be captured; the listeners below still end the drag.
  }
  const ours = (event: Event) => {
    if ((event as PointerEvent).pointerId !== pointerId) return false;
    if (relayed) event.stopImmediatePropagation();
    return true;
  };
  const onMove = (event: Event) => {
    const e = event as PointerEvent;
    if (!ours(e)) return;
    dx = e.clientX - startX;
    dy = e.clientY - startY;
    if (!moved && Math.abs(dx) < SLOP && Math.abs(dy) < SLOP) return;
    moved = true;
    handlers.move(dx, dy);
  };
  const ends = ['pointerup', 'pointercancel', 'lostpointercapture'] as const;
  const onEnd = (event: Event) => {
    if (!ours(event)) return;
    source.removeEventListener('pointermove', onMove, true);
    for (const type of ends) source.removeEventListener(type, onEnd, true);
    handlers.end(dx, dy, moved);
  };
  source.addEventListener('pointermove', onMove, true);
  for (const type of ends) source.addEventListener(type, onEnd, true);
}
