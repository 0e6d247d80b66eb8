/**
 * `npm run bench:latency -- --local-engine`: how soon the local engine's captions show while
 * people speak. The real proxy runs without DEEPGRAM_API_KEY (pocketsphinx, proxy/upstreams/
 * engine-decoder.ts); the latency page plays its event sound (tone burst, then 0.7 s of speech)
 * every `--spacing` seconds, and the overlay's DOM is watched in the content script's world:
 *
 *   speech -> first interim : the burst rendered in the tab -> the first interim text of that
 *                             event in the overlay, and the next animation frame (paint).
 *   speech -> final         : the same start -> its final text painted (the engine ends an
 *                             utterance on silence, or when the VAD-gated client stops sending).
 *
 * The k-th utterance on screen (interims, then a final) is the k-th event's.
 *
 * Both ends are read on the document's clock (performance.timeOrigin + now()): no Node calibration.
 * The speech starts 100 ms after the burst (latency-audio.ts), so these include those 100 ms.
 */
import { randomBytes } from 'node:crypto';
import type { Page } from '@playwright/test';
import { launchWithExtension, type LaunchedBrowser } from '../testkit/browser/launch';
import { evaluateInOverlayWorld, runInEveryOverlayWorld, type OverlayInWorld, type WorldTools } from '../testkit/browser/overlay-world';
import { configureExtension } from '../testkit/browser/options-page';
import { startStaticServer } from '../testkit/browser/static-server';
import { startCaptionsOnPlayingPage } from '../testkit/captions/start-captions';
import { startProxy } from '../testkit/servers/proxy-process';
import { latencyPageHtml, type LatencyPageApi, type PageRecord } from './latency-page';
import { placeEvents, summarize, type Summary } from './latency-measure';

const LEAD_SECONDS = 1.5;

/** One change of the overlay's captions, on the document's clock. */
export interface CaptionPaint {
  kind: 'interim' | 'final';
  text: string;
  mutationMs: number;
  rafMs: number | null;
}

export interface LocalEngineRun {
  events: number;
  /** Utterances seen on screen: the figures mean something only when this equals `events`. */
  utterances: number;
  firstInterim: { toDom: Summary; toPaint: Summary; missing: number };
  final: { toDom: Summary; toPaint: Summary; missing: number };
  /** Interim texts painted per event (how live the line looks). */
  interimsPerEvent: Summary;
}

/**
 * Runs in the content script's isolated world: records each new interim text and each change of the
 * final text in the overlay (data-final, components/overlay-caption-text.tsx), and its paint.
 */
export function watchCaptionPaints(overlay: OverlayInWorld | null, _arg: undefined, tools: WorldTools): void {
  const epochMs = () => performance.timeOrigin + performance.now();
  const w = window as unknown as { __captionPaints?: CaptionPaint[] };
  if (w.__captionPaints) return;
  const paints: CaptionPaint[] = [];
  w.__captionPaints = paints;
  let lastInterim = '';
  let lastFinal = '';
  const scan = (root: ShadowRoot) => {
    const textOf = (selector: string) => [...root.querySelectorAll(selector)].map((node) => node.textContent).join(' ').trim();
    const interim = textOf('[data-final="false"]');
    const final = textOf('[data-final="true"]');
    const changes: CaptionPaint[] = [];
    if (interim !== '' && interim !== lastInterim) changes.push({ kind: 'interim', text: interim, mutationMs: epochMs(), rafMs: null });
    // An utterance is final when its interim gives way to final text (the final text also changes
    // when old lines scroll out, which is no utterance).
    if (lastInterim !== '' && interim === '' && final !== lastFinal) changes.push({ kind: 'final', text: final, mutationMs: epochMs(), rafMs: null });
    lastInterim = interim;
    lastFinal = final;
    for (const change of changes) {
      paints.push(change);
      requestAnimationFrame(() => (change.rafMs = epochMs()));
    }
  };
  const watch = (root: ShadowRoot) => {
    scan(root);
    new MutationObserver(() => scan(root)).observe(root, { subtree: true, childList: true, characterData: true });
  };
  if (overlay) {
    watch(overlay.root);
    return;
  }
  const waiting = new MutationObserver(() => {
    const mounted = tools.findOverlay();
    if (!mounted) return;
    waiting.disconnect();
    watch(mounted.root);
  });
  waiting.observe(document.documentElement, { childList: true, subtree: true });
}

export function readCaptionPaints(): CaptionPaint[] {
  return (window as unknown as { __captionPaints?: CaptionPaint[] }).__captionPaints ?? [];
}

/**
 * The paints of one utterance: its interims, then its final. A new utterance starts with the first
 * interim after a final (a final with no interims before it is an utterance too).
 */
export function splitUtterances(paints: readonly CaptionPaint[]): CaptionPaint[][] {
  const utterances: CaptionPaint[][] = [];
  let current: CaptionPaint[] = [];
  for (const paint of paints) {
    current.push(paint);
    if (paint.kind === 'final') {
      utterances.push(current);
      current = [];
    }
  }
  if (current.length > 0) utterances.push(current);
  return utterances;
}

/**
 * Each event is one utterance (0.7 s of speech, seconds of silence after it): the k-th utterance on
 * screen belongs to the k-th event. The engine may lag behind the audio by more than the spacing
 * on a loaded machine, so time windows would give an event the previous one's final.
 */
export function matchCaptionPaints(renders: readonly number[], paints: readonly CaptionPaint[]): LocalEngineRun {
  // Captions of anything heard before the first event (the page loading) are not the events'.
  const utterances = splitUtterances(paints.filter((paint) => paint.mutationMs >= (renders[0] ?? 0)));
  const interimDom: number[] = [];
  const interimPaint: number[] = [];
  const finalDom: number[] = [];
  const finalPaint: number[] = [];
  const perEvent: number[] = [];
  renders.forEach((render, index) => {
    const utterance = utterances[index] ?? [];
    const interims = utterance.filter((paint) => paint.kind === 'interim');
    const final = utterance.find((paint) => paint.kind === 'final');
    perEvent.push(interims.length);
    const first = interims[0];
    if (first) {
      interimDom.push(first.mutationMs - render);
      if (first.rafMs !== null) interimPaint.push(first.rafMs - render);
    }
    if (final) {
      finalDom.push(final.mutationMs - render);
      if (final.rafMs !== null) finalPaint.push(final.rafMs - render);
    }
  });
  return {
    events: renders.length,
    utterances: utterances.length,
    firstInterim: { toDom: summarize(interimDom), toPaint: summarize(interimPaint), missing: renders.length - interimDom.length },
    final: { toDom: summarize(finalDom), toPaint: summarize(finalPaint), missing: renders.length - finalDom.length },
    interimsPerEvent: summarize(perEvent),
  };
}

export async function runLocalEngine(extensionDir: string, eventWav: string, events: number, spacing: number): Promise<LocalEngineRun> {
  const token = `bench-${randomBytes(16).toString('hex')}`;
  // No DEEPGRAM_API_KEY: the proxy runs the local engine.
  const proxy = await startProxy({ env: { DEEPGRAM_API_KEY: undefined, CAPTIONIST_TOKENS: token, LOG_LEVEL: 'warn' } });
  if (!proxy.ok) throw new Error(proxy.message);
  const server = await startStaticServer({
    '/latency.html': { html: latencyPageHtml() },
    '/event.wav': { file: eventWav, contentType: 'audio/wav' },
  });
  let browser: LaunchedBrowser | undefined;
  try {
    const launched = await launchWithExtension({ headless: true, extensionDir });
    if (!launched.ok) throw new Error(launched.message);
    browser = launched.browser;
    const configured = await configureExtension(browser.context, browser.extensionId, { proxyUrl: proxy.proxy.url, token });
    if (!configured.ok) throw new Error(configured.message);
    const page: Page = await browser.context.newPage();
    for (const other of browser.context.pages()) if (other !== page) await other.close();
    await page.goto(`${server.origin}/latency.html`);
    await page.evaluate(() => (window as unknown as { __latency: LatencyPageApi }).__latency.prepare());
    await startCaptionsOnPlayingPage(browser, page, { waitForPlayback: false });
    await page.bringToFront();
    await runInEveryOverlayWorld(page, watchCaptionPaints, undefined);
    await page.evaluate(
      ([count, gap, lead]) => (window as unknown as { __latency: LatencyPageApi }).__latency.schedule(count, gap, lead, 0),
      [events, spacing, LEAD_SECONDS] as const,
    );
    const runSeconds = LEAD_SECONDS + events * spacing + 3;
    for (let waited = 0; waited < runSeconds; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(10, runSeconds - waited) * 1000));
      process.stderr.write(`  ${Math.min(runSeconds, waited + 10).toFixed(0)}/${runSeconds.toFixed(0)} s\r`);
    }
    process.stderr.write('\n');
    const record: PageRecord = await page.evaluate(() => (window as unknown as { __latency: LatencyPageApi }).__latency.record());
    await page.evaluate(() => (window as unknown as { __latency: LatencyPageApi }).__latency.stop());
    const paints = await evaluateInOverlayWorld(page, readCaptionPaints, undefined, []);
    return matchCaptionPaints(
      placeEvents(record).map((event) => event.renderMs),
      paints,
    );
  } finally {
    await browser?.close();
    await server.close();
    await proxy.proxy.stop();
  }
}

const fmt = (s: Summary) => (s.count > 0 ? `${s.p50.toFixed(0).padStart(5)} ${s.p95.toFixed(0).padStart(5)} ${s.max.toFixed(0).padStart(5)}` : '    -     -     -');

export function printLocalEngineReport(run: LocalEngineRun, spacing: number): void {
  console.log('');
  console.log(`bench:latency --local-engine: ${run.events} events, ${spacing} s apart (tone burst, 0.1 s later 0.7 s of speech); VAD on`);
  if (run.utterances !== run.events) console.log(`WARNING: ${run.utterances} utterances on screen for ${run.events} events: the pairing below is off`);
  console.log('speech -> caption on screen (ms from the burst rendered in the tab), p50/p95/max');
  console.log('                     events missing |   DOM p50/p95/max |  paint p50/p95/max');
  console.log(`first interim ${String(run.events).padStart(12)} ${String(run.firstInterim.missing).padStart(7)} | ${fmt(run.firstInterim.toDom)} | ${fmt(run.firstInterim.toPaint)}`);
  console.log(`final         ${String(run.events).padStart(12)} ${String(run.final.missing).padStart(7)} | ${fmt(run.final.toDom)} | ${fmt(run.final.toPaint)}`);
  console.log(`interims painted per event p50/p95/max: ${fmt(run.interimsPerEvent)}`);
}
