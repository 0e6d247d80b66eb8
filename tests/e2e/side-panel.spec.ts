/**
 * The side panel against a real session: Chromium with the built extension, the real proxy, and a
 * fake Deepgram upstream (the real one is out of reach) scripted with two speakers whose words
 * include markup and ampersands. After the session stops, the panel's transcript is renamed,
 * searched, copied and exported in every format, and each downloaded file is read back and parsed
 * (SRT by a strict parser, WebVTT by W3C's). Screenshots in light and dark are kept.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Page } from '@playwright/test';
import { getTargets } from '../../testkit/browser/cdp-client';
import { parseSrtStrict } from '../unit/transcript/export-srt-parser';
import { startCaptionsOnPlayingPage } from '../../testkit/captions/start-captions';
import { stopFromPopup } from './support/caption-flow';
import { testWithFakeDeepgram } from './support/fake-deepgram-fixture';
import { expect } from './support/fixtures';
import { saveScreenshot, saveText } from './support/screenshots';
import { openSidePanel, readUtterances } from './support/side-panel';
import { startSpeechPage } from '../../testkit/captions/speech-page';

const DEEPGRAM_KEY = 'fake-deepgram-key-for-side-panel-e2e';
const PAGE_TITLE = 'Weekly sync';
const SPEAKER_0 = ['good', 'morning', 'everyone', 'the', 'budget', 'is', 'ready'];
const SPEAKER_1 = ['thanks', 'the', 'budget', 'looks', '<b>fine</b>', '&', 'done'];
const NAME_0 = 'Dana';
const NAME_1 = 'Lee & <Co>';

interface VttNode {
  type: 'text' | 'object';
  name?: string;
  value?: string;
  children?: VttNode[];
}
const require = createRequire(import.meta.url);
const { WebVTTParser } = require('webvtt-parser') as {
  WebVTTParser: new (entities?: Record<string, string>) => {
    parse(input: string, mode: undefined): { cues: { startTime: number; endTime: number; tree: { children: VttNode[] } }[]; errors: unknown[] };
  };
};
// webvtt-parser 2.2.0's own entity table lacks the ';' (see tests/unit/transcript/export-vtt.test.ts).
const VTT_ENTITIES = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&lrm;': '\u200e', '&rlm;': '\u200f', '&nbsp;': '\u00a0' };

const test = testWithFakeDeepgram(DEEPGRAM_KEY, [
  { speaker: 0, words: SPEAKER_0 },
  { speaker: 1, words: SPEAKER_1 },
]);

async function exportAs(panel: Page, format: string): Promise<{ name: string; content: string }> {
  const menu = panel.locator('[data-testid=export-menu]');
  if (!(await menu.evaluate((el) => (el as HTMLDetailsElement).open))) await menu.locator('summary').click();
  const [download] = await Promise.all([panel.waitForEvent('download', { timeout: 10_000 }), panel.locator(`[data-testid=export-${format}]`).click()]);
  const path = await download.path();
  return { name: download.suggestedFilename(), content: await readFile(path, 'utf8') };
}

async function renameSpeaker(panel: Page, speaker: number, name: string): Promise<void> {
  const menu = panel.locator('[data-testid=speakers-menu]');
  if (!(await menu.evaluate((el) => (el as HTMLDetailsElement).open))) await menu.locator('summary').click();
  await panel.locator(`[data-testid=rename-speaker][data-speaker="${speaker}"]`).click();
  const input = panel.locator('[data-testid=speaker-name-input]');
  await expect(input).toBeFocused();
  await input.fill(name);
  await input.press('Enter');
  await expect(panel.locator(`.speaker-item[data-speaker="${speaker}"] [data-testid=speaker-name]`)).toHaveText(name);
}

/** Waits for the status line to say `expected`; an earlier status may still show while the clipboard write is pending. */
async function expectCopyStatus(panel: Page, expected: string): Promise<void> {
  await expect(panel.locator('[data-testid=copy-status]')).toHaveText(expected, { timeout: 5_000 });
}

const DATE = /\d{4}-\d{2}-\d{2}/.source;

test.describe('side panel', () => {
  test.setTimeout(180_000);

  test('renames speakers everywhere, searches, copies and exports every format from a real session', async ({ app, audio, fakeDeepgram }, testInfo) => {
    const speech = await startSpeechPage(audio.page, PAGE_TITLE);
    try {
      const page = await startCaptionsOnPlayingPage(app, speech.url);

      const panel = await openSidePanel(app.context, app.extensionId);
      await panel.setViewportSize({ width: 420, height: 760 });
      // Both speakers, and the script twice round (so "budget" has several matches).
      await expect
        .poll(
          async () => {
            const utterances = await readUtterances(panel);
            return utterances.filter((u) => u.speaker === '0').length >= 2 && utterances.filter((u) => u.speaker === '1').length >= 2;
          },
          { timeout: 60_000, message: 'two utterances of each scripted speaker in the panel' },
        )
        .toBe(true);
      expect(fakeDeepgram.connections.length).toBeGreaterThan(0);

      // Auto-scroll: in a short panel the transcript follows the live end; scrolling up pauses it
      // (new words do not move the view) and shows "Jump to live", which goes back and resumes.
      const transcript = panel.locator('[data-testid=transcript]');
      await panel.setViewportSize({ width: 420, height: 330 });
      const gapToBottom = () => transcript.evaluate((el) => el.scrollHeight - el.clientHeight - el.scrollTop);
      await expect.poll(() => transcript.evaluate((el) => el.scrollHeight > el.clientHeight + 60), { timeout: 30_000 }).toBe(true);
      await expect(transcript).toHaveAttribute('data-following', 'true');
      await expect.poll(gapToBottom, { timeout: 5_000 }).toBeLessThanOrEqual(32);
      await transcript.hover();
      await panel.mouse.wheel(0, -2000);
      await expect(panel.locator('[data-testid=jump-to-live]')).toBeVisible();
      await expect(transcript).toHaveAttribute('data-following', 'false');
      const pausedAt = await transcript.evaluate((el) => el.scrollTop);
      const rowsWhenPaused = (await readUtterances(panel)).length;
      await expect.poll(async () => (await readUtterances(panel)).length, { timeout: 20_000 }).toBeGreaterThan(rowsWhenPaused);
      expect(await transcript.evaluate((el) => el.scrollTop)).toBe(pausedAt);
      await saveScreenshot(panel, testInfo, 'side-panel-paused-light');
      await panel.locator('[data-testid=jump-to-live]').click();
      await expect(transcript).toHaveAttribute('data-following', 'true');
      await expect(panel.locator('[data-testid=jump-to-live]')).toHaveCount(0);
      await expect.poll(gapToBottom, { timeout: 5_000 }).toBeLessThanOrEqual(32);
      await panel.setViewportSize({ width: 420, height: 760 });

      await stopFromPopup(app, page);
      await expect(panel.locator('[data-testid=status]')).toHaveAttribute('data-phase', 'idle', { timeout: 15_000 });
      const utterances = await readUtterances(panel);
      for (const u of utterances) expect(u.time).toMatch(/^\d{2,}:\d{2}:\d{2}$/);

      // Text is text: the word "<b>fine</b>" shows as typed, and no element came from it.
      expect(utterances.map((u) => u.text).join(' ')).toContain('<b>fine</b>');
      expect(await panel.locator('[data-testid=transcript] b').count()).toBe(0);

      // Rename both speakers: the panel shows the names at once.
      await renameSpeaker(panel, 0, NAME_0);
      await renameSpeaker(panel, 1, NAME_1);
      await panel.keyboard.press('Escape');
      await expect(panel.locator('[data-testid=speakers-menu]')).not.toHaveAttribute('open', '');
      const speakerNames = await panel
        .locator('[data-testid=utterance]')
        .evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-speaker'), r.querySelector('[data-testid=utterance-speaker]')?.textContent]));
      for (const [speaker, name] of speakerNames) expect(name).toBe(speaker === '0' ? NAME_0 : NAME_1);
      // Stored per session for the overlay and every other view.
      const stored = await panel.evaluate<unknown>('chrome.storage.local.get("speakerNames")');
      expect(JSON.stringify(stored)).toContain('"0":"Dana"');

      // Copy all: names and times on every line.
      await panel.bringToFront();
      await panel.locator('[data-testid=copy]').click();
      await expectCopyStatus(panel, 'Copied');
      const clipboard = await panel.evaluate(() => navigator.clipboard.readText());
      await saveText(testInfo, 'clipboard-all.txt', clipboard);
      const lines = clipboard.split('\n');
      expect(lines).toHaveLength(utterances.length);
      for (const [i, line] of lines.entries()) {
        const u = utterances[i]!;
        expect(line).toBe(`[${u.time}] ${u.speaker === '0' ? NAME_0 : NAME_1}: ${u.text}`);
      }

      // Copy the selection: part of the second utterance, with its speaker and time.
      const selected = await panel.evaluate(() => {
        const text = document.querySelectorAll('[data-testid=utterance-text]')[1]!.firstChild!;
        const range = document.createRange();
        range.setStart(text, 0);
        range.setEnd(text, 10);
        const selection = document.getSelection()!;
        selection.removeAllRanges();
        selection.addRange(range);
        return range.toString();
      });
      await panel.locator('[data-testid=copy-selection]').click();
      await expectCopyStatus(panel, 'Copied the selection');
      expect(await panel.evaluate(() => navigator.clipboard.readText())).toBe(`[${utterances[1]!.time}] ${NAME_1}: ${selected.trim()}`);
      await panel.evaluate(() => document.getSelection()?.removeAllRanges());

      // Search: every "budget" highlighted, Enter / Next / Previous move the current match.
      const budgets = utterances.reduce((n, u) => n + (u.text.match(/budget/gi)?.length ?? 0), 0);
      expect(budgets).toBeGreaterThanOrEqual(3);
      const search = panel.locator('[data-testid=search]');
      await search.fill('BUDGET');
      const count = panel.locator('[data-testid=search-count]');
      await expect(count).toHaveText(`1 of ${budgets}`);
      await expect(panel.locator('mark.match')).toHaveCount(budgets);
      await expect(panel.locator('mark[data-current]')).toHaveAttribute('data-match', '0');
      await panel.locator('[data-testid=search-next]').click();
      await expect(count).toHaveText(`2 of ${budgets}`);
      await expect(panel.locator('mark[data-current]')).toHaveAttribute('data-match', '1');
      await expect(panel.locator('mark[data-current]')).toBeInViewport();
      await search.press('Enter');
      await expect(count).toHaveText(`3 of ${budgets}`);
      await panel.locator('[data-testid=search-previous]').click();
      await panel.locator('[data-testid=search-previous]').click();
      await panel.locator('[data-testid=search-previous]').click();
      await expect(count).toHaveText(`${budgets} of ${budgets}`);
      await search.press('Shift+Enter');
      await expect(count).toHaveText(`${budgets - 1} of ${budgets}`);
      await expect(panel.locator('mark[data-current]')).toHaveText(/budget/i);
      await search.fill('no such words');
      await expect(count).toHaveText('No matches');
      await search.fill('budget');

      // Screenshots in light and dark, with the search showing.
      await panel.emulateMedia({ colorScheme: 'light' });
      await saveScreenshot(panel, testInfo, 'side-panel-light');
      await panel.emulateMedia({ colorScheme: 'dark' });
      await saveScreenshot(panel, testInfo, 'side-panel-dark');
      await panel.locator('[data-testid=speakers-menu] summary').click();
      await expect(panel.locator('[data-testid=rename-speaker]').first()).toBeInViewport({ ratio: 1 });
      await saveScreenshot(panel, testInfo, 'side-panel-speakers-dark');
      await panel.keyboard.press('Escape');
      await expect(panel.locator('[data-testid=speakers-menu]')).not.toHaveAttribute('open', '');
      await panel.emulateMedia({ colorScheme: 'light' });

      // Every export: the names the user gave, the page title and date in the file name.
      const fileName = new RegExp(`^${PAGE_TITLE} ${DATE}\\.`);
      const txt = await exportAs(panel, 'txt');
      expect(txt.name).toMatch(new RegExp(`${fileName.source}txt$`));
      expect(txt.content.split('\n').slice(3, -1)).toEqual(lines);
      expect(txt.content.startsWith(`${PAGE_TITLE}\n`)).toBe(true);

      const md = await exportAs(panel, 'md');
      expect(md.name).toMatch(new RegExp(`${fileName.source}md$`));
      expect(md.content).toContain(`# ${PAGE_TITLE}`);
      expect(md.content).toContain(`**${NAME_0}** \`${utterances[0]!.time}\``);
      expect(md.content).toContain('**Lee &amp; &lt;Co&gt;**');
      expect(md.content).toContain('&lt;b&gt;fine&lt;/b&gt;');

      const srt = await exportAs(panel, 'srt');
      expect(srt.name).toMatch(new RegExp(`${fileName.source}srt$`));
      const srtCues = parseSrtStrict(srt.content);
      expect(srtCues.length).toBeGreaterThanOrEqual(utterances.length);
      srtCues.forEach((cue, i) => {
        expect(cue.end).toBeGreaterThan(cue.start);
        if (i > 0) expect(cue.start).toBeGreaterThanOrEqual(srtCues[i - 1]!.end);
        for (const line of cue.lines) expect(line.length).toBeLessThanOrEqual(42);
      });
      const srtText = srtCues.map((c) => c.lines.join(' ')).join(' ');
      expect(srtText).toContain(`${NAME_0}: `);
      expect(srtText).toContain(`${NAME_1}: `);
      expect(srtText.replace(new RegExp(`(${NAME_0}|${NAME_1.replace(/[&<>]/g, (c) => `\\${c}`)}): `, 'g'), '')).toBe(utterances.map((u) => u.text).join(' '));

      const vtt = await exportAs(panel, 'vtt');
      expect(vtt.name).toMatch(new RegExp(`${fileName.source}vtt$`));
      const parsed = new WebVTTParser(VTT_ENTITIES).parse(vtt.content, undefined);
      expect(parsed.errors).toEqual([]);
      const decode = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
      const textOf = (nodes: VttNode[]): string => nodes.map((n) => (n.type === 'text' ? (n.value ?? '') : textOf(n.children ?? []))).join('');
      const voices = parsed.cues.map((c) => c.tree.children.find((n) => n.name === 'v')?.value ?? null);
      expect(new Set(voices.map((v) => (v === null ? null : decode(v))))).toEqual(new Set([NAME_0, NAME_1]));
      expect(vtt.content).toContain('<v Lee &amp; &lt;Co&gt;>');
      expect(parsed.cues.map((c) => textOf(c.tree.children).replace(/\n/g, ' ')).join(' ')).toBe(utterances.map((u) => u.text).join(' '));
      parsed.cues.forEach((cue, i) => {
        if (i > 0) expect(cue.startTime).toBeGreaterThanOrEqual(parsed.cues[i - 1]!.endTime - 1e-9);
      });

      const json = await exportAs(panel, 'json');
      expect(json.name).toMatch(new RegExp(`${fileName.source}json$`));
      const data = JSON.parse(json.content) as {
        title: string;
        speakers: { speaker: number; label: string }[];
        utterances: { speakerLabel: string; text: string; words: { text: string; start: number; end: number; confidence: number; speaker: number }[] }[];
      };
      expect(data.title).toBe(PAGE_TITLE);
      expect(data.speakers.map((s) => s.label)).toEqual([NAME_0, NAME_1]);
      expect(data.utterances.map((u) => u.text)).toEqual(utterances.map((u) => u.text));
      for (const u of data.utterances) {
        expect([NAME_0, NAME_1]).toContain(u.speakerLabel);
        for (const w of u.words) {
          expect(w.end).toBeGreaterThanOrEqual(w.start);
          expect(w.confidence).toBeGreaterThan(0);
          expect(w.confidence).toBeLessThanOrEqual(1);
          expect([0, 1]).toContain(w.speaker);
        }
      }
      for (const file of [txt, md, srt, vtt, json]) await saveText(testInfo, file.name.replace(/^.* /, 'export-'), file.content);

      // A panel opened after the session's document closed shows the saved transcript, with the names.
      await expect
        .poll(async () => (await getTargets(app.cdp)).some((t) => t.url === `chrome-extension://${app.extensionId}/offscreen.html`), {
          timeout: 15_000,
          message: 'the offscreen document closes once the stopped session is saved',
        })
        .toBe(false);
      const later = await openSidePanel(app.context, app.extensionId);
      await expect(later.locator('[data-testid=utterance]')).toHaveCount(utterances.length, { timeout: 10_000 });
      await expect(later.locator('[data-testid=utterance-speaker]').first()).toHaveText(NAME_0);
      await later.close();

      // Past sessions: the session just captured is saved; open it (names kept), then delete it.
      await panel.locator('[data-testid=tab-history]').click();
      const item = panel.locator('[data-testid=history-item]').first();
      await expect(item).toContainText(PAGE_TITLE, { timeout: 10_000 });
      await saveScreenshot(panel, testInfo, 'side-panel-history-light');
      await item.locator('[data-testid=history-open]').click();
      await expect(panel.locator('[data-testid=saved-banner]')).toContainText(PAGE_TITLE);
      await expect(panel.locator('[data-testid=utterance]')).toHaveCount(utterances.length);
      await expect(panel.locator('[data-testid=utterance-speaker]').first()).toHaveText(NAME_0);
      await panel.locator('[data-testid=tab-history]').click();
      await panel.locator('[data-testid=history-item] [data-testid=history-delete]').first().click();
      await panel.locator('[data-testid=history-delete-confirm]').click();
      await expect(panel.locator('[data-testid=history-empty]')).toBeVisible();
      await panel.close();
    } finally {
      await speech.server.close();
    }
  });
});
