/**
 * The session feed's transports in the extension: where lib/contract/session-feed.ts meets the
 * browser. Extension pages ask the background and hear the offscreen document's events; the
 * overlay (a content script) has one narrow request of its own and hears the background's pushes
 * to its tab (lib/contract/messages.ts says who may send what).
 */
import { askBackground, askFromOverlay, onOffscreenEvent, onTabPush } from './messaging';
import type { SessionFeedTransport } from './session-feed';

/** For the side panel and the popup. */
export function pageFeedTransport(): SessionFeedTransport {
  return {
    requestState: () => askBackground({ type: 'session/get' }),
    requestTranscript: () => askBackground({ type: 'transcript/get' }),
    subscribe: (onPush) =>
      onOffscreenEvent((event) => {
        if (event.type === 'session/state' || event.type === 'transcript/update') onPush(event);
      }),
  };
}

/** For the overlay: the background answers only for the tab being captioned, and only while live. */
export function overlayFeedTransport(): SessionFeedTransport {
  return {
    requestState: async () => (await askFromOverlay({ type: 'overlay/live-session' }))?.state,
    requestTranscript: async () => (await askFromOverlay({ type: 'overlay/live-session' }))?.transcript,
    subscribe: (onPush) =>
      onTabPush((push) => {
        if (push.type === 'tab/session-state') onPush({ type: 'session/state', state: push.state });
        else if (push.type === 'tab/transcript-update') onPush({ type: 'transcript/update', update: push.update });
      }),
  };
}
