/**
 * `npm run bench:search`: search across saved sessions in the side panel, with as much history as
 * retention keeps by default (lib/persistence/retention.ts: 50 sessions), each a long meeting
 * (BENCH_HOURS, default 1 hour, about 10,000 words: 500,000 words in all), in Chromium with the
 * built extension (run `npx wxt build` first).
 *
 * The same sessions are saved twice from an extension page, through the archive and the panel's
 * search as they are (lib/persistence/transcript-archive.ts with its search text,
 * lib/persistence/search-text.ts) and as they were before it (git ref BENCH_OLD_REF, bundled by
 * bench/archive-bundles.ts), then:
 *  - the first search on a cold page (a new page: nothing read yet), old vs new, BENCH_ROUNDS
 *    times each, alternating, with a check that both answer exactly the same results;
 *  - the cost of saving: a whole session at once, and BENCH_SAVE_SESSIONS sessions replayed as a
 *    live session writes them (one saveUtterances per line), old vs new;
 *  - the panel itself: its Past sessions search box typed into, from the input event to the
 *    results painted, less the typing pause (SEARCH_DELAY_MS in components/panel-history-search.tsx):
 *    the first search after the panel opens, then the median of BENCH_RUNS (default 5) per query;
 *    and the page's JS heap after searching (CDP);
 *  - last, the old database opened by the new code (upgraded to version 3): its first search,
 *    which indexes every session, and the next cold one.
 * Env: BENCH_SESSIONS (default 50), BENCH_HOURS, BENCH_RUNS, BENCH_ROUNDS (3),
 * BENCH_SAVE_SESSIONS (2), BENCH_OLD_REF (the commit before the search text).
 */
import type { Page } from '@playwright/test';
import { archiveBundle } from './archive-bundles';
import { newSessionRecord } from '../lib/persistence/session-record';
import { TRANSCRIPT_DB_NAME } from '../lib/persistence/transcript-archive';
import { launchWithExtension } from '../testkit/browser/launch';
import { SEARCH_DELAY_MS } from '../components/panel-history-search';
import { savedRecord } from '../testkit/history/seed-archive';
import { generateTranscript, wordCount } from './panel-transcript';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 50);
const HOURS = Number(process.env.BENCH_HOURS ?? 1);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SAVE_SESSIONS = Number(process.env.BENCH_SAVE_SESSIONS ?? 2);
/** The last commit before the search text. */
const OLD_REF = process.env.BENCH_OLD_REF ?? '819cf38';
const QUERIES = ['budget', 'zurich', 'no such words anywhere'];
const OLD_DB = 'bench-archive-before-search-text';
const BUNDLES = { old: await archiveBundle('__benchOld', OLD_REF), new: await archiveBundle('__benchNew') };
const API = { old: '__benchOld', new: '__benchNew' } as const;
type Version = keyof typeof API;
/** The archive's database for each version: the new one is the panel's own. */
const DB = { old: OLD_DB, new: TRANSCRIPT_DB_NAME } as const;

/** A fresh extension page (no JS state: a cold panel's) with both bundles. */
async function harnessPage(url: string): Promise<Page> {
  const page = await browser.context.newPage();
  await page.addInitScript({ content: 'globalThis.__name = globalThis.__name || ((fn) => fn);' });
  await page.goto(url);
  for (const code of Object.values(BUNDLES)) await page.evaluate(code);
  return page;
}

/** What the harness calls in the page (the bundles' exports, structurally). */
interface PageArchive {
  createSession(record: unknown): Promise<void>;
  saveUtterances(id: string, utterances: unknown[], patch: object): Promise<string>;
  close(): void;
}
interface PageApi {
  openTranscriptArchive: (name: string) => Promise<PageArchive>;
  archiveHistory: (archive: () => Promise<PageArchive>) => { searchSessions(query: string): Promise<unknown> };
}

/** A cold first search through `version`'s archive and panel search: ms (open to results) and the results. */
async function coldSearch(url: string, version: Version, db: string, query: string): Promise<{ ms: number; results: string }> {
  const page = await harnessPage(url);
  try {
    return await page.evaluate(
      async ({ api, db, query }) => {
        const { openTranscriptArchive, archiveHistory } = (globalThis as unknown as Record<string, PageApi>)[api]!;
        const t0 = performance.now();
        const archive = await openTranscriptArchive(db);
        const results = await archiveHistory(async () => archive).searchSessions(query);
        const ms = performance.now() - t0;
        archive.close();
        return { ms, results: JSON.stringify(results) };
      },
      { api: API[version], db, query },
    );
  } finally {
    await page.close();
  }
}

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

  const optionsUrl = `chrome-extension://${browser.extensionId}/options.html`;
  const seeder = await harnessPage(optionsUrl);
  let words = 0;
  const bulkMs: Record<Version, number> = { old: 0, new: 0 };
  for (let s = 0; s < SESSIONS; s++) {
    const transcript = generateTranscript({ hours: HOURS, speakers: 4, seed: 100 + s });
    words += wordCount(transcript);
    if (s % 10 === 0) console.error(`saving session ${s + 1} of ${SESSIONS}`);
    const record = savedRecord({ id: `bench-${s}`, title: `Meeting ${s + 1}`, origin: 'https://meet.example', startedAt: Date.now() - (s + 1) * 3_600_000, utterances: transcript.utterances });
    // Alternate which version saves first, so neither always meets a warmer database.
    const order: Version[] = s % 2 === 0 ? ['old', 'new'] : ['new', 'old'];
    for (const version of order) {
      bulkMs[version] += await seeder.evaluate(
        async ({ api, db, record, utterances }) => {
          const archive = await (globalThis as unknown as Record<string, PageApi>)[api]!.openTranscriptArchive(db);
          const t0 = performance.now();
          await archive.createSession(record);
          await archive.saveUtterances(record.id, utterances, {});
          const ms = performance.now() - t0;
          archive.close();
          return ms;
        },
        { api: API[version], db: DB[version], record, utterances: transcript.utterances },
      );
    }
  }

  // Saving as a live session does: one line per write, the record's counters patched each time.
  const liveMs: Record<Version, number> = { old: 0, new: 0 };
  let liveLines = 0;
  for (let s = 0; s < SAVE_SESSIONS; s++) {
    const transcript = generateTranscript({ hours: HOURS, speakers: 4, seed: 900 + s });
    liveLines += transcript.utterances.length;
    const order: Version[] = s % 2 === 0 ? ['old', 'new'] : ['new', 'old'];
    for (const version of order) {
      liveMs[version] += await seeder.evaluate(
        async ({ api, db, record, utterances }) => {
          const archive = await (globalThis as unknown as Record<string, PageApi>)[api]!.openTranscriptArchive(db);
          const t0 = performance.now();
          await archive.createSession(record);
          let count = 0;
          for (const utterance of utterances) await archive.saveUtterances(record.id, [utterance], { updatedAt: Date.now(), utteranceCount: ++count });
          const ms = performance.now() - t0;
          archive.close();
          await new Promise((resolve) => (indexedDB.deleteDatabase(db).onsuccess = resolve));
          return ms;
        },
        { api: API[version], db: `bench-live-${version}`, record: newSessionRecord(`live-${s}`, Date.now(), 'tab', null), utterances: transcript.utterances },
      );
    }
  }
  await seeder.close();

  const cold: Record<Version, number[]> = { old: [], new: [] };
  const answers: Record<Version, string> = { old: '', new: '' };
  for (let round = 0; round < ROUNDS; round++) {
    const order: Version[] = round % 2 === 0 ? ['old', 'new'] : ['new', 'old'];
    for (const version of order) {
      const { ms, results } = await coldSearch(optionsUrl, version, DB[version], QUERIES[0]!);
      cold[version].push(ms);
      answers[version] = results;
    }
  }
  if (answers.old !== answers.new) throw new Error(`old and new search answered differently:\n${answers.old.slice(0, 500)}\n${answers.new.slice(0, 500)}`);

  await page.reload();
  await page.locator('[data-testid=tab-history]').click();
  await page.locator('[data-testid=history-item]').first().waitFor({ timeout: 20_000 });
  const listed = await page.locator('[data-testid=history-item]').count();

  const results: Record<string, { ms: number; status: string }[]> = {};
  let panelFirst = NaN;
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
      if (Number.isNaN(panelFirst)) panelFirst = result.ms - SEARCH_DELAY_MS;
      (results[query] ??= []).push({ ms: result.ms - SEARCH_DELAY_MS, status: result.status });
    }
  }
  const cdp = await browser.context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const heap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN;

  // Last: the new code opens the old version's database (upgrading it), indexes on its first search.
  const upgradedFirst = await coldSearch(optionsUrl, 'new', OLD_DB, QUERIES[0]!);
  const upgradedNext = await coldSearch(optionsUrl, 'new', OLD_DB, QUERIES[0]!);
  if (upgradedFirst.results !== answers.old || upgradedNext.results !== answers.old) throw new Error('the upgraded database answered differently');

  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  console.log(`${SESSIONS} saved sessions (${listed} listed) x ${HOURS} h: ${words.toLocaleString('en')} words; old = ${OLD_REF} (no search text)`);
  const [oldCold, newCold] = [median(cold.old), median(cold.new)];
  console.log(
    `cold first search "${QUERIES[0]}" (open + search, a new page each): old median ${oldCold.toFixed(0)} ms (${cold.old.map((v) => v.toFixed(0)).join(', ')}), ` +
      `new median ${newCold.toFixed(0)} ms (${cold.new.map((v) => v.toFixed(0)).join(', ')}): ${ratio(oldCold, newCold)}x faster; same results`,
  );
  console.log(`saving ${SESSIONS} whole sessions: old ${bulkMs.old.toFixed(0)} ms, new ${bulkMs.new.toFixed(0)} ms: new/old ${ratio(bulkMs.new, bulkMs.old)}`);
  console.log(
    `saving ${SAVE_SESSIONS} sessions line by line (${liveLines} writes): old ${(liveMs.old / liveLines).toFixed(2)} ms, new ${(liveMs.new / liveLines).toFixed(2)} ms a write: new/old ${ratio(liveMs.new, liveMs.old)}`,
  );
  console.log(`old database upgraded by the new code: first search (indexes every session) ${upgradedFirst.ms.toFixed(0)} ms, next cold search ${upgradedNext.ms.toFixed(0)} ms`);
  console.log(`panel: first search "${QUERIES[0]}" after it opened: ${panelFirst.toFixed(0)} ms after the ${SEARCH_DELAY_MS} ms typing pause`);
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
