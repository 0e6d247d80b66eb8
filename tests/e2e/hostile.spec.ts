/**
 * A hostile upstream behind the real proxy (testkit/upstream/hostile.ts in hostile mode):
 * garbage interleaved with valid Results (invalid JSON, wrong types, NaN and negative times, huge
 * and deeply nested messages, unknown types, binary frames, a replayed old final with other
 * words), and valid transcripts that carry HTML and script. The real extension must keep
 * captioning the valid words, show the markup as text, and the page must gain no element but the
 * overlay's own.
 */
import type { Page } from '@playwright/test';
import { readOverlay } from '../../testkit/browser/captions';
import { evaluateInOverlayWorld, type OverlayInWorld } from '../../testkit/browser/overlay-world';
import { MARKUP_SCRIPT, MARKUP_WORD, startFakeUpstream, type HostileUpstream } from '../../testkit/upstream';
import { clickToolbarButton, startCaptionsOnPlayingPage } from '../../testkit/captions/start-captions';
import { expectPhase, stopFromPopup } from './support/caption-flow';
import { expect, test as base } from './support/fixtures';
import { saveScreenshot, saveText } from './support/screenshots';
import { openSidePanel, readUtterances } from './support/side-panel';
import { startSpeechPage, waitForPlayback } from '../../testkit/captions/speech-page';

const DEEPGRAM_KEY = 'hostile-upstream-key-for-e2e';

const test = base.extend<{ upstream: HostileUpstream }>({
  upstream: async ({}, use) => {
    const upstream = await startFakeUpstream({ mode: 'hostile', apiKey: DEEPGRAM_KEY, garbage: { rate: 0.6, seed: 7 }, markup: { every: 3 } });
    try {
      await use(upstream);
    } finally {
      await upstream.close();
    }
  },
  proxyEnv: async ({ upstream }, use) => {
    await use({ DEEPGRAM_API_KEY: DEEPGRAM_KEY, DEEPGRAM_URL: upstream.url });
  },
});

/** Every element of the document and of open shadow roots, as tag names (what a page "shows"), read from the page's world. */
function pageElements(): { tags: string[]; handlers: string[]; pwned: unknown } {
  const handlers: string[] = [];
  const walk = (root: Document | ShadowRoot, into: string[]) => {
    for (const el of root.querySelectorAll('*')) {
      into.push(el.tagName.toLowerCase());
      for (const name of el.getAttributeNames()) if (/^on/i.test(name)) handlers.push(`${el.tagName.toLowerCase()}[${name}]`);
      if (el.shadowRoot) walk(el.shadowRoot, into);
    }
  };
  const tags: string[] = [];
  walk(document, tags);
  return { tags, handlers, pwned: (window as unknown as { __captionistPwned?: unknown }).__captionistPwned };
}

/**
 * The overlay's host and everything in its closed shadow root, read from the content script's
 * world (testkit/browser/overlay-world.ts): tags, inline handlers, and the elements inside
 * caption lines.
 */
async function overlayElements(page: Page): Promise<{ hostTag: string | null; tags: string[]; handlers: string[]; captionChildren: string[] }> {
  const read = (overlay: OverlayInWorld | null) => {
    if (!overlay) return { hostTag: null, tags: [], handlers: [], captionChildren: [] };
    const tags: string[] = [];
    const handlers: string[] = [];
    for (const el of overlay.root.querySelectorAll('*')) {
      tags.push(el.tagName.toLowerCase());
      for (const name of el.getAttributeNames()) if (/^on/i.test(name)) handlers.push(`${el.tagName.toLowerCase()}[${name}]`);
    }
    // Inside a caption line only the overlay's own markup may appear (a speaker label), never the transcript's.
    const captionChildren = [...overlay.root.querySelectorAll('[data-testid=caption-line] *, [data-testid=caption-interim] *')].map(
      (el) => `${el.tagName.toLowerCase()}.${el.className}`,
    );
    return { hostTag: overlay.host.tagName.toLowerCase(), tags, handlers, captionChildren };
  };
  return evaluateInOverlayWorld(page, read, undefined, { hostTag: null, tags: [], handlers: [], captionChildren: [] });
}

test.describe('hostile upstream', () => {
  test('garbage between valid results: captions go on, markup shows as text, no element is injected', async ({ app, audio, upstream }, testInfo) => {
    test.setTimeout(120_000);
    const speech = await startSpeechPage(audio.page, 'Captionist hostile upstream test');
    try {
      const tab = await app.context.newPage();
      await tab.goto(speech.url);
      await waitForPlayback(tab);
      const before = await tab.evaluate(pageElements);
      await startCaptionsOnPlayingPage(app, tab);

      // Enough hostile traffic, and valid words and markup finals among it.
      const finals = new Set<string>();
      let sawMarkup = false;
      let sawGhost = false;
      await expect
        .poll(
          async () => {
            const { lines } = await readOverlay(tab);
            for (const line of lines) {
              if (line.text.includes('ghost')) sawGhost = true;
              if (!line.final) continue;
              if (line.text.includes(MARKUP_WORD) || line.text.includes(MARKUP_SCRIPT)) sawMarkup = true;
              for (const word of line.text.split(/\s+/)) if (/^w[0-9a-f]{10}$/.test(word)) finals.add(word);
            }
            const garbage = upstream.connections.reduce((n, c) => n + c.garbageSent, 0);
            return finals.size >= 30 && garbage >= 100 && sawMarkup;
          },
          { timeout: 60_000, intervals: [250], message: 'valid words, markup shown as text, and 100+ garbage messages' },
        )
        .toBe(true);

      const after = await tab.evaluate(pageElements);
      const overlay = await overlayElements(tab);
      // Only the overlay's host was added to what the page sees (its shadow root is closed, so the
      // page's walk does not enter it); nothing else anywhere.
      expect(overlay.hostTag, "the overlay's host").not.toBeNull();
      const counts = (tags: string[]) => tags.reduce((map, tag) => map.set(tag, (map.get(tag) ?? 0) + 1), new Map<string, number>());
      const was = counts(before.tags);
      const added = counts([overlay.hostTag ?? '']);
      const unexpected = [...counts(after.tags)].filter(([tag, n]) => n - (was.get(tag) ?? 0) > (added.get(tag) ?? 0)).map(([tag]) => tag);
      expect(unexpected, 'elements added outside the overlay').toEqual([]);
      expect(after.handlers, 'inline event handlers anywhere in the page').toEqual(before.handlers);
      expect(overlay.handlers, 'inline event handlers in the overlay').toEqual([]);
      for (const child of overlay.captionChildren) expect(child, 'element inside a caption line').toMatch(/^span\.(speaker|interim)?/);
      for (const tag of ['img', 'script', 'iframe', 'object', 'embed']) {
        expect(overlay.tags, `<${tag}> in the overlay`).not.toContain(tag);
        expect(after.tags.filter((t) => t === tag).length, `<${tag}> in the page`).toBe(before.tags.filter((t) => t === tag).length);
      }
      expect(after.pwned, 'no injected handler ran').toBeUndefined();
      // The replayed old final with other words was dropped as a duplicate.
      expect(sawGhost, 'words of a replayed old final shown').toBe(false);
      await saveScreenshot(tab, testInfo, 'page-with-hostile-captions');

      // Captions keep coming after all that.
      const count = finals.size;
      await expect
        .poll(
          async () => {
            for (const line of (await readOverlay(tab)).lines) {
              if (line.final) for (const word of line.text.split(/\s+/)) if (/^w[0-9a-f]{10}$/.test(word)) finals.add(word);
            }
            return finals.size;
          },
          { timeout: 15_000 },
        )
        .toBeGreaterThan(count + 5);

      // The side panel: the same transcript, markup as text, no injected element.
      const panel = await openSidePanel(app.context, app.extensionId);
      try {
        await expect.poll(async () => (await readUtterances(panel)).map((u) => u.text).join(' '), { timeout: 10_000 }).toContain('<img');
        const panelTags = await panel.evaluate(() => [...document.querySelectorAll('img, script, svg, iframe')].map((el) => el.outerHTML.slice(0, 80)));
        // The panel's own icons are allowed; nothing from a transcript is.
        expect(panelTags.filter((html) => /onerror|captionistPwned/.test(html))).toEqual([]);
        expect(await panel.evaluate(() => (window as unknown as { __captionistPwned?: unknown }).__captionistPwned)).toBeUndefined();
        await saveScreenshot(panel, testInfo, 'side-panel-hostile');
      } finally {
        await panel.close();
      }

      const popupAfter = await clickToolbarButton(app, tab);
      try {
        await expectPhase(popupAfter, ['live'], 5_000);
      } finally {
        await popupAfter.close();
      }
      await stopFromPopup(app, tab);
      const figures = {
        validMessages: upstream.connections.reduce((n, c) => n + c.validSent, 0),
        garbageMessages: upstream.connections.reduce((n, c) => n + c.garbageSent, 0),
        captionWords: finals.size,
        upstreamConnections: upstream.connections.length,
      };
      await saveText(testInfo, 'hostile-figures.json', JSON.stringify(figures, null, 2));
      console.log('[hostile] ', JSON.stringify(figures));
      // One connection throughout: garbage never cost the session its socket.
      expect(upstream.connections).toHaveLength(1);
    } finally {
      await speech.server.close();
    }
  });
});
