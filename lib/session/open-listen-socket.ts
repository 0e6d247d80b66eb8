/**
 * Connects a session to the user's proxy with the browser's WebSocket: the one place where the
 * session's socket port meets lib/listen.
 */
import { ListenSocket, type WebSocketLike } from '../listen/listen-socket';
import { BYTES_PER_SECOND } from '../audio/format';
import { buildListenUrl, wantsArchiveSession } from '../listen/listen-url';
import { totalIgnored } from '../listen/protocol';
import { downmixToMono } from '../listen/relay-audio';
import type { FetchLike } from '../connection-test';
import type { PostLike } from '../listen/direct-grant';
import { DirectDialer } from './direct-dialer';
import type { ListenSettings } from '../settings';
import type { SocketHandlers, SocketPort, StreamFormat } from './capture-session';
import { explainSocketFailure } from './explain-socket-failure';

export function openListenSocket(
  settings: ListenSettings,
  handlers: SocketHandlers,
  format: StreamFormat,
  createWebSocket: (url: string, protocols: string[] | undefined) => WebSocketLike = (url, protocols) =>
    new WebSocket(url, protocols),
  fetchLike: FetchLike = (url, init) => fetch(url, init),
  postLike: PostLike = (url, init) => fetch(url, init),
): SocketPort {
  let closing = false;
  // A transcription relay (lib/listen/server-kind.ts) chooses its own upstream parameters and
  // archives nothing; it hears one channel, so a meeting's inputs are mixed for it.
  const relay = settings.serverKind === 'relay';
  const sentChannels = relay ? 1 : format.channels;
  // Direct mode: a Deepgram token from the proxy before every connection attempt, relaying when refused.
  const direct =
    !relay && settings.connectionMode === 'direct'
      ? new DirectDialer({ settings, urlOptions: { channels: format.channels }, post: postLike, onNotice: (message) => handlers.onNotice?.(message) })
      : undefined;
  // One capture, one archive session across its reconnects (proxy/README.md, Archive), when the user
  // opted in: the Options setting, or `?captionist_session=auto` on the proxy URL.
  const archiveSession = !relay && (settings.archiveTranscripts || wantsArchiveSession(settings.proxyUrl)) ? crypto.randomUUID() : undefined;
  const socket = new ListenSocket({
    url: relay ? settings.proxyUrl : buildListenUrl(settings.proxyUrl, settings, { archiveSession, channels: format.channels }),
    serverKind: settings.serverKind,
    // The archive stores meeting time only if it is told where the VAD's gaps were (lib/listen/meeting-span.ts).
    ...(archiveSession === undefined || handlers.toMeetingTime === undefined ? {} : { meetingTimeOf: handlers.toMeetingTime }),
    token: settings.token,
    ...(direct === undefined ? {} : { dial: direct.dial }),
    bytesPerSecond: BYTES_PER_SECOND * sentChannels,
    createWebSocket,
    onEvent: handlers.onEvent,
    onStatus: (status, detail) => {
      if (status === 'open') handlers.onOpen();
      else if (status === 'connecting' && detail.error) handlers.onReconnecting(detail.error, detail.retryInMs ?? 0);
    },
    // A socket that never opened cannot tell a refused token from a dead proxy; the proxy can.
    onError: (error) =>
      void explainSocketFailure(error, settings, fetchLike, undefined, createWebSocket).then((explained) => {
        if (!closing) handlers.onFailure(explained);
      }),
  });
  socket.connect();
  return {
    sendAudio: (pcm) => void socket.sendAudio(relay ? downmixToMono(pcm, format.channels) : pcm),
    finalize: () => void socket.finalize(),
    configureKeyterms: (keyterms) => socket.configureKeyterms(keyterms),
    close: async () => {
      closing = true;
      const summary = await socket.close();
      await direct?.close();
      if (totalIgnored(summary.parse) > 0) {
        console.info('[captionist] server messages ignored this session:', summary.parse);
      }
    },
  };
}
