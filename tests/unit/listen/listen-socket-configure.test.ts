/**
 * ListenSocket's Configure: sent at once on an open connection, held until one opens, and the
 * key terms the server confirmed sent again on a new connection (which starts from the URL's).
 * Each answer names the request it is to, so a late one cannot settle the next.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ListenSocket } from '@/lib/listen/listen-socket';
import type { ListenEvent } from '@/lib/listen/protocol';
import { fakeFactory } from './fake-web-socket';

function setup(serverKind: 'listen' | 'relay' = 'listen') {
  const fake = fakeFactory();
  const events: ListenEvent[] = [];
  const socket = new ListenSocket({
    url: 'ws://localhost:8787/v1/listen?model=nova-3&keyterm=Old',
    serverKind,
    createWebSocket: fake.factory,
    random: () => 0.5,
    onEvent: (event) => events.push(event),
  });
  return { socket, fake, events };
}

const configures = (texts: string[]) => texts.filter((text) => text.includes('"Configure"')).map((text) => JSON.parse(text) as unknown);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ListenSocket: Configure', () => {
  it('sends Configure with the whole list as text on the open connection, and hands the answer on as an event', () => {
    const { socket, fake, events } = setup();
    socket.connect();
    fake.last().open();
    expect(socket.configureKeyterms(['Captionist', 'Dana Scully'])).toBe(1);
    expect(configures(fake.last().texts)).toEqual([{ type: 'Configure', keyterms: ['Captionist', 'Dana Scully'] }]);
    fake.last().receive({ type: 'ConfigureSuccess', request_id: 'r1', keyterms: ['Captionist', 'Dana Scully'] });
    expect(events).toEqual([{ kind: 'configure-success', keyterms: ['Captionist', 'Dana Scully'], request: 1 }]);
  });

  it('holds every Configure made while connecting, and sends them in order when the connection opens', () => {
    const { socket, fake, events } = setup();
    socket.connect();
    expect(socket.configureKeyterms(['Early'])).toBe(1);
    expect(socket.configureKeyterms(['Later'])).toBe(2);
    expect(fake.last().texts).toEqual([]);
    fake.last().open();
    expect(configures(fake.last().texts)).toEqual([
      { type: 'Configure', keyterms: ['Early'] },
      { type: 'Configure', keyterms: ['Later'] },
    ]);
    fake.last().receive({ type: 'ConfigureFailure', description: 'no' });
    fake.last().receive({ type: 'ConfigureSuccess', keyterms: ['Later'] });
    expect(events.map((event) => (event.kind === 'configure-success' || event.kind === 'configure-failure' ? [event.kind, event.request] : event.kind))).toEqual([
      ['configure-failure', 1],
      ['configure-success', 2],
    ]);
  });

  it('sends a Configure again on the next connection when the one it went on dropped before answering', () => {
    const { socket, fake, events } = setup();
    socket.connect();
    fake.last().open();
    socket.configureKeyterms(['Kept']);
    fake.last().receive({ type: 'ConfigureSuccess', keyterms: ['Kept'] });
    socket.configureKeyterms(['Lost']);
    fake.last().serverClose(1001, 'restart');
    vi.advanceTimersByTime(0);
    fake.last().open();
    // The confirmed terms first (the new connection starts from the URL's), then the unanswered one.
    expect(configures(fake.last().texts)).toEqual([
      { type: 'Configure', keyterms: ['Kept'] },
      { type: 'Configure', keyterms: ['Lost'] },
    ]);
    fake.last().receive({ type: 'ConfigureSuccess', keyterms: ['Kept'] });
    fake.last().receive({ type: 'ConfigureSuccess', keyterms: ['Lost'] });
    expect(events.slice(1).map((event) => (event.kind === 'configure-success' ? event.request : event.kind))).toEqual([null, 2]);
  });

  it('sends the confirmed terms again first thing on a new connection, and not refused ones', () => {
    const { socket, fake } = setup();
    socket.connect();
    fake.last().open();
    socket.configureKeyterms(['Kept']);
    fake.last().receive({ type: 'ConfigureSuccess', keyterms: ['Kept'] });
    socket.configureKeyterms(['Refused']);
    fake.last().receive({ type: 'ConfigureFailure', description: 'no' });
    fake.last().serverClose(1001, 'restart');
    vi.advanceTimersByTime(0);
    expect(fake.sockets).toHaveLength(2);
    fake.last().open();
    expect(configures(fake.last().texts)).toEqual([{ type: 'Configure', keyterms: ['Kept'] }]);
  });

  it('a stream never reconfigured sends no Configure on a new connection', () => {
    const { socket, fake } = setup();
    socket.connect();
    fake.last().open();
    fake.last().serverClose(1001, 'restart');
    vi.advanceTimersByTime(0);
    fake.last().open();
    expect(configures(fake.last().texts)).toEqual([]);
  });

  it('refuses after close(), and on a transcription relay, which a text frame would drop', () => {
    const { socket, fake } = setup();
    socket.connect();
    fake.last().open();
    void socket.close();
    expect(socket.configureKeyterms(['Late'])).toBeNull();
    const relay = setup('relay');
    relay.socket.connect();
    relay.fake.last().open();
    expect(relay.socket.configureKeyterms(['Any'])).toBeNull();
    expect(relay.fake.last().texts).toEqual([]);
  });
});
