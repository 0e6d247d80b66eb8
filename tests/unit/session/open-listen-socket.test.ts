/**
 * The Options setting "Keep a copy of my transcripts on the team's server" is what makes the
 * extension ask an archiving proxy for it: a capture id on the URL, and each span's meeting start
 * before its audio (lib/listen/meeting-span.ts). Off, the proxy is asked for nothing.
 */
import { describe, expect, it } from 'vitest';
import { openListenSocket } from '@/lib/session/open-listen-socket';
import { DEFAULT_SETTINGS, type Settings } from '@/lib/settings';
import { chunk, fakeFactory } from '../listen/fake-web-socket';

const PROXY = 'ws://127.0.0.1:8787/v1/listen';

function open(settings: Settings) {
  const fake = fakeFactory();
  const port = openListenSocket(
    settings,
    {
      onOpen: () => undefined,
      onEvent: () => undefined,
      onReconnecting: () => undefined,
      onFailure: () => undefined,
      // Stream seconds are meeting time + 40 (the gate held back the first 40 s).
      toMeetingTime: (streamSeconds) => streamSeconds + 40,
    },
    { channels: 1 },
    fake.factory,
  );
  const ws = fake.last();
  ws.open();
  port.sendAudio(chunk(1));
  void port.close();
  return ws;
}

describe('openListenSocket and the archive setting', () => {
  it('is off by default: no capture id, no offset, no span declarations', () => {
    expect(DEFAULT_SETTINGS.archiveTranscripts).toBe(false);
    const ws = open({ ...DEFAULT_SETTINGS, proxyUrl: PROXY });
    const query = new URL(ws.url).searchParams;
    expect(query.has('captionist_session')).toBe(false);
    expect(query.has('captionist_offset')).toBe(false);
    expect(ws.texts.filter((text) => text.includes('CaptionistSpan'))).toEqual([]);
  });

  it('on, asks for a fresh archive session and tells the proxy the meeting time of the audio', () => {
    const first = open({ ...DEFAULT_SETTINGS, proxyUrl: PROXY, archiveTranscripts: true });
    const second = open({ ...DEFAULT_SETTINGS, proxyUrl: PROXY, archiveTranscripts: true });
    const session = new URL(first.url).searchParams.get('captionist_session');
    expect(session).toMatch(/^[A-Za-z0-9_-]{8,128}$/);
    expect(new URL(second.url).searchParams.get('captionist_session')).not.toBe(session);
    expect(new URL(first.url).searchParams.get('captionist_offset')).toBe('0');
    expect(typeof first.sent[0]).toBe('string');
    expect(JSON.parse(first.sent[0] as string)).toEqual({ type: 'CaptionistSpan', meeting_start: 40 });
    expect(first.sent[1]).toBeInstanceOf(ArrayBuffer);
  });
});
