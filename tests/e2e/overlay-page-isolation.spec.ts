/**
 * The page under the overlay is not trusted: it must not read the captions (in microphone mode,
 * the user's own words over a third-party site), and what it puts in its own DOM must neither keep
 * the overlay out nor be taken for it (entrypoints/captions.content/mount.tsx).
 *
 * The overlay is read the only way that can still read it: from the content script's isolated
 * world (testkit/browser/overlay-world.ts). The page's view is read with page.evaluate, which runs
 * in the page's main world, as the page's own scripts do.
 */
import type { Page } from '@playwright/test';
import { readOverlay } from '../../testkit/browser/captions';
import type { LaunchedBrowser } from '../../testkit/browser/launch';
import { closedShadowHostCount } from '../../testkit/browser/overlay-world';
import { startStaticServer, type StaticServer } from '../../testkit/browser/static-server';
import type { FakeUtterance } from '../../testkit/upstream';
import { startCaptionsOnPlayingPage } from '../../testkit/captions/start-captions';
import { stopFromPopup } from './support/caption-flow';
import { testWithFakeDeepgram } from './support/fake-deepgram-fixture';
import { expect } from './support/fixtures';
import { saveScreenshot } from './support/screenshots';
import { waitForPlayback } from '../../testkit/captions/speech-page';

const DEEPGRAM_KEY = 'fake-deepgram-key-for-page-isolation-e2e';
/** Words no page text contains, so finding one anywhere means it came from a caption. */
const SCRIPT: FakeUtterance[] = [{ speaker: 0, words: ['private', 'words', 'spoken', 'quietly', 'zephyrine'] }];
const SECRET = 'zephyrine';

const test = testWithFakeDeepgram(DEEPGRAM_KEY, SCRIPT);

/** A page that plays the speech clip, with `extra` markup (and script) before the audio. */
function pageHtml(title: string, extra = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>body { font: 18px/1.5 system-ui, sans-serif; margin: 40px; background: #f6f4ef; color: #222; }</style></head>
<body><article>
  <h1>${title}</h1>
  <p>A LibriVox recording plays below; the caption words come from a scripted fake speech-to-text server.</p>
  ${extra}
  <audio id="speech" src="/speech.wav" autoplay loop controls></audio>
</article></body></html>`;
}

/** A page's own element with the overlay's old tag name, placed before captions start. */
const DECOY = '<captionist-overlay id="decoy-first">a decoy of the page</captionist-overlay>';
/**
 * The page defines the overlay's old tag name as a custom element that refuses shadow roots and
 * counts its constructions (it would run on the overlay's host too, if the host had that name).
 */
const DEFINED = `<script>
  window.decoysConstructed = 0;
  customElements.define('captionist-overlay', class extends HTMLElement {
    static disabledFeatures = ['shadow'];
    constructor() { super(); window.decoysConstructed++; }
  });
</script>${DECOY}`;

async function servePages(wav: string): Promise<StaticServer> {
  return startStaticServer({
    '/plain.html': { html: pageHtml('Captionist isolation, plain page') },
    '/decoy.html': { html: pageHtml('Captionist isolation, a decoy element', DECOY) },
    '/defined.html': { html: pageHtml('Captionist isolation, the tag defined by the page', DEFINED) },
    '/speech.wav': { file: wav, contentType: 'audio/wav' },
  });
}

async function openAndStart(app: LaunchedBrowser, url: string): Promise<Page> {
  const page = await app.context.newPage();
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(url);
  await waitForPlayback(page);
  await startCaptionsOnPlayingPage(app, page);
  return page;
}

/** Waits until the overlay, read from the content script's world, shows the secret word in a final line. */
async function waitForSecretCaption(page: Page, timeout = 45_000): Promise<void> {
  await expect
    .poll(async () => (await readOverlay(page)).lines.some((line) => line.final && line.text.includes(SECRET)), {
      timeout,
      message: 'a final caption line with the scripted words, read through the isolated world',
    })
    .toBe(true);
}

/** Everything the page's own scripts can reach of the captions, from its main world. */
function whatThePageSees(secret: string) {
  const elements = [...document.querySelectorAll('*')];
  const openRoots = elements.map((el) => el.shadowRoot).filter((root): root is ShadowRoot => root !== null);
  // What the content script appends to <html> besides <head> and <body>: the overlay's host.
  const extraRootChildren = [...document.documentElement.children].filter((el) => el !== document.head && el !== document.body);
  return {
    hostTags: extraRootChildren.map((el) => el.tagName.toLowerCase()),
    hostShadowRoots: extraRootChildren.map((el) => el.shadowRoot !== null),
    openRootsWithSecret: openRoots.filter((root) => root.textContent.includes(secret)).length,
    inTextContent: document.documentElement.textContent.includes(secret),
    inInnerText: document.documentElement.innerText.includes(secret),
    inHtml: document.documentElement.outerHTML.includes(secret),
  };
}

/**
 * What a page's script gets by guessing one caption word: window.find searches the rendered text,
 * closed shadow roots included, and selects the match; extending that selection by a line would
 * give the rest of the caption line, if the text can be selected.
 */
function selectionAfterAGuess(guess: string): { found: boolean; extended: string } {
  const finder = window as unknown as { find(text: string, caseSensitive: boolean, backwards: boolean, wrapAround: boolean): boolean };
  const selection = getSelection()!;
  selection.removeAllRanges();
  const found = finder.find(guess, false, false, true);
  selection.modify('extend', 'forward', 'line');
  const extended = selection.toString();
  selection.removeAllRanges();
  return { found, extended };
}

test.describe('the page under the overlay', () => {
  test.setTimeout(150_000);

  test("cannot read the captions from its own world; the content script's world still can", async ({ app, audio }, testInfo) => {
    const server = await servePages(audio.page);
    try {
      const page = await openAndStart(app, `${server.origin}/plain.html`);
      // Until the words are on screen, by whichever way they can be read (with an open root, the
      // page's own way would be the first to see them); then check which ways can.
      await expect
        .poll(
          async () =>
            (await readOverlay(page)).lines.some((line) => line.text.includes(SECRET)) ||
            (await page.evaluate(whatThePageSees, SECRET)).openRootsWithSecret > 0,
          { timeout: 45_000, message: 'the scripted words in the overlay' },
        )
        .toBe(true);

      const seen = await page.evaluate(whatThePageSees, SECRET);
      expect(seen.hostTags, 'one host appended to <html>').toHaveLength(1);
      expect(seen.hostShadowRoots, "the host's shadowRoot, as the page reads it").toEqual([false]);
      expect(seen).toMatchObject({ openRootsWithSecret: 0, inTextContent: false, inInnerText: false, inHtml: false });
      // A guessed first word gives no more words: no caption text can be selected, neither in the
      // box nor in the screen readers' live region. (Whether the guess is on screen, window.find
      // still tells: a limit of any text drawn in the page's document.)
      expect((await page.evaluate(selectionAfterAGuess, SCRIPT[0]!.words[0]!)).extended).not.toContain(SECRET);
      // Nor through the overlay's old tag name.
      expect(await page.evaluate(() => document.querySelector('captionist-overlay')?.shadowRoot?.textContent ?? null)).toBeNull();

      // Through the isolated world, the same overlay reads fine: one host, the words in it.
      expect(await closedShadowHostCount(page)).toBe(1);
      expect((await readOverlay(page)).lines.map((line) => line.text).join(' ')).toContain(SECRET);
      await saveScreenshot(page, testInfo, 'page-with-overlay');
      await stopFromPopup(app, page);
    } finally {
      await server.close();
    }
  });

  for (const [name, path] of [
    ['an element of its own with the tag name, placed first', '/decoy.html'],
    ['that tag name defined as its own custom element, refusing shadow roots', '/defined.html'],
  ] as const) {
    test(`with ${name}: the real overlay shows, once, also when captions start again`, async ({ app, audio }, testInfo) => {
      const server = await servePages(audio.page);
      try {
        const page = await openAndStart(app, `${server.origin}${path}`);
        await waitForSecretCaption(page);
        expect(await closedShadowHostCount(page)).toBe(1);
        await saveScreenshot(page, testInfo, 'page-with-overlay-and-decoy');

        // Another one after injection, then captions started again on the same document: the
        // background injects the content script again, which must find its own overlay, not these.
        await page.evaluate(() => {
          const late = document.createElement('captionist-overlay');
          late.id = 'decoy-late';
          late.textContent = 'another decoy of the page';
          document.documentElement.append(late);
        });
        await stopFromPopup(app, page);
        // The last lines linger after a stop; wait until they are gone so what follows is new.
        await expect.poll(async () => (await readOverlay(page)).lines.length, { timeout: 20_000 }).toBe(0);
        await startCaptionsOnPlayingPage(app, page);
        await waitForSecretCaption(page);
        expect(await closedShadowHostCount(page), 'overlays after the second injection').toBe(1);

        // The page's elements are as the page made them: ours never attached to them.
        const decoys = await page.evaluate(() => ({
          decoys: [...document.querySelectorAll('captionist-overlay')].map((el) => ({ id: el.id, text: el.textContent, shadow: el.shadowRoot !== null })),
          constructed: (window as unknown as { decoysConstructed?: number }).decoysConstructed ?? null,
        }));
        expect(decoys.decoys).toEqual([
          { id: 'decoy-first', text: 'a decoy of the page', shadow: false },
          { id: 'decoy-late', text: 'another decoy of the page', shadow: false },
        ]);
        // The page's constructor ran for its own two elements only, never on the overlay's host.
        if (path === '/defined.html') expect(decoys.constructed).toBe(2);
        await stopFromPopup(app, page);
      } finally {
        await server.close();
      }
    });
  }
});
