/**
 * A local page that plays recorded speech through an <audio autoplay> element, served from the
 * test on 127.0.0.1 so nothing leaves the machine.
 */
import type { Page } from '@playwright/test';
import { startStaticServer, type StaticServer } from '../browser/static-server';

export interface SpeechPage {
  server: StaticServer;
  url: string;
}

export function speechPageHtml(title: string, loop: boolean): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${title}</title>
<style>
  body { font: 18px/1.5 system-ui, sans-serif; margin: 40px; background: #f6f4ef; color: #222; }
  article { max-width: 640px; }
</style></head>
<body>
<article>
  <h1>${title}</h1>
  <p>This page plays a LibriVox recording of <em>Sense and Sensibility</em> (public domain),
  from Debian's pocketsphinx test data. Captionist should caption it.</p>
  <audio id="speech" src="/speech.wav" autoplay ${loop ? 'loop' : ''} controls></audio>
</article>
</body></html>`;
}

/** Serves the page at a unique path (tab targets are found by URL). */
export async function startSpeechPage(wavFile: string, title: string, loop = true): Promise<SpeechPage> {
  const server = await startStaticServer({
    '/speech.html': { html: speechPageHtml(title, loop) },
    '/speech.wav': { file: wavFile, contentType: 'audio/wav' },
  });
  return { server, url: `${server.origin}/speech.html` };
}

export interface AudioElementState {
  paused: boolean;
  muted: boolean;
  volume: number;
  currentTime: number;
  ended: boolean;
}

export function readAudioElement(page: Page): Promise<AudioElementState> {
  return page.evaluate(() => {
    const audio = document.querySelector<HTMLAudioElement>('#speech');
    if (!audio) throw new Error('no #speech element on the page');
    return { paused: audio.paused, muted: audio.muted, volume: audio.volume, currentTime: audio.currentTime, ended: audio.ended };
  });
}

/** Waits until the page's audio element has really started (currentTime moving). */
export async function waitForPlayback(page: Page, timeoutMs = 10_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const audio = document.querySelector<HTMLAudioElement>('#speech');
      return !!audio && !audio.paused && audio.currentTime > 0.2;
    },
    undefined,
    { timeout: timeoutMs },
  );
}
