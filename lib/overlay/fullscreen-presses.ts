/**
 * Presses on the caption box while it is shown over a fullscreen element that cannot hold it
 * (a <video> in fullscreen; see fullscreen-follower.ts): there the box is painted in the top
 * layer, above the video, but it gets no input.
 *
 * Why: while an element is fullscreen, Chromium makes everything outside it inert, the top layer
 * included (seen on Chromium 156, no extension involved: with a popover or a non-modal <dialog>
 * shown over a fullscreen <video>, elementFromPoint and the pointer events at that point name the
 * video). Only a modal <dialog> escapes that, and it would make the video and its controls inert
 * instead, so it is no way to show captions.
 *
 * So presses are taken by where they land: a pointerdown aimed at the fullscreen element whose
 * point is inside the box is the box's. The page does not see it, nor the moves and the release
 * that follow (followPointer's `relayed` mode), nor the click or double click it ends in (which
 * would pause the video or leave fullscreen).
 *
 * Not reached: a fullscreen <iframe> (an embedded player) delivers presses to its own document,
 * which this page cannot listen to; there the box stays where it was put, readable, not movable.
 */

export type PressHandler = (down: PointerEvent, target: Element) => void;

function contains(element: Element | null | undefined, x: number, y: number): element is Element {
  if (!element) return false;
  const rect = element.getBoundingClientRect();
  return rect.width > 0 && x >= rect.left && x < rect.right && y >= rect.top && y < rect.bottom;
}

/** Starts taking presses over `box()` away from the fullscreen element; returns the stop. */
export function relayFullscreenPresses(win: Window, box: () => Element | null, onPress: PressHandler): () => void {
  const doc = win.document;
  /** Where the press would have gone had the box got it (null: not over the box, or it got it). */
  const redirect = (event: MouseEvent): Element | null => {
    const fullscreen = doc.fullscreenElement;
    const element = box();
    if (!fullscreen || !element) return null;
    // The resize grip reaches a little past the box's right edge.
    const grip = element.querySelector('.grip');
    const onGrip = contains(grip, event.clientX, event.clientY);
    if (!onGrip && !contains(element, event.clientX, event.clientY)) return null;
    const path = event.composedPath();
    // From the window, a closed shadow root's inside is left out of the path (the overlay's is
    // closed: entrypoints/captions.content/mount.tsx); a press the box got itself shows its host.
    const root = element.getRootNode();
    const host = root instanceof ShadowRoot ? root.host : null;
    if (path.includes(element) || (host && path.includes(host)) || !path.includes(fullscreen)) return null;
    return onGrip ? grip : element;
  };
  /** The press that began a relayed drag also owns the click that ends it, wherever that lands. */
  let pressed = false;
  const swallow = (event: Event) => {
    event.preventDefault();
    event.stopImmediatePropagation();
  };
  const onDown = (event: Event) => {
    const down = event as PointerEvent;
    const target = down.button === 0 ? redirect(down) : null;
    pressed = target !== null;
    if (!target) return;
    swallow(down);
    onPress(down, target);
  };
  const onClick = (event: Event) => {
    if (pressed || redirect(event as MouseEvent)) swallow(event);
    if (event.type === 'click') pressed = false;
  };
  const clicks = ['click', 'dblclick', 'auxclick'] as const;
  win.addEventListener('pointerdown', onDown, true);
  for (const type of clicks) win.addEventListener(type, onClick, true);
  return () => {
    win.removeEventListener('pointerdown', onDown, true);
    for (const type of clicks) win.removeEventListener(type, onClick, true);
  };
}
