import { defineContentScript } from '#imports';
import { mountCaptionsOverlay } from './mount';

/**
 * Injected by the background with scripting.executeScript on the tab the user started captions
 * on (the activeTab grant), never declared for all sites.
 */
export default defineContentScript({
  registration: 'runtime',
  main() {
    mountCaptionsOverlay();
  },
});
