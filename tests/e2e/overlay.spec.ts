/**
 * The caption overlay in the built extension: the words come through the real proxy from a fake
 * Deepgram (the real one is out of reach here) that follows the documented protocol, driven by
 * real speech played in the captured tab.
 *
 * Covered: the Alt+Shift+H and Alt+Shift+F (focus; Escape gives it back) shortcuts typed on a real
 * (virtual X) keyboard; the default place clear of a playing video's controls (in fullscreen too);
 * Escape, fullscreen and Stop closing the settings panel; drag, resize, text size and background remembered (position per site), hide and show
 * (button; hidden kept across a reload in the session; the popup's Show captions; the show/hide
 * message the keyboard command sends), staying inside the viewport, fullscreen (an element, and a
 * <video> itself, where the box is dragged through presses taken from the video), HTML and script from the server shown as text,
 * and a page whose CSP forbids every style and script of its own.
 */
import { writeFile } from 'node:fs/promises';
import type { Page, TestInfo } from '@playwright/test';
import { installCaptionRecorder, readOverlay } from '../../testkit/browser/captions';
import type { LaunchedBrowser } from '../../testkit/browser/launch';
import {
  clickInOverlay,
  closedShadowHostCount,
  evaluateInOverlayWorld,
  fillInOverlay,
  overlayTestIdCount,
  overlayTestIdVisible,
} from '../../testkit/browser/overlay-world';
import { startStaticServer, type StaticServer } from '../../testkit/browser/static-server';
import { startXvfb, typeKeys, type XDisplay } from '../../testkit/browser/x-display';
import { startFakeUpstream, type FakeDeepgram, type FakeUtterance } from '../../testkit/upstream';
import { clickToolbarButton, pressStart, startCaptionsOnPlayingPage } from '../../testkit/captions/start-captions';
import { expectPhase, stopFromPopup } from './support/caption-flow';
import { expect, test as base } from './support/fixtures';
import { saveScreenshot } from './support/screenshots';
import { waitForPlayback } from '../../testkit/captions/speech-page';

const DEEPGRAM_KEY = 'fake-deepgram-key-for-overlay-e2e';
const TWO_SPEAKERS: FakeUtterance[] = [
  { speaker: 0, words: ['good', 'morning', 'everyone', 'shall', 'we', 'begin'] },
  { speaker: 1, words: ['yes', 'the', 'budget', 'is', 'ready', 'for', 'review'] },
];
const IMG = '<img src=x onerror=alert(1)>';
const SCRIPT = '<script>alert(2)</script>';
const HOSTILE: FakeUtterance[] = [
  { speaker: 0, words: ['look', IMG, 'here'] },
  { speaker: 1, words: [SCRIPT, 'and', '<b>bold</b>', 'text'] },
];
const STRICT_CSP = "default-src 'none'; style-src 'none'; script-src 'none'; media-src 'self'";

interface BoxState {
  left: number;
  top: number;
  width: number;
  height: number;
  fontSize: string;
  background: string;
  position: string;
  viewport: { width: number; height: number };
}

// The script is wrapped in an object: Playwright reads an array given to test.use() as [value, options].
const test = base.extend<{ fakeScript: { utterances: FakeUtterance[] }; fakeDeepgram: FakeDeepgram }>({
  fakeScript: [{ utterances: TWO_SPEAKERS }, { option: true }],
  fakeDeepgram: async ({ fakeScript }, use) => {
    const fake = await startFakeUpstream({ mode: 'normal', apiKey: DEEPGRAM_KEY, script: fakeScript.utterances });
    try {
      await use(fake);
    } finally {
      await fake.close();
    }
  },
  proxyEnv: async ({ fakeDeepgram }, use) => {
    await use({ DEEPGRAM_API_KEY: DEEPGRAM_KEY, DEEPGRAM_URL: fakeDeepgram.url });
  },
});

function pageHtml(title: string, theme: 'light' | 'dark', body = ''): string {
  const colors = theme === 'light' ? 'background: #ffffff; color: #1f2328;' : 'background: #0f1115; color: #e6e6e6;';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>
  body { font: 18px/1.5 system-ui, sans-serif; margin: 40px; ${colors} }
  article { max-width: 720px; }
  #stage { width: 640px; height: 360px; background: #1b2735; display: grid; place-items: center; color: #fff; }
  video { width: 320px; height: 180px; background: #000; }
</style></head>
<body><article>
  <h1>${title}</h1>
  <p>A LibriVox recording of <em>Sense and Sensibility</em> (public domain) plays below; the words
  on screen come from a scripted fake speech-to-text server.</p>
  <p id="csp-probe" style="color: rgb(255, 0, 0)">This sentence is red unless the page's CSP blocks inline styles.</p>
  ${body}
  <audio id="speech" src="/speech.wav" autoplay loop controls></audio>
</article></body></html>`;
}

async function servePages(wav: string): Promise<StaticServer> {
  return startStaticServer({
    '/light.html': { html: pageHtml('Captionist overlay, light page', 'light') },
    '/dark.html': { html: pageHtml('Captionist overlay, dark page', 'dark') },
    '/stage.html': {
      html: pageHtml('Captionist overlay, fullscreen', 'dark', '<div id="stage"><span>Player</span></div><video id="clip" muted></video>'),
    },
    '/strict.html': { html: pageHtml('Captionist overlay, strict CSP', 'light') },
    // A player as big as a video site's, its controls (Chromium's own) along its bottom edge.
    '/player.html': {
      html: pageHtml(
        'Captionist overlay, a playing video',
        'light',
        '<video id="player" src="/speech.wav" autoplay loop muted controls style="position: absolute; left: 60px; top: 30px; width: 960px; height: 540px"></video>',
      ),
    },
    '/speech.wav': { file: wav, contentType: 'audio/wav' },
  });
}

/** A new tab at the viewport every overlay test uses, on `url`, with its speech playing. */
async function openPlayingPage(app: LaunchedBrowser, url: string): Promise<Page> {
  const page = await app.context.newPage();
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(url);
  await waitForPlayback(page);
  return page;
}

async function waitForFinalLine(page: Page, pattern: RegExp | string, timeout = 45_000): Promise<void> {
  let shown: string[] = [];
  const matches = (text: string) => (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text));
  try {
    await expect
      .poll(
        async () => {
          const { lines } = await readOverlay(page);
          shown = lines.map((l) => `${l.final ? 'final' : 'interim'}: ${l.text}`);
          return lines.some((l) => l.final && matches(l.text));
        },
        { timeout, message: `a final caption line matching ${String(pattern)}` },
      )
      .toBe(true);
  } catch (error) {
    await saveScreenshot(page, test.info(), 'no-caption-line').catch(() => undefined);
    throw new Error(`No final caption line matched ${String(pattern)}; lines ${JSON.stringify(shown)}; ${await describeOverlay(page)}`, {
      cause: error,
    });
  }
}

/** What the page holds of the overlay (read from the content script's world), for failure messages. */
async function describeOverlay(page: Page): Promise<string> {
  const hosts = await closedShadowHostCount(page).catch(() => -1);
  return evaluateInOverlayWorld(
    page,
    (overlay) =>
      overlay
        ? `under <${overlay.host.parentElement?.tagName.toLowerCase()}>, shadow: ${overlay.root.innerHTML.slice(0, 600)}`
        : 'no overlay mounted by the content script',
    undefined,
    'no content script in this document',
  )
    .then((description) => `${hosts} closed-root host(s); ${description}`)
    .catch((error: unknown) => `page not readable: ${String(error)}`);
}

/** The element (by default the caption box) is not in the overlay: hidden, or not drawn. */
async function expectNoBox(page: Page, testId = 'captions', message?: string): Promise<void> {
  await expect.poll(() => overlayTestIdCount(page, testId), { message }).toBe(0);
}

async function expectBoxVisible(page: Page): Promise<void> {
  await expect.poll(() => overlayTestIdVisible(page, 'captions'), { message: 'the caption box is visible' }).toBe(true);
}

/** The box's geometry and computed style, read inside the shadow root. */
async function readBox(page: Page): Promise<BoxState | null> {
  return evaluateInOverlayWorld(page, (overlay) => {
    const box = overlay?.root.querySelector<HTMLElement>('[data-testid=captions]');
    if (!box) return null;
    const rect = box.getBoundingClientRect();
    const style = getComputedStyle(box);
    return {
      left: Math.round(rect.left),
      top: Math.round(rect.top),
      width: Math.round(rect.width),
      height: Math.round(rect.height),
      fontSize: style.fontSize,
      background: style.backgroundColor,
      position: style.position,
      viewport: { width: document.documentElement.clientWidth, height: document.documentElement.clientHeight },
    };
  }, undefined, null);
}

function expectInsideViewport(box: BoxState | null): void {
  expect(box, 'the caption box is shown').not.toBeNull();
  if (!box) return;
  expect(box.left).toBeGreaterThanOrEqual(0);
  expect(box.top).toBeGreaterThanOrEqual(0);
  expect(box.left + box.width).toBeLessThanOrEqual(box.viewport.width);
  expect(box.top + box.height).toBeLessThanOrEqual(box.viewport.height);
}

/** Drags with the mouse from one point to another, in steps, as a person would. */
async function dragMouse(page: Page, from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps: 8 });
  await page.mouse.up();
}

/** Sends overlay/toggle from an extension page, the way the keyboard command's handler does. */
async function toggleFromExtension(app: LaunchedBrowser, page: Page): Promise<void> {
  const popup = await clickToolbarButton(app, page);
  try {
    await popup.evaluate(`chrome.runtime.sendMessage({ type: 'overlay/toggle' }).catch(() => undefined)`);
  } finally {
    await popup.close();
  }
}

/** Opens the popup on `page`, checks it says captions are hidden, and presses its Show captions. */
async function showFromPopup(app: LaunchedBrowser, page: Page, testInfo: TestInfo): Promise<void> {
  const popup = await clickToolbarButton(app, page);
  try {
    await popup.waitForEnabled('[data-testid=show-captions]');
    const note = await popup.evaluate<string>(`document.querySelector('[data-testid=captions-hidden]').textContent`);
    expect(note).toContain('Captions are hidden on the page.');
    const shot = (await app.cdp.send('Page.captureScreenshot', { format: 'png' }, popup.sessionId)) as { data: string };
    await testInfo.attach('popup-captions-hidden', { body: Buffer.from(shot.data, 'base64'), contentType: 'image/png' });
    await writeFile(testInfo.outputPath('popup-captions-hidden.png'), Buffer.from(shot.data, 'base64'));
    await popup.click('[data-testid=show-captions]');
  } finally {
    await popup.close();
  }
}

/** Renames a speaker the way the side panel does: storage.local `speakerNames`, keyed by the session's start. */
async function renameSpeaker(app: LaunchedBrowser, page: Page, speaker: number, name: string): Promise<void> {
  const popup = await clickToolbarButton(app, page);
  try {
    await popup.evaluate(`(async () => {
      const state = await chrome.runtime.sendMessage({ type: 'session/get' });
      const key = 'session-' + Math.round(state.startedAt);
      const stored = (await chrome.storage.local.get('speakerNames')).speakerNames ?? {};
      stored[key] = { names: { ...(stored[key]?.names ?? {}), [${speaker}]: ${JSON.stringify(name)} }, updatedAt: Date.now() };
      await chrome.storage.local.set({ speakerNames: stored });
    })()`);
  } finally {
    await popup.close();
  }
}

async function speakerLabels(page: Page): Promise<string[]> {
  return evaluateInOverlayWorld(page, (overlay) => [...(overlay?.root.querySelectorAll('.speaker') ?? [])].map((el) => el.textContent), undefined, []);
}

/** Counts strongly coloured pixels in a PNG (decoded by the page's own canvas). */
async function colourfulPixels(page: Page, png: Buffer): Promise<number> {
  return page.evaluate(async (base64) => {
    const image = new Image();
    image.src = `data:image/png;base64,${base64}`;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    const context = canvas.getContext('2d')!;
    context.drawImage(image, 0, 0);
    const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
      const channels = [data[i]!, data[i + 1]!, data[i + 2]!];
      if (Math.max(...channels) > 150 && Math.max(...channels) - Math.min(...channels) > 80) count++;
    }
    return count;
  }, png.toString('base64'));
}

async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await saveScreenshot(page, testInfo, name);
}

test.describe('caption overlay', () => {
  test.setTimeout(180_000);

  test('drag, resize, text size and background are remembered (position per site); hide and show; stays in the viewport', async ({
    app,
    audio,
  }, testInfo) => {
    const server = await servePages(audio.page);
    try {
      const page = await openPlayingPage(app, `${server.origin}/light.html`);
      await startCaptionsOnPlayingPage(app, page);
      await waitForFinalLine(page, /good\W+morning/i);

      const start = await readBox(page);
      expectInsideViewport(start);
      // Bottom centre by default.
      expect(Math.abs(start!.left + start!.width / 2 - 640)).toBeLessThanOrEqual(2);
      expect(start!.top + start!.height).toBeGreaterThan(720 * 0.8);
      await shot(page, testInfo, 'overlay-light-page');

      // Drag from the middle of the box: it follows the pointer.
      const grab = { x: start!.left + start!.width / 2, y: start!.top + start!.height / 2 };
      await dragMouse(page, grab, { x: grab.x - 150, y: grab.y - 300 });
      const dragged = await readBox(page);
      expect(dragged!.left).toBeCloseTo(start!.left - 150, -1);
      expect(dragged!.top).toBeCloseTo(start!.top - 300, -1);

      // Resize from the right edge.
      await dragMouse(page, { x: dragged!.left + dragged!.width - 2, y: dragged!.top + dragged!.height / 2 }, {
        x: dragged!.left + dragged!.width - 122,
        y: dragged!.top + dragged!.height / 2,
      });
      const resized = await readBox(page);
      expect(resized!.width).toBeCloseTo(dragged!.width - 120, -1);
      expect(resized!.left).toBe(dragged!.left);

      // Text size from the toolbar, background from the settings panel.
      await page.mouse.move(resized!.left + 40, resized!.top + 20);
      await clickInOverlay(page, 'caption-font-larger');
      await clickInOverlay(page, 'caption-font-larger');
      await expect.poll(async () => (await readBox(page))?.fontSize).toBe('28px');
      await clickInOverlay(page, 'caption-settings');
      await fillInOverlay(page, 'caption-opacity-input', '0.6');
      await expect.poll(async () => (await readBox(page))?.background).toBe('rgba(0, 0, 0, 0.6)');
      await clickInOverlay(page, 'caption-settings');
      await page.waitForTimeout(600); // the appearance is saved once the sliders pause
      const before = (await readBox(page))!;

      // Hide with the button: hidden stays hidden for the session, across a reload of the page
      // (the background injects the overlay again into the new document).
      await clickInOverlay(page, 'caption-hide');
      await expectNoBox(page);
      await expectNoBox(page, 'caption-live-region');
      await page.reload();
      await waitForPlayback(page);
      await expect.poll(() => closedShadowHostCount(page), { timeout: 20_000, message: 'the overlay in the reloaded page' }).toBe(1);
      // Nothing to wait for that the overlay shows when hidden: give it the time the session's
      // state and a caption take to arrive (well under a second here), then check it drew nothing.
      await page.waitForTimeout(3_000);
      await expectNoBox(page, 'captions', `hidden after the reload (${await describeOverlay(page)})`);
      // The popup says so and shows them again.
      await showFromPopup(app, page, testInfo);
      await expectBoxVisible(page);
      expect(await readBox(page)).toMatchObject({ left: before.left, top: before.top, width: before.width });

      // Hide and show with the message the keyboard command sends.
      await toggleFromExtension(app, page);
      await expectNoBox(page);
      await toggleFromExtension(app, page);
      await expectBoxVisible(page);
      await waitForFinalLine(page, /good\W+morning|budget/i);

      // The window shrinks: the box stays inside it; it grows back: the box returns.
      await page.setViewportSize({ width: 560, height: 360 });
      await expect.poll(async () => (await readBox(page))?.viewport.width).toBe(560);
      // The page sees the new size before the overlay's resize handler has re-placed the box.
      await expect
        .poll(async () => {
          const box = await readBox(page);
          return !!box && box.left + box.width <= box.viewport.width && box.top + box.height <= box.viewport.height;
        }, { message: 'the box back inside the smaller window' })
        .toBe(true);
      expectInsideViewport(await readBox(page));
      await shot(page, testInfo, 'overlay-small-window');
      await page.setViewportSize({ width: 1280, height: 720 });
      await expect.poll(async () => (await readBox(page))?.left).toBe(before.left);

      // Reload and start again: the same place, width, size and background on this site.
      await stopFromPopup(app, page);
      await page.reload();
      await waitForPlayback(page);
      await startCaptionsOnPlayingPage(app, page);
      await expect
        .poll(async () => await readBox(page), { timeout: 20_000, message: `the box after a restart (${await describeOverlay(page)})` })
        .not.toBeNull()
        .catch(async (error: unknown) => {
          throw new Error(`No caption box after the restart: ${await describeOverlay(page)}`, { cause: error });
        });
      expect(await readBox(page)).toMatchObject({
        left: before.left,
        top: before.top,
        width: before.width,
        fontSize: '28px',
        background: 'rgba(0, 0, 0, 0.6)',
      });

      // On a dark page.
      await page.evaluate(() => {
        document.body.style.background = '#0f1115';
        document.body.style.color = '#e6e6e6';
      });
      await waitForFinalLine(page, /budget/i);
      await shot(page, testInfo, 'overlay-dark-page');
      await stopFromPopup(app, page);

      // Another site (same server, other origin): its own default position, the same appearance.
      // (One tab at a time: the popup acts on the active tab of its window.)
      await page.close();
      const other = await openPlayingPage(app, `${server.origin.replace('127.0.0.1', 'localhost')}/dark.html`);
      await startCaptionsOnPlayingPage(app, other);
      await expect.poll(async () => (await readBox(other))?.fontSize, { timeout: 20_000 }).toBe('28px');
      const elsewhere = (await readBox(other))!;
      expect(Math.abs(elsewhere.left + elsewhere.width / 2 - 640)).toBeLessThanOrEqual(2);
      expect(elsewhere.top).not.toBe(before.top);
      await stopFromPopup(app, other);
    } finally {
      await server.close();
    }
  });

  test('follows an element into fullscreen and back, and shows over a fullscreen <video>', async ({ app, audio }, testInfo) => {
    const server = await servePages(audio.page);
    try {
      const page = await openPlayingPage(app, `${server.origin}/stage.html`);
      await startCaptionsOnPlayingPage(app, page);
      await waitForFinalLine(page, /good\W+morning/i);

      const where = () =>
        evaluateInOverlayWorld(
          page,
          (overlay) => {
            const host = overlay?.host;
            return {
              fullscreen: document.fullscreenElement?.id ?? null,
              parent: host?.parentElement?.id || host?.parentElement?.tagName.toLowerCase() || null,
              popoverOpen: host?.matches(':popover-open') ?? false,
            };
          },
          undefined,
          null,
        );

      // A rename in the side panel's store reaches the overlay's labels.
      await renameSpeaker(app, page, 1, 'Dana');
      await expect.poll(() => speakerLabels(page), { timeout: 30_000 }).toContain('Dana: ');

      await page.evaluate(() => document.getElementById('stage')!.requestFullscreen());
      await expect.poll(where).toEqual({ fullscreen: 'stage', parent: 'stage', popoverOpen: false });
      await expectBoxVisible(page);
      const inStage = (await readBox(page))!;
      expectInsideViewport(inStage);
      // Still a working box in there: it can be dragged.
      const grab = { x: inStage.left + inStage.width / 2, y: inStage.top + inStage.height / 2 };
      await dragMouse(page, grab, { x: grab.x - 100, y: grab.y - 200 });
      const moved = (await readBox(page))!;
      expect([moved.left, moved.top]).toEqual([inStage.left - 100, inStage.top - 200]);
      await waitForFinalLine(page, /budget/i);
      await shot(page, testInfo, 'fullscreen-element');

      await page.evaluate(() => document.exitFullscreen());
      await expect.poll(where).toEqual({ fullscreen: null, parent: 'html', popoverOpen: false });
      await expectBoxVisible(page);

      // A <video> in fullscreen draws no children: the overlay goes to the top layer above it.
      await page.evaluate(() => document.getElementById('clip')!.requestFullscreen());
      await expect.poll(where).toEqual({ fullscreen: 'clip', parent: 'html', popoverOpen: true });
      await expectBoxVisible(page);
      expectInsideViewport(await readBox(page));
      // Painted above the video: the video is black, so speaker-coloured pixels in the box's
      // area can only be our caption text. (Hit-testing cannot show the stacking: Chromium makes
      // everything but the fullscreen element inert, top layer included; fullscreen-presses.ts.)
      const inVideo = (await readBox(page))!;
      const png = await page.screenshot({ clip: { x: inVideo.left, y: inVideo.top, width: inVideo.width, height: inVideo.height } });
      await shot(page, testInfo, 'fullscreen-video');
      // Yet it can be dragged there: presses on it are taken from the video, which sees none of
      // them (a click would play or pause it, a double click leave fullscreen).
      await page.evaluate(() => {
        const clip = document.getElementById('clip')!;
        const seen: string[] = [];
        for (const type of ['pointerdown', 'pointerup', 'mousedown', 'click', 'dblclick']) clip.addEventListener(type, () => seen.push(type));
        Object.assign(window, { clipSaw: seen });
      });
      const grabVideo = { x: inVideo.left + inVideo.width / 2, y: inVideo.top + inVideo.height / 2 };
      await dragMouse(page, grabVideo, { x: grabVideo.x + 120, y: grabVideo.y - 250 });
      const movedInVideo = (await readBox(page))!;
      expect([movedInVideo.left, movedInVideo.top]).toEqual([inVideo.left + 120, inVideo.top - 250]);
      await page.mouse.dblclick(movedInVideo.left + 20, movedInVideo.top + 20);
      expect(await where()).toEqual({ fullscreen: 'clip', parent: 'html', popoverOpen: true });
      expect(await page.evaluate(() => (window as unknown as { clipSaw: string[] }).clipSaw)).toEqual([]);
      // Away from the box the video gets its clicks as before.
      await page.mouse.click(40, 40);
      expect(await page.evaluate(() => (window as unknown as { clipSaw: string[] }).clipSaw)).toEqual(['pointerdown', 'mousedown', 'pointerup', 'click']);
      await page.waitForTimeout(300); // the toolbar shown while dragging fades out
      await shot(page, testInfo, 'fullscreen-video-dragged');
      await page.evaluate(() => document.exitFullscreen());
      await expect.poll(where).toEqual({ fullscreen: null, parent: 'html', popoverOpen: false });
      expect(await colourfulPixels(page, png), 'speaker-coloured caption text over the fullscreen video').toBeGreaterThan(200);
      await stopFromPopup(app, page);
    } finally {
      await server.close();
    }
  });

  test('keeps clear of a playing video\'s controls, in the page and in fullscreen; Escape closes the settings panel, as do fullscreen and Stop', async ({ app, audio }, testInfo) => {
    const server = await servePages(audio.page);
    try {
      const page = await openPlayingPage(app, `${server.origin}/player.html`);
      await startCaptionsOnPlayingPage(app, page);
      await waitForFinalLine(page, /good\W+morning/i);
      const player = await page.evaluate(() => {
        const rect = document.getElementById('player')!.getBoundingClientRect();
        return { left: rect.left, bottom: rect.bottom, centre: rect.left + rect.width / 2 };
      });
      // Chromium's control bar is about 50 px tall: the box ends above it, centred on the video.
      await expect.poll(async () => (await readBox(page))?.top).toBeLessThan(player.bottom - 64 - 60);
      const inPage = (await readBox(page))!;
      expect(inPage.top + inPage.height).toBeLessThanOrEqual(player.bottom - 64);
      expect(Math.abs(inPage.left + inPage.width / 2 - player.centre)).toBeLessThanOrEqual(2);
      await shot(page, testInfo, 'clear-of-video-controls');
      // The controls are reachable: a click on the play button's place pauses the video.
      await page.mouse.click(player.left + 24, player.bottom - 24);
      await expect.poll(() => page.evaluate(() => (document.getElementById('player') as HTMLVideoElement).paused)).toBe(true);
      await page.evaluate(() => (document.getElementById('player') as HTMLVideoElement).play());

      // Escape closes the settings panel.
      await page.mouse.move(inPage.left + 40, inPage.top + 20);
      await clickInOverlay(page, 'caption-settings');
      await expect.poll(() => overlayTestIdCount(page, 'caption-settings-panel')).toBe(1);
      await page.keyboard.press('Escape');
      await expectNoBox(page, 'caption-settings-panel', 'Escape closed the settings panel');

      // Fullscreen: the video fills the screen, the box stays whole and above its bigger bar;
      // a panel left open closes on the way in.
      await clickInOverlay(page, 'caption-settings');
      await expect.poll(() => overlayTestIdCount(page, 'caption-settings-panel')).toBe(1);
      await page.evaluate(() => document.getElementById('player')!.requestFullscreen());
      await expectNoBox(page, 'caption-settings-panel', 'fullscreen closed the settings panel');
      const bottomEdge = async () => {
        const box = await readBox(page);
        return box ? box.top + box.height : null;
      };
      // The fullscreen video's bottom is the screen's: the box moves down to just above its bar.
      await expect.poll(bottomEdge, { message: 'the box re-placed for the fullscreen video' }).toBeGreaterThan(600);
      const full = (await readBox(page))!;
      expectInsideViewport(full);
      expect(full.top + full.height).toBeLessThanOrEqual(720 - 72);
      expect(Math.abs(full.left + full.width / 2 - 640)).toBeLessThanOrEqual(2);
      await page.waitForTimeout(300); // the toolbar fades
      await shot(page, testInfo, 'clear-of-video-controls-fullscreen');
      await page.evaluate(() => document.exitFullscreen());

      // Stop: the last lines linger, the panel does not.
      await expect.poll(async () => (await readBox(page))?.left).toBe(inPage.left);
      await page.mouse.move(inPage.left + 40, inPage.top + 20);
      await clickInOverlay(page, 'caption-settings');
      await expect.poll(() => overlayTestIdCount(page, 'caption-settings-panel')).toBe(1);
      await stopFromPopup(app, page);
      await expectNoBox(page, 'caption-settings-panel', 'Stop closed the settings panel');
      expect(await overlayTestIdCount(page, 'captions'), 'the last lines still shown').toBe(1);
    } finally {
      await server.close();
    }
  });

  test.describe('with Deepgram unreachable from the proxy', () => {
    // Nothing listens on port 9 of the loopback: the proxy's upstream connection is refused.
    test.use({ proxyEnv: { DEEPGRAM_API_KEY: DEEPGRAM_KEY, DEEPGRAM_URL: 'ws://127.0.0.1:9/v1/listen' } });

    test('the popup and the overlay name Deepgram, not the proxy, while captions retry', async ({ app, audio }, testInfo) => {
      const server = await servePages(audio.page);
      try {
        const page = await openPlayingPage(app, `${server.origin}/light.html`);
        const popup = await clickToolbarButton(app, page);
        try {
          await pressStart(popup, 'tab');
          // One reading for every check: the warning comes and goes while captions retry, so a
          // second reading may find the popup between two attempts.
          let text = '';
          await expect
            .poll(async () => (text = await popup.evaluate<string>(`document.body.innerText`)), { timeout: 20_000, message: 'the popup names the speech service' })
            .toContain('its speech service (Deepgram) is not answering');
          expect(text).toContain('ECONNREFUSED');
          expect(text).not.toContain('connection to the proxy was lost');
        } finally {
          await popup.close();
        }
        const notice = () =>
          evaluateInOverlayWorld(page, (overlay) => overlay?.root.querySelector('[data-testid=caption-notice]')?.textContent ?? null, undefined, null);
        await expect.poll(notice, { timeout: 20_000, message: 'the overlay says who failed' }).toContain('speech service (Deepgram)');
        await shot(page, testInfo, 'deepgram-unreachable');
        await stopFromPopup(app, page);
      } finally {
        await server.close();
      }
    });
  });

  test.describe('with a real keyboard', () => {
    // Headed Chromium on its own Xvfb: a key typed on the X display goes through the browser
    // window, where extension shortcuts live. Playwright's keyboard (CDP Input.dispatchKeyEvent)
    // hands keys to the page directly and never fires chrome.commands, headless or headed
    // (tried on Chromium 156; see testkit/browser/x-display.ts).
    const keyboardTest = test.extend<{ xvfb: XDisplay }>({
      xvfb: async ({}, use) => {
        const started = await startXvfb();
        if (!started.ok) throw new Error(started.message);
        try {
          await use(started.x);
        } finally {
          await started.x.stop();
        }
      },
      xDisplay: async ({ xvfb }, use) => {
        await use(xvfb.display);
      },
    });

    keyboardTest('Alt+Shift+H typed on the keyboard hides the captions and shows them again', async ({ app, audio, xvfb }, testInfo) => {
      const server = await servePages(audio.page);
      try {
        const page = await openPlayingPage(app, `${server.origin}/light.html`);
        await startCaptionsOnPlayingPage(app, page);
        await waitForFinalLine(page, /good\W+morning/i);
        await page.evaluate(() => {
          const keys: string[] = [];
          document.addEventListener('keydown', (event) => keys.push(event.key), true);
          Object.assign(window, { keysSeen: keys });
        });
        const title = await page.title();

        await typeKeys(xvfb.display, title, 'alt+shift+h');
        await expectNoBox(page);
        await shot(page, testInfo, 'keyboard-hidden');
        await typeKeys(xvfb.display, title, 'alt+shift+h');
        await expectBoxVisible(page);
        // The browser took the shortcut: the page saw the modifiers go down, never the H.
        const keys = await page.evaluate(() => (window as unknown as { keysSeen: string[] }).keysSeen);
        expect(keys.filter((key) => key.toLowerCase() === 'h')).toEqual([]);
        await shot(page, testInfo, 'keyboard-shown');
        await stopFromPopup(app, page);
      } finally {
        await server.close();
      }
    });

    keyboardTest('Alt+Shift+F moves keyboard focus to the captions, shown if hidden; Escape gives it back', async ({ app, audio, xvfb }, testInfo) => {
      const server = await servePages(audio.page);
      try {
        const page = await openPlayingPage(app, `${server.origin}/light.html`);
        await startCaptionsOnPlayingPage(app, page);
        await waitForFinalLine(page, /good\W+morning/i);
        await page.evaluate(() => document.getElementById('speech')!.focus());
        const focusedInOverlay = () =>
          evaluateInOverlayWorld(page, (overlay) => overlay?.root.activeElement?.getAttribute('data-testid') ?? null, undefined, null);
        const title = await page.title();

        await typeKeys(xvfb.display, title, 'alt+shift+f');
        await expect.poll(focusedInOverlay).toBe('captions');
        await shot(page, testInfo, 'keyboard-focused');
        // The box's own keys work from there.
        const before = (await readBox(page))!;
        await typeKeys(xvfb.display, title, 'Up');
        await expect.poll(async () => (await readBox(page))?.top).toBe(before.top - 16);
        await typeKeys(xvfb.display, title, 'Escape');
        await expect.poll(focusedInOverlay).toBeNull();
        expect(await page.evaluate(() => document.activeElement?.id)).toBe('speech');

        // Hidden captions are shown, then focused.
        await typeKeys(xvfb.display, title, 'alt+shift+h');
        await expectNoBox(page);
        await typeKeys(xvfb.display, title, 'alt+shift+f');
        await expectBoxVisible(page);
        await expect.poll(focusedInOverlay).toBe('captions');
        await stopFromPopup(app, page);
      } finally {
        await server.close();
      }
    });

    keyboardTest('every shortcut gets its suggested key, and Alt+Shift+O typed on the keyboard starts and stops captions', async ({ app, audio, xvfb }) => {
      // Chromium leaves a command without its key when another accelerator holds it (Alt+Shift+C
      // did, on Chromium 156), and nothing else would tell.
      const manifest = await app.serviceWorker.evaluate<Record<string, { suggested_key?: { default?: string } }>>(
        'chrome.runtime.getManifest().commands ?? {}',
      );
      const assigned = await app.serviceWorker.evaluate<{ name: string; shortcut: string }[]>('chrome.commands.getAll()');
      for (const [name, command] of Object.entries(manifest)) {
        const suggested = command.suggested_key?.default;
        if (suggested) expect(assigned.find((c) => c.name === name)?.shortcut, `${name}'s shortcut`).toBe(suggested);
      }

      const server = await servePages(audio.page);
      try {
        const page = await openPlayingPage(app, `${server.origin}/light.html`);
        const title = await page.title();
        await typeKeys(xvfb.display, title, 'alt+shift+o');
        await waitForFinalLine(page, /good\W+morning/i);
        await typeKeys(xvfb.display, title, 'alt+shift+o');
        const popup = await clickToolbarButton(app, page);
        try {
          await expectPhase(popup, ['idle'], 15_000);
        } finally {
          await popup.close();
        }
      } finally {
        await server.close();
      }
    });
  });

  test.describe('with HTML and script in the transcript', () => {
    test.use({ fakeScript: { utterances: HOSTILE } });

    test('shows them as text, injects nothing, on a page whose CSP blocks all its own styles and scripts', async ({ app, audio }, testInfo) => {
      const server = await servePages(audio.page);
      try {
        const page = await app.context.newPage();
        const dialogs: string[] = [];
        page.on('dialog', (dialog) => {
          dialogs.push(dialog.message());
          void dialog.dismiss();
        });
        await page.route('**/strict.html', async (route) => {
          const response = await route.fetch();
          await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': STRICT_CSP } });
        });
        await page.setViewportSize({ width: 1280, height: 720 });
        await page.goto(`${server.origin}/strict.html`);
        await waitForPlayback(page);
        // The CSP is in force: the page's own inline style did not apply.
        expect(await page.evaluate(() => getComputedStyle(document.getElementById('csp-probe')!).color)).not.toBe('rgb(255, 0, 0)');
        const elementsBefore = await page.evaluate(() => [...document.querySelectorAll('*')].map((el) => el.tagName.toLowerCase()));

        await startCaptionsOnPlayingPage(app, page);
        await installCaptionRecorder(page);
        await waitForFinalLine(page, IMG);
        await waitForFinalLine(page, SCRIPT);

        const { lines } = await readOverlay(page);
        const text = lines.map((l) => l.text).join('\n');
        expect(text).toContain(IMG);
        expect(text).toContain(SCRIPT);
        expect(text).toContain('<b>bold</b>');

        // Nothing was created from the words: the page has exactly its own elements plus our host
        // (a <div> appended to <html>, so last), and the shadow root holds only the overlay's own
        // kinds of element.
        const elementsAfter = await page.evaluate(() => [...document.querySelectorAll('*')].map((el) => el.tagName.toLowerCase()));
        expect(elementsAfter).toEqual([...elementsBefore, 'div']);
        const shadowTags = await evaluateInOverlayWorld(
          page,
          (overlay) => [...new Set([...(overlay?.root.querySelectorAll('*') ?? [])].map((el) => el.tagName.toLowerCase()))],
          undefined,
          [],
        );
        expect(shadowTags, 'elements in the overlay').toContain('button');
        expect(shadowTags.filter((tag) => !['div', 'p', 'span', 'button', 'svg', 'path', 'rect', 'circle'].includes(tag))).toEqual([]);
        expect(dialogs).toEqual([]);

        // The overlay's own styles apply in spite of the CSP (a constructed stylesheet).
        const box = await readBox(page);
        expect(box).toMatchObject({ position: 'fixed', background: 'rgba(0, 0, 0, 0.8)', fontSize: '24px' });
        expectInsideViewport(box);

        // The screen-reader region got the finals as text too.
        const announced = await evaluateInOverlayWorld(
          page,
          (overlay) => overlay?.root.querySelector('[data-testid=caption-live-region]')?.textContent ?? '',
          undefined,
          '',
        );
        expect(announced).toContain(IMG);
        await shot(page, testInfo, 'strict-csp-html-as-text');
        await stopFromPopup(app, page);
      } finally {
        await server.close();
      }
    });
  });
});
