/** Turns browser failures during start into sentences a person can act on. */
import type { UserFacingError } from '../messages';

export function tabCaptureError(error: unknown): UserFacingError {
  const text = error instanceof Error ? error.message : String(error);
  if (/active stream/i.test(text)) {
    return { code: 'already-running', message: 'This tab is already being captured. Stop the other capture first.' };
  }
  if (/Chrome pages cannot be captured|chrome:\/\/|webstore/i.test(text)) {
    return {
      code: 'tab-not-capturable',
      message: "Chrome's own pages (chrome://…) and the Web Store can't be captioned. Open the page with the audio and try there.",
    };
  }
  if (/not been invoked/i.test(text)) {
    return {
      code: 'tab-not-capturable',
      message: 'Click the Captionist button on the tab you want to caption, then press Start.',
    };
  }
  return { code: 'capture-failed', message: `Chrome refused to capture this tab: ${text}` };
}
