/**
 * How the content script knows it has already mounted the overlay in this document, without
 * asking the page's DOM (the page can add, hide or imitate any element it likes).
 *
 * The background may inject the content script again into the same document (captions started
 * again on the tab; a same-site navigation the page made itself: lib/background/session-control.ts
 * `reinject-overlay`). Each injection runs a fresh copy of the script, so module state is gone,
 * but the extension's isolated world, and its `window`, stays for the document's lifetime. The
 * page's own scripts run in another world and cannot see this property, nor set it for us.
 */

/** The property on the isolated world's window. Tests read the overlay through it (testkit/browser/overlay-world.ts). */
export const MOUNTED_OVERLAY_KEY = 'captionistOverlay';

export interface MountedOverlay {
  /** The element holding the overlay's closed shadow root. */
  readonly host: HTMLElement;
  /** Where a later injection asks the mounted overlay to show itself (SHOW_EVENT in components/overlay-app.tsx). */
  readonly showRequests: EventTarget;
}

/** The isolated world's window as the content script uses it. */
export interface OverlayWorld { [MOUNTED_OVERLAY_KEY]?: MountedOverlay }
