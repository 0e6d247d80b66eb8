/**
 * A session's key-term change goes out on its socket as Configure and is settled by the server's
 * answer, which never reaches the transcript; a port that cannot configure, or a stopped session,
 * says so at once.
 */
import { describe, expect, it } from 'vitest';
import type { TranscriptUpdate } from '@/lib/contract/messages';
import { CaptureSession, type SessionPorts, type SocketHandlers, type SocketPort } from '@/lib/session/capture-session';
import { DEFAULT_SETTINGS } from '@/lib/settings';

function harness(canConfigure = true) {
  const configured: (readonly string[])[] = [];
  const updates: TranscriptUpdate[] = [];
  let handlers: SocketHandlers | null = null;
  const ports: SessionPorts = {
    emitState: () => undefined,
    emitUpdate: (update) => updates.push(update),
    emitLevel: () => undefined,
    now: () => 1000,
    openSocket: (_settings, h) => {
      handlers = h;
      const port: SocketPort = { sendAudio: () => undefined, finalize: () => undefined, close: async () => undefined };
      if (canConfigure) port.configureKeyterms = (keyterms) => configured.push(keyterms);
      return port;
    },
  };
  const session = new CaptureSession(ports, { ...DEFAULT_SETTINGS, vadEnabled: false, model: 'nova-3' }, 'tab', 4);
  session.connect();
  return { session, configured, updates, server: () => handlers! };
}

describe('CaptureSession: key terms during a session', () => {
  it('sends Configure and settles with the server\'s ConfigureSuccess, which leaves the transcript alone', async () => {
    const h = harness();
    h.server().onOpen();
    const answer = h.session.changeKeyterms(['Captionist']);
    expect(h.configured).toEqual([['Captionist']]);
    h.server().onEvent({ kind: 'configure-success', keyterms: ['Captionist'], request: 1 });
    await expect(answer).resolves.toEqual({ ok: true, keyterms: ['Captionist'] });
    expect(h.updates).toEqual([]);
  });

  it('a port without Configure, or a session being stopped, refuses at once', async () => {
    await expect(harness(false).session.changeKeyterms(['A'])).resolves.toMatchObject({ ok: false, refusedBy: 'extension' });
    const h = harness();
    const waiting = h.session.changeKeyterms(['A']);
    await h.session.stop();
    await expect(waiting).resolves.toMatchObject({ ok: false, refusedBy: 'extension' });
    await expect(h.session.changeKeyterms(['B'])).resolves.toMatchObject({ ok: false, refusedBy: 'extension' });
    expect(h.configured).toEqual([['A']]);
  });
});
