/**
 * Reads what the caption overlay shows on a page, one entry per line, read in one evaluation so a
 * snapshot is consistent. The overlay's shadow root is closed: it is read from the content
 * script's isolated world (overlay-world.ts), never from the page.
 */
import type { Page } from '@playwright/test';
import { evaluateInOverlayWorld, runInEveryOverlayWorld } from './overlay-world';

export interface OverlayLine {
  /** data-speaker: a number as text, or '' when the speaker is unknown. */
  speaker: string;
  final: boolean;
  text: string;
  /** The line's computed CSS colour (speaker colour). */
  color: string;
}

export interface OverlaySnapshot {
  /** The content script has mounted its overlay in this document. */
  mounted: boolean;
  lines: OverlayLine[];
  /** The overlay's notice (an error or a warning such as "no sound"), '' when none is shown. */
  notice: string;
}

export async function readOverlay(page: Page): Promise<OverlaySnapshot> {
  return evaluateInOverlayWorld(
    page,
    (overlay) => {
      if (!overlay) return { mounted: false, lines: [], notice: '' };
      const lines = [...overlay.root.querySelectorAll('[data-testid=caption-line], [data-testid=caption-interim]')].map((el) => ({
        speaker: el.getAttribute('data-speaker') ?? '',
        final: el.getAttribute('data-final') === 'true',
        text: el.textContent.trim(),
        color: getComputedStyle(el).color,
      }));
      const notice = overlay.root.querySelector('[data-testid=caption-notice]')?.textContent.trim() ?? '';
      return { mounted: true, lines, notice };
    },
    undefined,
    { mounted: false, lines: [], notice: '' },
  );
}

/**
 * Follows the overlay by polling and reports each final line once, the first time it is seen
 * (lines scroll away as new ones arrive, so callers that want "everything shown" need this).
 */
export class OverlayWatcher {
  private readonly finals = new Set<string>();
  private readonly interims = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    private readonly page: Page,
    private readonly onFinal: (line: OverlayLine) => void = () => undefined,
  ) {}

  start(intervalMs = 200): void {
    this.timer = setInterval(() => void this.poll(), intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Every final line text seen so far, in arrival order. */
  finalTexts(): string[] {
    return [...this.finals].map((key) => key.slice(key.indexOf('\u0000') + 1));
  }

  interimTexts(): string[] {
    return [...this.interims];
  }

  async poll(): Promise<OverlaySnapshot | null> {
    if (this.polling) return null;
    this.polling = true;
    try {
      const snapshot = await readOverlay(this.page);
      for (const line of snapshot.lines) {
        if (!line.final) {
          if (line.text) this.interims.add(line.text);
          continue;
        }
        const key = `${line.speaker}\u0000${line.text}`;
        if (line.text && !this.finals.has(key)) {
          this.finals.add(key);
          this.onFinal(line);
        }
      }
      return snapshot;
    } catch {
      return null; // the page is navigating or closing; the next poll tells
    } finally {
      this.polling = false;
    }
  }
}

export interface RecordedCaption {
  /** ms since the recorder was installed */
  t: number;
  final: boolean;
  speaker: string;
  text: string;
}

/**
 * Records every caption line the overlay ever renders (a MutationObserver on its shadow root, in
 * the content script's world), so short-lived interim text is not missed between polls. May be
 * called before captions start: it is installed in each content script world as it appears, and
 * waits there for the overlay. Read with readCaptionRecord().
 */
export async function installCaptionRecorder(page: Page): Promise<void> {
  await runInEveryOverlayWorld(
    page,
    (overlay, _arg, tools) => {
      interface Rec { t: number; final: boolean; speaker: string; text: string }
      const w = window as unknown as { __captionRecord?: Rec[] };
      if (w.__captionRecord) return;
      const record: Rec[] = [];
      w.__captionRecord = record;
      const started = performance.now();
      const seen = new Set<string>();
      const scan = (root: ShadowRoot) => {
        for (const el of root.querySelectorAll('[data-testid=caption-line], [data-testid=caption-interim]')) {
          const entry = {
            final: el.getAttribute('data-final') === 'true',
            speaker: el.getAttribute('data-speaker') ?? '',
            text: el.textContent.trim(),
          };
          const key = `${entry.final}|${entry.speaker}|${entry.text}`;
          if (!entry.text || seen.has(key)) continue;
          seen.add(key);
          record.push({ t: Math.round(performance.now() - started), ...entry });
        }
      };
      const watch = (root: ShadowRoot) => {
        scan(root);
        new MutationObserver(() => scan(root)).observe(root, { subtree: true, childList: true, characterData: true, attributes: true });
      };
      if (overlay) {
        watch(overlay.root);
        return;
      }
      // Installed as the world was created, before the content script mounted its overlay: the
      // host is appended to <html> right after it is kept on this window.
      const waiting = new MutationObserver(() => {
        const mounted = tools.findOverlay();
        if (!mounted) return;
        waiting.disconnect();
        watch(mounted.root);
      });
      waiting.observe(document.documentElement, { childList: true });
    },
    undefined,
  );
}

export async function readCaptionRecord(page: Page): Promise<RecordedCaption[]> {
  return evaluateInOverlayWorld(page, () => (window as unknown as { __captionRecord?: RecordedCaption[] }).__captionRecord ?? [], undefined, []);
}
