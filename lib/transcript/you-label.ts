/**
 * The default label of YOU_SPEAKER ("You"), localized where the page has its messages.
 *
 * lib/transcript stays free of the browser's i18n API: the proxy reuses these modules under Node
 * (proxy/Dockerfile copies lib/transcript alone). lib/i18n.ts, loaded by every extension page that
 * shows a label, registers the localized text here; without it the label is English.
 */
const ENGLISH = 'You';

let localized: (() => string) | null = null;

/** Called by lib/i18n.ts with its reader of the "speakerYou" message. */
export function localizeYouLabel(read: () => string): void {
  localized = read;
}

export function youLabel(): string {
  let text: string;
  try {
    text = localized?.().trim() ?? '';
  } catch {
    text = '';
  }
  return text === '' ? ENGLISH : text.slice(0, 60);
}
