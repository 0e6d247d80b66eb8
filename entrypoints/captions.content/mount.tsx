import { render } from 'preact';
import { CAPTIONS_OVERLAY_CSS } from '@/components/captions-overlay-styles';
import { OverlayApp, SHOW_EVENT } from '@/components/overlay-app';
import { connectOverlaySession } from '@/components/overlay-session';
import { followFullscreen } from '@/lib/overlay/fullscreen-follower';
import { overlaySiteKey } from '@/lib/overlay-settings';

const HOST_TAG = 'captionist-overlay';

/**
 * One overlay per page, in an open shadow root on a host appended to <html> (not <body>, which
 * pages replace). A second injection (captions started again) only asks the first to show itself.
 */
export function mountCaptionsOverlay(): void {
  const existing = document.querySelector(HOST_TAG);
  if (existing) {
    existing.dispatchEvent(new CustomEvent(SHOW_EVENT));
    return;
  }
  // Listen before anything else: the session's first states are pushed right after injection.
  const source = connectOverlaySession();
  const host = document.createElement(HOST_TAG);
  // The page's own rules (say `[popover] { border: ... }`) must not reach the host: it is
  // sizeless and invisible; only the box inside takes room and input. (CSSOM, so CSP allows it.)
  host.style.setProperty('all', 'initial', 'important');
  const shadow = host.attachShadow({ mode: 'open' });
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(CAPTIONS_OVERLAY_CSS);
  shadow.adoptedStyleSheets = [sheet];
  const root = document.createElement('div');
  shadow.append(root);
  document.documentElement.append(host);
  followFullscreen(host);
  render(<OverlayApp site={overlaySiteKey(location.href)} host={host} source={source} />, root);
}
