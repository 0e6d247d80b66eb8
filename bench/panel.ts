/**
 * `npm run bench:panel`: the side panel with a 3-hour transcript (about 30,000 words), in Chromium
 * with the built extension (run `npx wxt build` first).
 *
 * The panel page is opened as a tab (sidepanel.html, the same document Chrome shows in the side
 * panel) with its runtime messages answered by an init script: `session/get` says a session
 * ended, `transcript/get` returns the generated transcript, and `transcript/update` messages are
 * delivered to the page's listeners as the offscreen document would send them. Nothing else in the
 * page is changed.
 *
 * Measured in the page (performance.now(); "painted" = the first task after the next animation
 * frame, i.e. after that frame's paint):
 *   - first paint: navigation start -> the first transcript rows painted (the live end); and from
 *     the moment transcript/get is answered (the panel's own work, without page load and this
 *     script's own parse of the 3.7 MB transcript);
 *   - every row: navigation start -> all rows in the DOM and painted;
 *   - search: typing a query -> highlighted matches and the first one in view painted;
 *   - next match: pressing Next -> the new current match in view, painted (median of 10);
 *   - jump scroll: scrollTop set to a random place -> painted (p95 of 30);
 *   - live update: one new utterance appended by a transcript/update -> painted at the bottom;
 *   - DOM nodes and JS heap (CDP Performance.getMetrics).
 *
 * Against a named baseline: the same panel rendering every row at once (no progressive render
 * from the live end), built by the bench itself (panel-baseline-wxt.config.ts, into
 * .cache/panel-baseline-build; BENCH_REBUILD=1 rebuilds it) and run in a second browser.
 * Ratios are baseline / ours (> 1: ours faster). Runs interleave the two variants; medians over
 * BENCH_RUNS runs (default 5). BENCH_SCREENSHOTS=dir also saves the 3-hour panel in light and dark.
 */
import path from 'node:path';
import { launchWithExtension, type LaunchedBrowser } from '../testkit/browser/launch';
import { buildPanelBaseline } from './panel-baseline-build';
import { generateTranscript, wordCount } from './panel-transcript';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const HOURS = Number(process.env.BENCH_HOURS ?? 3);
const VIEWPORT = { width: 400, height: 820 };

interface RunResult {
  firstPaint: number;
  firstPaintAfterAnswer: number;
  allRows: number;
  searchCommon: number;
  searchCommonMatches: number;
  searchAccent: number;
  searchAccentMatches: number;
  nextMatch: number;
  jumpScrollP95: number;
  liveUpdate: number;
  liveUpdateP95: number;
  domNodes: number;
  heapMb: number;
}

const transcript = generateTranscript({ hours: HOURS, speakers: 4, seed: 7 });
const words = wordCount(transcript);
const lastEnd = transcript.utterances[transcript.utterances.length - 1]?.end ?? 0;

/** Runs in the page before its scripts: answers the panel's requests and records update listeners. */
function stubScript(snapshotJson: string, rows: number): string {
  // tsx compiles page.evaluate callbacks with esbuild's keepNames, which calls __name(fn, name).
  return `globalThis.__name = globalThis.__name || ((fn) => fn);
  (() => {
    const snapshot = ${snapshotJson};
    const runtime = globalThis.chrome.runtime;
    const original = runtime.sendMessage.bind(runtime);
    const listeners = [];
    const addListener = runtime.onMessage.addListener.bind(runtime.onMessage);
    runtime.onMessage.addListener = (listener) => { listeners.push(listener); return addListener(listener); };
    globalThis.__benchDeliver = (message) => { for (const l of listeners) l(message, { id: runtime.id }, () => undefined); };
    runtime.sendMessage = (message, ...rest) => {
      const callback = rest.find((x) => typeof x === 'function');
      let answer;
      if (message && message.type === 'transcript/get') { answer = snapshot; globalThis.__benchAnswered = performance.now(); }
      else if (message && message.type === 'session/get') answer = { phase: 'idle', source: 'tab', tabId: null, startedAt: 1764000000000, error: null, warning: null };
      else return original(message, ...rest);
      if (callback) { setTimeout(() => callback(answer)); return undefined; }
      return Promise.resolve(answer);
    };
    let first = false;
    const seen = new MutationObserver(() => {
      if (!first && document.querySelector('[data-testid=utterance]')) {
        first = true;
        requestAnimationFrame(() => setTimeout(() => { globalThis.__benchFirstPaint = performance.now(); }, 0));
      }
      if (document.querySelectorAll('[data-testid=utterance]').length < ${rows}) return;
      seen.disconnect();
      requestAnimationFrame(() => setTimeout(() => { globalThis.__benchAllRows = performance.now(); }, 0));
    });
    document.addEventListener('DOMContentLoaded', () => seen.observe(document.body, { childList: true, subtree: true }));
  })();`;
}

/** BENCH_SCREENSHOTS=dir: also save the 3-hour panel (search on, paused mid-transcript) in light and dark. */
const SCREENSHOTS = process.env.BENCH_SCREENSHOTS;

async function measure(variant: 'ours' | 'plain', browser: LaunchedBrowser, screenshots = false): Promise<RunResult> {
  const page = await browser.context.newPage();
  try {
    await page.setViewportSize(VIEWPORT);
    await page.addInitScript({ content: stubScript(JSON.stringify(transcript), transcript.utterances.length) });
    await page.goto(`chrome-extension://${browser.extensionId}/sidepanel.html`);
    await page.waitForFunction(() => typeof (globalThis as { __benchAllRows?: number }).__benchAllRows === 'number', undefined, { timeout: 60_000 });
    const { firstPaint, allRows, answered } = await page.evaluate(() => {
      const marks = globalThis as unknown as { __benchFirstPaint: number; __benchAllRows: number; __benchAnswered: number };
      return { firstPaint: marks.__benchFirstPaint, allRows: marks.__benchAllRows, answered: marks.__benchAnswered };
    });
    const expected = transcript.utterances.length;
    const rows = await page.locator('[data-testid=utterance]').count();
    if (rows !== expected) throw new Error(`${variant}: ${rows} rows rendered, expected ${expected}`);

    const inPage = await page.evaluate(async ({ lastEnd }) => {
      const painted = () => new Promise<number>((resolve) => requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0)));
      const input = document.querySelector<HTMLInputElement>('[data-testid=search]')!;
      const count = () => document.querySelector('[data-testid=search-count]')?.textContent ?? '';
      const search = async (query: string) => {
        const before = count();
        const t0 = performance.now();
        input.value = query;
        input.dispatchEvent(new Event('input', { bubbles: true }));
        while (count() === before) await new Promise((r) => setTimeout(r, 0));
        const t1 = await painted();
        return { ms: t1 - t0, matches: Number(/of (\d+)/.exec(count())?.[1] ?? 0), text: count() };
      };
      await painted();
      const common = await search('review');
      const accent = await search('zurich');
      await search('budget');
      const next: number[] = [];
      const nextButton = document.querySelector<HTMLButtonElement>('[data-testid=search-next]')!;
      for (let i = 0; i < 10; i++) {
        const before = document.querySelector('mark[data-current]');
        const t0 = performance.now();
        nextButton.click();
        while (document.querySelector('mark[data-current]') === before) await new Promise((r) => setTimeout(r, 0));
        next.push((await painted()) - t0);
      }
      input.value = '';
      input.dispatchEvent(new Event('input', { bubbles: true }));
      await painted();

      const scroller = document.querySelector<HTMLElement>('[data-testid=transcript]')!;
      const jumps: number[] = [];
      let seed = 11;
      for (let i = 0; i < 30; i++) {
        seed = (seed * 16807) % 2147483647;
        const t0 = performance.now();
        scroller.scrollTop = (seed / 2147483647) * scroller.scrollHeight;
        jumps.push((await painted()) - t0);
      }

      // Back at the live end, then live updates: one new utterance each.
      document.querySelector<HTMLButtonElement>('[data-testid=jump-to-live]')?.click();
      scroller.scrollTop = scroller.scrollHeight;
      await painted();
      const deliver = (globalThis as unknown as { __benchDeliver: (m: unknown) => void }).__benchDeliver;
      const updates: number[] = [];
      for (let i = 0; i < 20; i++) {
        const start = lastEnd + 2 + i * 3;
        const text = `live update number ${i} arrives while the transcript is long`;
        const words = text.split(' ').map((w, k) => ({ text: w, start: start + k * 0.25, end: start + k * 0.25 + 0.2, confidence: 0.9, speaker: i % 4 }));
        const rowsBefore = document.querySelectorAll('[data-testid=utterance]').length;
        const t0 = performance.now();
        deliver({ type: 'transcript/update', update: { changed: [{ id: `live${i}`, words, text, start, end: start + 3, speaker: i % 4, channel: 0, closed: true }], interims: [] } });
        while (document.querySelectorAll('[data-testid=utterance]').length === rowsBefore) await new Promise((r) => setTimeout(r, 0));
        updates.push((await painted()) - t0);
        const gap = scroller.scrollHeight - scroller.clientHeight - scroller.scrollTop;
        if (gap > 40) throw new Error(`live update ${i}: not following the live end (${gap}px from the bottom)`);
      }
      const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
      const pct = (xs: number[], p: number) => sorted(xs)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? 0;
      return {
        searchCommon: common.ms,
        searchCommonMatches: common.matches,
        searchAccent: accent.ms,
        searchAccentMatches: accent.matches,
        nextMatch: pct(next, 0.5),
        jumpScrollP95: pct(jumps, 0.95),
        liveUpdate: pct(updates, 0.5),
        liveUpdateP95: pct(updates, 0.95),
      };
    }, { lastEnd });

    if (screenshots && SCREENSHOTS) {
      await page.locator('[data-testid=search]').fill('budget');
      await page.locator('[data-testid=search-next]').click();
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        await page.screenshot({ path: path.join(SCREENSHOTS, `panel-3h-${colorScheme}.png`) });
      }
      await page.locator('[data-testid=search]').fill('');
    }

    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('Performance.enable');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? 0;
    await cdp.detach();
    return { firstPaint, firstPaintAfterAnswer: firstPaint - answered, allRows, ...inPage, domNodes: metric('Nodes'), heapMb: metric('JSHeapUsedSize') / 1e6 };
  } finally {
    await page.close();
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

if (process.argv.includes('--help')) {
  console.log('npm run bench:panel   (env: BENCH_RUNS, BENCH_HOURS, BENCH_SCREENSHOTS=dir, BENCH_REBUILD=1 rebuilds the baseline)');
  process.exit(0);
}
const baselineDir = buildPanelBaseline(process.env.BENCH_REBUILD === '1');
const browsers: Partial<Record<'ours' | 'plain', LaunchedBrowser>> = {};
const results: Record<'ours' | 'plain', RunResult[]> = { ours: [], plain: [] };
try {
  for (const [variant, extensionDir] of [['ours', undefined], ['plain', baselineDir]] as const) {
    const launched = await launchWithExtension({ headless: true, extensionDir });
    if (!launched.ok) throw new Error(launched.message);
    browsers[variant] = launched.browser;
  }
  const ours = browsers.ours!;
  const plain = browsers.plain!;
  const browserOf = { ours, plain };
  // One warm-up load of each (compile caches), not counted.
  await measure('ours', ours, true);
  await measure('plain', plain);
  for (let run = 0; run < RUNS; run++) {
    for (const variant of run % 2 ? (['plain', 'ours'] as const) : (['ours', 'plain'] as const)) {
      results[variant].push(await measure(variant, browserOf[variant]));
    }
  }
} finally {
  await browsers.ours?.close();
  await browsers.plain?.close();
}

const rows: [string, keyof RunResult, number][] = [
  ['first paint with the transcript (ms)', 'firstPaint', 0],
  ['  of which after transcript/get answered (ms)', 'firstPaintAfterAnswer', 0],
  ['every row in the DOM, painted (ms)', 'allRows', 0],
  [`search "review" -> painted (ms)`, 'searchCommon', 1],
  [`search "zurich" (accent-folded) (ms)`, 'searchAccent', 1],
  ['next match -> in view, painted (ms, median of 10)', 'nextMatch', 1],
  ['jump scroll -> painted (ms, p95 of 30)', 'jumpScrollP95', 1],
  ['live update -> painted at the bottom (ms, median of 20)', 'liveUpdate', 1],
  ['live update (ms, p95 of 20)', 'liveUpdateP95', 1],
  ['DOM nodes', 'domNodes', 0],
  ['JS heap used (MB)', 'heapMb', 1],
];
console.log(
  `\nSide panel, ${transcript.utterances.length} utterances / ${words.toLocaleString('en')} words / ${(lastEnd / 3600).toFixed(1)} h of meeting time, ` +
    `${VIEWPORT.width}x${VIEWPORT.height}, headless Chromium, median of ${RUNS} runs`,
);
console.log(
  `Matches: "review" ${results.ours[0]?.searchCommonMatches ?? '?'}, "zurich" ${results.ours[0]?.searchAccentMatches ?? '?'}. ` +
    'Baseline: the same panel rendering every row at once (a bench-only build, panel-baseline-wxt.config.ts).\n',
);
const header = `${'metric'.padEnd(58)}${'ours'.padStart(10)}${'baseline'.padStart(11)}${'ratio'.padStart(8)}`;
console.log(header);
console.log('-'.repeat(header.length));
for (const [label, key, digits] of rows) {
  const ours = median(results.ours.map((r) => r[key]));
  const base = median(results.plain.map((r) => r[key]));
  const ratio = ours > 0 ? (base / ours).toFixed(2) : '-';
  console.log(`${label.padEnd(58)}${ours.toFixed(digits).padStart(10)}${base.toFixed(digits).padStart(11)}${ratio.padStart(8)}`);
}
