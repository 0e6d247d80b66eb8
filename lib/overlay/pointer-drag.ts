/**
 * Follows one pointer from pointerdown to pointerup with pointer capture, so a drag keeps going
 * when the pointer leaves the box (or crosses an iframe) and ends cleanly on cancel.
 */
export interface PointerDragHandlers {
  move(dx: number, dy: number): void;
  /** `moved` is false for a press without movement (a click). */
  end(dx: number, dy: number, moved: boolean): void;
}

/** Movement under this many pixels is a click, not a drag. */
const SLOP = 3;

export function followPointer(down: PointerEvent, element: Element, handlers: PointerDragHandlers): void {
  const { pointerId, clientX: startX, clientY: startY } = down;
  let dx = 0;
  let dy = 0;
  let moved = false;
  try {
    element.setPointerCapture(pointerId);
  } catch {
    // A pointer that is already gone cannot be captured; the listeners below still end the drag.
  }
  const onMove = (event: Event) => {
    const e = event as PointerEvent;
    if (e.pointerId !== pointerId) return;
    dx = e.clientX - startX;
    dy = e.clientY - startY;
    if (!moved && Math.abs(dx) < SLOP && Math.abs(dy) < SLOP) return;
    moved = true;
    handlers.move(dx, dy);
  };
  const onEnd = (event: Event) => {
    if ((event as PointerEvent).pointerId !== pointerId) return;
    element.removeEventListener('pointermove', onMove);
    element.removeEventListener('pointerup', onEnd);
    element.removeEventListener('pointercancel', onEnd);
    element.removeEventListener('lostpointercapture', onEnd);
    handlers.end(dx, dy, moved);
  };
  element.addEventListener('pointermove', onMove);
  element.addEventListener('pointerup', onEnd);
  element.addEventListener('pointercancel', onEnd);
  element.addEventListener('lostpointercapture', onEnd);
}
