/**
 * The microphone is allowed on a page of its own (entrypoints/permission/): an offscreen document
 * cannot show Chrome's prompt. The start that needed it goes on once the user allows it, so the
 * page's address carries that start: which source (the microphone alone, or a meeting with the
 * tab) and on which tab. Only the permission page may send 'permission/mic-granted'
 * (lib/contract/senders.ts), and the background reads the start from that sender's own URL.
 */
import type { CaptureSource } from '../contract/messages';

/** The sources that open the microphone, hence the only ones a grant can complete. */
type MicSource = Extract<CaptureSource, 'mic' | 'tab-and-mic'>;

export interface PermissionStart {
  source: MicSource;
  tabId: number | null;
}

/** The permission page's query (`?source=…&tabId=…`) for a start that waits on the microphone. */
export function permissionPageQuery(source: CaptureSource, tabId: number | null): string {
  const query = new URLSearchParams({ source: source === 'tab-and-mic' ? source : 'mic' });
  if (tabId !== null) query.set('tabId', String(tabId));
  return `?${query.toString()}`;
}

/**
 * The start the permission page completes. A page opened without a source (an older build's
 * link) or with one that needs no microphone starts the microphone alone, as it always did.
 */
export function permissionStartFrom(url: URL): PermissionStart {
  const source = url.searchParams.get('source') === 'tab-and-mic' ? 'tab-and-mic' : 'mic';
  const rawTab = url.searchParams.get('tabId');
  const tabId = rawTab !== null && /^\d+$/.test(rawTab) ? Number(rawTab) : NaN;
  return { source, tabId: Number.isSafeInteger(tabId) ? tabId : null };
}
