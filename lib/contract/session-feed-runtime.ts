/**
 * The session feed's transport in the extension: today's runtime messages (lib/runtime-client.ts).
 * The only place the feed meets the browser; re-point these few lines when the messages move.
 */
import { onMessage, request } from '../runtime-client';
import type { SessionFeedTransport } from './session-feed';

export function runtimeFeedTransport(): SessionFeedTransport {
  return {
    requestState: () => request({ type: 'session/get' }),
    requestTranscript: () => request({ type: 'transcript/get' }),
    subscribe: (onPush) =>
      onMessage((message) => {
        if (message.type === 'session/state' || message.type === 'transcript/update') onPush(message);
        return undefined; // never answers: requests are for the background and the offscreen document
      }),
  };
}
