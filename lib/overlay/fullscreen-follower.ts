/**
 * Keeps the overlay visible in fullscreen. A page's fullscreen element is painted above
 * everything else in the document, so an overlay left where it was disappears.
 *
 * - An element that renders its children (a player's container <div>): the host moves into it,
 *   and back to where it was when fullscreen ends.
 * - An element that does not (a <video> put in fullscreen by its own controls, an <iframe>,
 *   a <canvas>): children would not be drawn, so the host is shown as a manual popover instead,
 *   which puts it in the top layer above the fullscreen element. Chromium gives it no input
 *   there (all but the fullscreen element is inert); fullscreen-presses.ts takes presses on the
 *   box from the video instead, so it can still be dragged.
 */

/** Replaced elements and embeds: children are not rendered (or not ours to add). */
const NO_CHILD_RENDERING = new Set(['VIDEO', 'AUDIO', 'IFRAME', 'IMG', 'CANVAS', 'OBJECT', 'EMBED', 'SELECT', 'TEXTAREA', 'INPUT']);

export type FullscreenMode = 'none' | 'inside' | 'top-layer';

export function fullscreenMode(element: Element | null): FullscreenMode {
  if (!element) return 'none';
  if (NO_CHILD_RENDERING.has(element.tagName.toUpperCase()) || element.namespaceURI !== 'http://www.w3.org/1999/xhtml') {
    return 'top-layer';
  }
  return 'inside';
}

interface PopoverCapable {
  showPopover?: () => void;
  hidePopover?: () => void;
}

/** Starts following; returns the function that stops (and puts the host back). */
export function followFullscreen(host: HTMLElement, doc: Document = document): () => void {
  const home = doc.documentElement;
  // Typed as maybe-missing: the popover API is recent, and test DOMs lack it.
  const popover: PopoverCapable = host;

  const leaveTopLayer = () => {
    if (!host.hasAttribute('popover')) return;
    try {
      if (host.matches(':popover-open')) popover.hidePopover?.();
    } catch {
      // Already closed by the browser (fullscreen changes close popovers).
    }
    host.removeAttribute('popover');
  };

  const update = () => {
    const element = doc.fullscreenElement;
    const mode = fullscreenMode(element);
    if (mode === 'inside' && element) {
      leaveTopLayer();
      if (host.parentElement !== element) element.append(host);
      return;
    }
    if (host.parentElement !== home) home.append(host);
    if (mode === 'top-layer' && typeof popover.showPopover === 'function') {
      leaveTopLayer();
      host.setAttribute('popover', 'manual');
      try {
        popover.showPopover();
      } catch (error) {
        console.info('[captionist] captions cannot be shown over this fullscreen element', error);
        host.removeAttribute('popover');
      }
      return;
    }
    leaveTopLayer();
  };

  doc.addEventListener('fullscreenchange', update);
  update();
  return () => {
    doc.removeEventListener('fullscreenchange', update);
    leaveTopLayer();
    if (host.parentElement !== home) home.append(host);
  };
}
