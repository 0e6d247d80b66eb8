/**
 * The sender rules of lib/contract/senders.ts and their use by the receivers of
 * lib/contract/messaging.ts, with senders described the way Chrome describes them (see the
 * comment at the top of senders.ts, and tests/e2e/content-script-forgery.spec.ts for the real browser).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { IDLE_STATE } from '@/lib/contract/messages';
import {
  answerCaptureQueries,
  answerOffscreenCommands,
  answerOverlayRequests,
  answerPageRequests,
  onOffscreenEvent,
  onTabPush,
} from '@/lib/contract/messaging';
import { classifySender, mayAskAsOverlay, mayAskAsPage, type SenderLike } from '@/lib/contract/senders';

const ID = 'abcdefghijklmnopabcdefghijklmnop';
const BASE = `chrome-extension://${ID}/`;
const SELF = { id: ID, baseUrl: BASE };

const worker: SenderLike = { id: ID, url: `${BASE}background.js` };
const offscreen: SenderLike = { id: ID, url: `${BASE}offscreen.html` };
const popup: SenderLike = { id: ID, url: `${BASE}popup.html`, frameId: 0 };
const sidePanel: SenderLike = { id: ID, url: `${BASE}sidepanel.html`, frameId: 0 };
const permission = (tabId: number): SenderLike => ({ id: ID, url: `${BASE}permission.html?tabId=${tabId}`, frameId: 0, tab: { id: 40 } });
const options: SenderLike = { id: ID, url: `${BASE}options.html`, frameId: 0, tab: { id: 41 } };
const contentScript = (tabId: number, frameId = 0): SenderLike => ({ id: ID, url: 'https://video.example/watch?v=1', frameId, tab: { id: tabId } });

describe('classifySender', () => {
  it('knows each of our contexts by what Chrome reports', () => {
    expect(classifySender(worker, SELF)).toEqual({ kind: 'service-worker' });
    expect(classifySender(offscreen, SELF)).toEqual({ kind: 'offscreen' });
    expect(classifySender(popup, SELF)).toMatchObject({ kind: 'page', page: 'popup' });
    expect(classifySender(sidePanel, SELF)).toMatchObject({ kind: 'page', page: 'sidepanel' });
    expect(classifySender(options, SELF)).toMatchObject({ kind: 'page', page: 'options' });
    expect(classifySender(permission(7), SELF)).toMatchObject({ kind: 'page', page: 'permission' });
    expect(classifySender({ id: ID, url: `${BASE}sample.html`, frameId: 0, tab: { id: 42 } }, SELF)).toMatchObject({ kind: 'page', page: 'sample' });
    expect(classifySender(contentScript(7), SELF)).toEqual({ kind: 'content-script', tabId: 7, frameId: 0, url: new URL('https://video.example/watch?v=1') });
  });

  it('takes nothing but the exact offscreen document for it', () => {
    // The old check took any URL ending in /offscreen.html.
    expect(classifySender({ id: ID, url: 'https://evil.example/offscreen.html', frameId: 0, tab: { id: 3 } }, SELF).kind).toBe('content-script');
    expect(classifySender({ id: ID, url: `${BASE}offscreen.html?x=1` }, SELF).kind).toBe('unknown');
    expect(classifySender({ id: ID, url: `${BASE}sub/offscreen.html` }, SELF).kind).toBe('unknown');
    // Our offscreen page opened in a tab is not the offscreen document.
    expect(classifySender({ ...offscreen, frameId: 0, tab: { id: 3 } }, SELF).kind).toBe('unknown');
  });

  it('takes nothing but the worker itself for the worker', () => {
    expect(classifySender({ id: ID, url: `${BASE}background.js`, frameId: 0, tab: { id: 3 } }, SELF).kind).toBe('unknown');
    expect(classifySender({ id: ID, url: 'https://evil.example/background.js', frameId: 0, tab: { id: 3 } }, SELF).kind).toBe('content-script');
    expect(classifySender({ id: ID }, SELF).kind).toBe('unknown');
  });

  it('refuses another extension, and an extension page it does not know', () => {
    expect(classifySender({ ...worker, id: 'another' }, SELF).kind).toBe('unknown');
    expect(classifySender({ ...popup, url: `chrome-extension://another/popup.html` }, SELF).kind).toBe('unknown');
    expect(classifySender({ id: ID, url: `${BASE}unknown.html`, frameId: 0 }, SELF).kind).toBe('unknown');
    // Only the permission page has a query; the others are known by their exact URL.
    expect(classifySender({ ...popup, url: `${BASE}popup.html?tabId=3` }, SELF).kind).toBe('unknown');
    expect(classifySender({ ...sidePanel, url: `${BASE}sidepanel.html#x` }, SELF).kind).toBe('unknown');
    expect(classifySender({ id: ID, url: 'https://video.example/' }, SELF).kind).toBe('unknown'); // no tab: not a content script
  });
});

describe('classifySender in Firefox', () => {
  // What Firefox 153 reports (tests/e2e-firefox drives it): a generated page runs the background script,
  // and the capture host is an extension tab.
  const FF_BASE = 'moz-extension://3d0b2f4e-1c5a-4f7e-9a63-6b8f2d4c9e10/';
  const FF_SELF = { id: 'captionist@captionist.invalid', baseUrl: FF_BASE };
  const backgroundPage: SenderLike = { id: FF_SELF.id, url: `${FF_BASE}_generated_background_page.html` };
  const captureTab: SenderLike = { id: FF_SELF.id, url: `${FF_BASE}capture.html`, frameId: 0, tab: { id: 9 } };

  it('knows the background page for the worker and the capture tab for the offscreen document', () => {
    expect(classifySender(backgroundPage, FF_SELF)).toEqual({ kind: 'service-worker' });
    expect(classifySender(captureTab, FF_SELF)).toEqual({ kind: 'offscreen' });
  });

  it('takes nothing but the exact capture tab and background page for them', () => {
    // In a frame, with a query, outside a tab, or from another extension: not the capture host.
    expect(classifySender({ ...captureTab, frameId: 3 }, FF_SELF).kind).toBe('unknown');
    expect(classifySender({ ...captureTab, url: `${FF_BASE}capture.html?x=1` }, FF_SELF).kind).toBe('unknown');
    expect(classifySender({ id: FF_SELF.id, url: `${FF_BASE}capture.html` }, FF_SELF).kind).toBe('unknown');
    expect(classifySender({ ...captureTab, id: 'another@example.org' }, FF_SELF).kind).toBe('unknown');
    expect(classifySender({ id: FF_SELF.id, url: 'https://evil.example/capture.html', frameId: 0, tab: { id: 3 } }, FF_SELF).kind).toBe('content-script');
    // The background page opened in a tab is not the background.
    expect(classifySender({ ...backgroundPage, frameId: 0, tab: { id: 3 } }, FF_SELF).kind).toBe('unknown');
    expect(classifySender({ id: FF_SELF.id, url: 'https://evil.example/_generated_background_page.html', frameId: 0, tab: { id: 3 } }, FF_SELF).kind).toBe(
      'content-script',
    );
  });
});

describe('rules', () => {
  it('pages may ask; the microphone start only from the permission page', () => {
    expect(mayAskAsPage(classifySender(popup, SELF), 'session/start')).toBe(true);
    expect(mayAskAsPage(classifySender(popup, SELF), 'permission/mic-granted')).toBe(false);
    expect(mayAskAsPage(classifySender(permission(7), SELF), 'permission/mic-granted')).toBe(true);
    for (const type of ['session/start', 'session/stop', 'session/get', 'transcript/get', 'overlay/toggle', 'permission/mic-granted']) {
      expect(mayAskAsPage(classifySender(contentScript(7), SELF), type)).toBe(false);
      expect(mayAskAsPage(classifySender(offscreen, SELF), type)).toBe(false);
    }
  });

  it('the overlay asks from a top frame only', () => {
    expect(mayAskAsOverlay(classifySender(contentScript(7), SELF))).toBe(true);
    expect(mayAskAsOverlay(classifySender(contentScript(7, 3), SELF))).toBe(false);
    expect(mayAskAsOverlay(classifySender(popup, SELF))).toBe(false);
  });
});

describe('receivers', () => {
  let offs: (() => void)[];
  beforeEach(() => {
    fakeBrowser.reset();
    offs = [];
  });
  afterEach(() => offs.forEach((off) => off()));

  /** What the receivers answered (undefined: nobody did), as runtime.onMessage would hand it back. */
  async function deliver(message: unknown, sender: SenderLike): Promise<unknown[]> {
    const sent = { ...sender, id: fakeBrowser.runtime.id, url: sender.url?.replace(BASE, fakeBrowser.runtime.getURL('/')) };
    // The fake types `tab` as a whole Tab; Chrome and these tests give only what the rules read.
    return (await fakeBrowser.runtime.onMessage.trigger(message, sent as never)) as unknown[];
  }
  const answered = (answers: unknown[]) => answers.filter((a) => a !== undefined);

  it('the background answers pages and refuses a content script starting, stopping or reading', async () => {
    const start = vi.fn(async () => ({ ok: true as const }));
    offs.push(
      answerPageRequests({
        'session/start': start,
        'session/stop': async () => ({ ok: true }),
        'session/get': async () => IDLE_STATE,
        'transcript/get': async () => ({ utterances: [], interims: [] }),
        'permission/mic-granted': start,
        'overlay/toggle': async () => ({ ok: true }),
        'session/keyterms': async () => ({ ok: false, refusedBy: 'extension', message: 'No captions are running.' }),
        'transcript/correct': async () => ({ ok: false, reason: 'not-running', detail: '' }),
      }),
    );
    expect(answered(await deliver({ type: 'session/start', source: 'mic', tabId: null }, popup))).toEqual([{ ok: true }]);
    expect(start).toHaveBeenCalledTimes(1);
    for (const message of [
      { type: 'session/start', source: 'mic', tabId: null },
      { type: 'session/stop' },
      { type: 'transcript/get' },
      { type: 'session/get' },
      { type: 'permission/mic-granted' },
      { type: 'transcript/correct', sessionStartedAt: 1, utteranceId: 's1-u1', text: 'forged' },
    ]) {
      expect(answered(await deliver(message, contentScript(7)))).toEqual([]);
    }
    // A page may correct a line; a malformed correction is dropped.
    expect(answered(await deliver({ type: 'transcript/correct', sessionStartedAt: 1, utteranceId: 's1-u1', text: 'ok' }, sidePanel))).toEqual([
      { ok: false, reason: 'not-running', detail: '' },
    ]);
    expect(answered(await deliver({ type: 'transcript/correct', sessionStartedAt: 1, utteranceId: 's1-u1', text: 7 }, sidePanel))).toEqual([]);
    expect(answered(await deliver({ type: 'transcript/correct', sessionStartedAt: 1, utteranceId: 'x'.repeat(101), text: '' }, sidePanel))).toEqual([]);
    expect(answered(await deliver({ type: 'permission/mic-granted' }, popup))).toEqual([]);
    expect(start).toHaveBeenCalledTimes(1);
    // A malformed request is dropped before any handler sees it.
    expect(answered(await deliver({ type: 'session/start', source: 'speakers', tabId: null }, popup))).toEqual([]);
    expect(answered(await deliver({ type: 'session/start', source: 'tab', tabId: '7' }, popup))).toEqual([]);
    expect(start).toHaveBeenCalledTimes(1);
  });

  it("the overlay's request reaches its handler with the tab Chrome reported", async () => {
    const asked: number[] = [];
    offs.push(
      answerOverlayRequests({
        'overlay/live-session': async (_m, from) => {
          asked.push(from.tabId);
          return { state: IDLE_STATE, transcript: { utterances: [], interims: [] } };
        },
        'overlay/view-get': async () => null,
        'overlay/names-get': async () => null,
        'overlay/appearance-save': async () => null,
        'overlay/placement-save': async () => ({ ok: false }),
        'overlay/hidden-save': async () => ({ ok: false }),
      }),
    );
    expect(answered(await deliver({ type: 'overlay/live-session' }, contentScript(7)))).toHaveLength(1);
    expect(answered(await deliver({ type: 'overlay/live-session' }, contentScript(7, 2)))).toEqual([]);
    expect(answered(await deliver({ type: 'overlay/live-session' }, popup))).toEqual([]);
    expect(asked).toEqual([7]);
  });

  it('the offscreen document obeys the worker only: a page or content script cannot start capture', async () => {
    const start = vi.fn(async () => ({ ok: true as const }));
    offs.push(
      answerOffscreenCommands({
        'offscreen/start': start,
        'offscreen/stop': async () => ({ ok: true }),
        'offscreen/get-state': async () => IDLE_STATE,
        'offscreen/get-transcript': async () => ({ utterances: [], interims: [] }),
        'offscreen/keyterms': async () => ({ ok: false, refusedBy: 'extension', message: 'No captions are running.' }),
        'offscreen/correct': async () => ({ ok: false, reason: 'not-running', detail: '' }),
      }),
    );
    const command = { type: 'offscreen/start', source: 'mic', tabId: null, streamId: null, page: null };
    for (const sender of [popup, sidePanel, options, permission(7), contentScript(7), offscreen]) {
      expect(answered(await deliver(command, sender))).toEqual([]);
      expect(answered(await deliver({ type: 'offscreen/get-transcript' }, sender))).toEqual([]);
    }
    expect(start).not.toHaveBeenCalled();
    expect(answered(await deliver(command, worker))).toEqual([{ ok: true }]);
  });

  it('session events and the settings query count from the offscreen document only', async () => {
    const events: string[] = [];
    offs.push(onOffscreenEvent((event) => events.push(event.type)));
    const settings = vi.fn(async () => ({ settings: {} as never, retention: { maxSessions: 1, maxDays: 1 } }));
    offs.push(answerCaptureQueries({ 'capture/settings': settings }));
    const forged = { type: 'session/state', state: { ...IDLE_STATE, phase: 'error', error: { code: 'internal', message: 'forged' } } };
    for (const sender of [popup, contentScript(7), worker]) {
      await deliver(forged, sender);
      await deliver({ type: 'session/ended', state: IDLE_STATE }, sender);
      expect(answered(await deliver({ type: 'capture/settings' }, sender))).toEqual([]);
    }
    expect(events).toEqual([]);
    expect(settings).not.toHaveBeenCalled();
    await deliver(forged, offscreen);
    expect(events).toEqual(['session/state']);
    expect(answered(await deliver({ type: 'capture/settings' }, offscreen))).toHaveLength(1);
  });

  it('the overlay hears pushes from the worker only', async () => {
    const pushes: string[] = [];
    offs.push(onTabPush((push) => pushes.push(push.type)));
    for (const sender of [popup, offscreen, contentScript(7)]) await deliver({ type: 'tab/overlay-toggle' }, sender);
    expect(pushes).toEqual([]);
    await deliver({ type: 'tab/overlay-toggle', visible: 'yes' }, worker);
    expect(pushes).toEqual([]);
    await deliver({ type: 'tab/overlay-toggle', visible: true }, worker);
    expect(pushes).toEqual(['tab/overlay-toggle']);
  });
});
