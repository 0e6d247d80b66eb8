import { render } from 'preact';
import { CAPTIONS_OVERLAY_CSS } from '@/components/captions-overlay-styles';
import { OverlayApp, SHOW_EVENT } from '@/components/overlay-app';
import { connectOverlaySession } from '@/components/overlay-session';
import { followFullscreen } from '@/lib/overlay/fullscreen-follower';
import { MOUNTED_OVERLAY_KEY, type OverlayWorld } from '@/lib/overlay/mounted-overlay';
import { overlaySiteKey } from '@/lib/overlay-settings';

/**
 * One overlay per document, in a closed shadow root on a host appended to <html> (not <body>,
 * which pages replace). Closed: the page must not read the captions (in microphone mode, the
 * user's own words) through `host.shadowRoot`.
 *
 * The host is a plain <div>, not a custom element name: the page owns the custom element
 * registry, and a page that defines that name gets its constructor run on our host (it could
 * attach a shadow root first, or disable shadow roots, and so keep the overlay out).
 *
 * A second injection into the same document finds the first through the isolated world's window
 * (lib/overlay/mounted-overlay.ts), never by looking in the page's DOM, and only asks it to show.
 */
export function mountCaptionsOverlay(world: OverlayWorld = window as OverlayWorld): void {
  const mounted = world[MOUNTED_OVERLAY_KEY];
  if (mounted) {
    mounted.showRequests.dispatchEvent(new Event(SHOW_EVENT));
    return;
  }
  // Listen before anything else: the session's first states are pushed right after injection.
  const source = connectOverlaySession();
  const host = document.createElement('div');
  // The page's own rules (say `div { border: ... }`) must not reach the host: it is sizeless and
  // invisible; only the box inside takes room and input. (CSSOM, so CSP allows it.)
  host.style.setProperty('all', 'initial', 'important');
  const shadow = host.attachShadow({ mode: 'closed' });
  const showRequests = new EventTarget();
  world[MOUNTED_OVERLAY_KEY] = { host, showRequests };
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(CAPTIONS_OVERLAY_CSS);
  shadow.adoptedStyleSheets = [sheet];
  const root = document.createElement('div');
  shadow.append(root);
  document.documentElement.append(host);
  followFullscreen(host);
  render(<OverlayApp site={overlaySiteKey(location.href)} showRequests={showRequests} source={source} />, root);
}
