/**
 * `npm run bench:search`: search across saved sessions in the side panel, with as much history as
 * retention keeps by default (lib/persistence/retention.ts: 50 sessions), each a long meeting
 * (BENCH_HOURS, default 1 hour, about 10,000 words: 500,000 words in all), in Chromium with the
 * built extension (run `npx wxt build` first).
 *
 * The sessions are written into the extension's IndexedDB in the archive's own format
 * (lib/persistence/transcript-archive.ts) from the panel page, then the panel's Past sessions
 * search box is typed into. Measured in the page: from the input event to the results painted,
 * less the typing pause (SEARCH_DELAY_MS in components/panel-history-search.tsx), median of
 * BENCH_RUNS (default 5) per query; and the page's JS heap after searching (CDP). Env:
 * BENCH_SESSIONS (default 50), BENCH_HOURS, BENCH_RUNS.
 */
import { launchWithExtension } from '../testkit/browser/launch';
import { SEARCH_DELAY_MS } from '../components/panel-history-search';
import { seedSession } from '../testkit/history/seed-archive';
import { generateTranscript, wordCount } from './panel-transcript';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 50);
const HOURS = Number(process.env.BENCH_HOURS ?? 1);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const QUERIES = ['budget', 'zurich', 'no such words anywhere'];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

const launched = await launchWithExtension({ headless: true });
if (!launched.ok) throw new Error(launched.message);
const browser = launched.browser;
try {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 400, height: 820 });
  // tsx compiles page.evaluate callbacks with esbuild's keepNames, which calls __name(fn, name).
  await page.addInitScript({ content: 'globalThis.__name = globalThis.__name || ((fn) => fn);' });
  await page.goto(`chrome-extension://${browser.extensionId}/sidepanel.html`);
  // The panel opens (and so creates) the archive; wait for its Past sessions list to answer.
  await page.locator('[data-testid=tab-history]').click();
  await page.locator('[data-testid=history-empty]').waitFor({ timeout: 20_000 });

  let words = 0;
  for (let s = 0; s < SESSIONS; s++) {
    const transcript = generateTranscript({ hours: HOURS, speakers: 4, seed: 100 + s });
    words += wordCount(transcript);
    if (s % 10 === 0) console.error(`seeding session ${s + 1} of ${SESSIONS}`);
    await seedSession(page, {
      id: `bench-${s}`,
      title: `Meeting ${s + 1}`,
      origin: 'https://meet.example',
      startedAt: Date.now() - (s + 1) * 3_600_000,
      utterances: transcript.utterances,
    });
  }
  await page.reload();
  await page.locator('[data-testid=tab-history]').click();
  await page.locator('[data-testid=history-item]').first().waitFor({ timeout: 20_000 });
  const listed = await page.locator('[data-testid=history-item]').count();

  const results: Record<string, { ms: number; status: string }[]> = {};
  for (let run = 0; run < RUNS; run++) {
    for (const query of QUERIES) {
      const result = await page.evaluate(async (q) => {
        const painted = () => new Promise<number>((resolve) => requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0)));
        const input = document.querySelector<HTMLInputElement>('[data-testid=history-search]')!;
        const clear = async () => {
          input.value = '';
          input.dispatchEvent(new Event('input', { bubbles: true }));
          while (document.querySelector('[data-testid=history-search-results]')) await new Promise((r) => setTimeout(r, 0));
          await painted();
        };
        await clear();
        const t0 = performance.now();
        input.value = q;
        input.dispatchEvent(new Event('input', { bubbles: true }));
        const status = () => document.querySelector('[data-testid=history-search-status]')?.textContent ?? '';
        const settled = () => /match|No saved session/.test(status()) && !status().includes('Searching');
        while (!settled()) await new Promise((r) => setTimeout(r, 5));
        const t1 = await painted();
        return { ms: t1 - t0, status: status() };
      }, query);
      (results[query] ??= []).push({ ms: result.ms - SEARCH_DELAY_MS, status: result.status });
    }
  }
  const cdp = await browser.context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const heap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN;

  console.log(`${SESSIONS} saved sessions (${listed} listed) x ${HOURS} h: ${words.toLocaleString('en')} words`);
  for (const query of QUERIES) {
    const runs = results[query] ?? [];
    console.log(
      `search "${query}": median ${median(runs.map((r) => r.ms)).toFixed(0)} ms after the ${SEARCH_DELAY_MS} ms typing pause ` +
        `(runs: ${runs.map((r) => r.ms.toFixed(0)).join(', ')}); "${runs[0]?.status ?? ''}"`,
    );
  }
  console.log(`JS heap after searching: ${(heap / 1024 / 1024).toFixed(1)} MB`);
} finally {
  await browser.close();
}
