/**
 * bench:cpu's memory phase: what the extension holds before Start, at the end of a session, and a
 * few seconds after Stop. For each moment: the resident memory of the extension's renderer
 * process(es) (cpu-probe.ts: `--extension-process`), the browser process's, and every extension
 * target still alive (offscreen document, service worker, side panel) with its JS heap
 * (`Runtime.getHeapUsage` over a short flat CDP session: it works for pages and workers alike).
 * Extension pages in one renderer share one V8 isolate, so their heap is one figure: targets are
 * grouped by `Runtime.getIsolateId`. No garbage collection is forced: the figures are what a
 * user's machine would see.
 */
import { getTargets, type CdpClient } from '../testkit/browser/cdp-client';
import { mb, sampleProcesses } from './cpu-probe';

/** One JS heap (V8 isolate) and the extension targets that live in it. */
export interface TargetHeap {
  /** offscreen document, service worker, side panel, popup, or the page's file name; sorted. */
  names: string[];
  /** JS heap in use, bytes; null when it could not be read (the target closed meanwhile). */
  heapUsed: number | null;
}

/** Target types that run the extension's code (a `tab` target is the tab around a page). */
const CODE_TARGETS = new Set(['page', 'other', 'service_worker', 'background_page', 'worker']);

export interface MemoryMoment {
  label: string;
  extensionRss: number;
  extensionProcesses: number;
  browserRss: number;
  targets: TargetHeap[];
}

function targetName(url: string, type: string): string {
  const file = new URL(url).pathname.replace(/^\//, '');
  if (type === 'service_worker') return 'service worker';
  if (file === 'offscreen.html') return 'offscreen document';
  if (file === 'sidepanel.html') return 'side panel';
  return file;
}

async function heapOf(cdp: CdpClient, targetId: string): Promise<{ isolate: string; used: number } | null> {
  try {
    const { sessionId } = (await cdp.send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
    try {
      const { usedSize } = (await cdp.send('Runtime.getHeapUsage', {}, sessionId)) as { usedSize: number };
      const { id } = (await cdp.send('Runtime.getIsolateId', {}, sessionId)) as { id: string };
      return { isolate: id, used: usedSize };
    } finally {
      await cdp.send('Target.detachFromTarget', { sessionId }).catch(() => undefined);
    }
  } catch {
    return null;
  }
}

export async function memoryMoment(cdp: CdpClient, extensionId: string, label: string): Promise<MemoryMoment> {
  const processes = await sampleProcesses(cdp);
  const origin = `chrome-extension://${extensionId}/`;
  const byIsolate = new Map<string, TargetHeap>();
  const unread: TargetHeap[] = [];
  for (const target of await getTargets(cdp)) {
    if (!target.url.startsWith(origin) || !CODE_TARGETS.has(target.type)) continue;
    const name = targetName(target.url, target.type);
    const heap = await heapOf(cdp, target.targetId);
    if (!heap) unread.push({ names: [name], heapUsed: null });
    else {
      const entry = byIsolate.get(heap.isolate) ?? { names: [], heapUsed: heap.used };
      entry.names.push(name);
      entry.names.sort();
      byIsolate.set(heap.isolate, entry);
    }
  }
  const targets = [...byIsolate.values(), ...unread];
  const rssOf = (role: string) => processes.filter((p) => p.role === role).reduce((sum, p) => sum + (p.rssBytes ?? 0), 0);
  return {
    label,
    extensionRss: rssOf('extension'),
    extensionProcesses: processes.filter((p) => p.role === 'extension').length,
    browserRss: rssOf('browser'),
    targets: targets.sort((a, b) => (a.names[0] ?? '').localeCompare(b.names[0] ?? '')),
  };
}

/** The memory table: one row per moment. */
export function printMemoryMoments(moments: readonly MemoryMoment[]): void {
  console.log('memory around a session                 extension RSS   browser RSS   extension targets: JS heap used (one per isolate)');
  for (const moment of moments) {
    const targets =
      moment.targets.map((t) => `${t.names.join(' + ')} ${t.heapUsed === null ? '?' : `${mb(t.heapUsed)} MB`}`).join('; ') || 'none';
    const rss = `${mb(moment.extensionRss)} MB${moment.extensionProcesses === 1 ? '' : ` (${moment.extensionProcesses} proc)`}`;
    console.log(`${moment.label.padEnd(40)} ${rss.padStart(12)}  ${`${mb(moment.browserRss)} MB`.padStart(11)}   ${targets}`);
  }
}
