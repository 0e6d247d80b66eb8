/**
 * The offscreen document's lifecycle. Chrome allows one per extension; concurrent creates race, so
 * every caller shares one creation promise.
 */
import { browser } from 'wxt/browser';

const OFFSCREEN_PATH = '/offscreen.html';
let creating: Promise<void> | null = null;

export async function hasOffscreenDocument(): Promise<boolean> {
  const url = browser.runtime.getURL(OFFSCREEN_PATH);
  const contexts = await browser.runtime.getContexts({
    contextTypes: [browser.runtime.ContextType.OFFSCREEN_DOCUMENT],
    documentUrls: [url],
  });
  return contexts.length > 0;
}

export async function ensureOffscreenDocument(): Promise<void> {
  if (await hasOffscreenDocument()) return;
  creating ??= browser.offscreen
    .createDocument({
      url: OFFSCREEN_PATH,
      reasons: [browser.offscreen.Reason.USER_MEDIA],
      justification: 'Captures tab or microphone audio and streams it to your caption proxy.',
    })
    .finally(() => {
      creating = null;
    });
  await creating;
}

export async function closeOffscreenDocument(): Promise<void> {
  if (creating) await creating.catch(() => undefined);
  if (!(await hasOffscreenDocument())) return;
  // Two closers can race (a stop and the document's own session/ended): the loser finds none.
  await browser.offscreen.closeDocument().catch(() => undefined);
}
