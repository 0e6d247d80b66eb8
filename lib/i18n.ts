/**
 * UI strings go through the browser's i18n messages (public/_locales/<lang>/messages.json).
 * Keys are typed from the English file, so a missing key is a compile error.
 */
import { browser } from 'wxt/browser';
import type english from '../public/_locales/en/messages.json';
import { localizeTranscriptLabels, type TranscriptLabel } from './transcript/transcript-labels';
import { localizeYouLabel } from './transcript/you-label';

export type MessageKey = keyof typeof english;

export type MessageCatalog = Readonly<Record<string, { message: string }>>;

/**
 * Where messages come from in a context without browser.i18n: Chrome gives the offscreen
 * document only the runtime API, so it loads its locale's messages.json (see loadMessageCatalog).
 */
let catalog: MessageCatalog | null = null;

export function useMessageCatalog(messages: MessageCatalog | null): void {
  catalog = messages;
}

/** $1..$9 as chrome.i18n fills them ($$ is a literal $). */
function fill(message: string, substitutions: readonly string[]): string {
  return message.replace(/\$(\$|[1-9])/g, (_match, which: string) => (which === '$' ? '$' : (substitutions[Number(which) - 1] ?? '')));
}

/** The localized string, or '' when neither browser.i18n nor a loaded catalog has the key. */
function lookup(key: MessageKey, substitutions: readonly string[]): string {
  let text: string;
  try {
    text = browser.i18n.getMessage(key, [...substitutions]);
  } catch {
    text = '';
  }
  if (!text && catalog?.[key]) text = fill(catalog[key].message, substitutions);
  return text;
}

/**
 * The localized string, with $1..$9 placeholders filled. Falls back to the key itself where the
 * i18n API is missing (unit tests), so a test failure shows which string was meant.
 */
export function t(key: MessageKey, ...substitutions: (string | number)[]): string {
  const text = lookup(key, substitutions.map(String));
  return text || (substitutions.length ? `${key}(${substitutions.join(', ')})` : key);
}

/** The browser's UI language ("de", "en-US"), which Chrome picked the messages by; '' where unknown. */
export function uiLanguage(): string {
  try {
    return browser.i18n.getUILanguage();
  } catch {
    // Chrome's offscreen document has no browser.i18n: its catalog follows navigator.language.
    return typeof navigator === 'undefined' ? '' : navigator.language;
  }
}

// "You" in transcripts and exports follows the page's language (empty when the message is missing: English then).
localizeYouLabel(() => lookup('speakerYou', []));

/** The message of each label lib/transcript writes itself. */
const TRANSCRIPT_LABEL_MESSAGES: Readonly<Record<TranscriptLabel, MessageKey>> = {
  speakerNumber: 'speakerNumber',
  transcriptTitle: 'exportTranscriptTitle',
  recordedAt: 'exportRecordedAt',
  fallbackFileTitle: 'exportFallbackFileTitle',
};

localizeTranscriptLabels({
  read: (label, substitution) => lookup(TRANSCRIPT_LABEL_MESSAGES[label], [substitution]),
  locale: uiLanguage,
});

/**
 * The locale Chrome would use for `language` (a BCP 47 tag such as "en-US"): ll_CC if shipped,
 * else ll, else the default. Only shipped locales are returned, so nothing is asked for in vain.
 */
export function pickLocale(language: string, shipped: readonly string[], defaultLocale: string): string {
  const [lang = '', region = ''] = language.split(/[-_]/);
  const candidates = [region ? `${lang.toLowerCase()}_${region.toUpperCase()}` : '', lang.toLowerCase()];
  return candidates.find((locale) => locale && shipped.includes(locale)) ?? defaultLocale;
}

/**
 * For a context without browser.i18n: loads the messages of the locale Chrome would pick among
 * the shipped ones, or of the default locale if that file cannot be read. Never throws: without
 * a catalog, t() still answers with the key.
 */
export async function loadMessageCatalog(
  language: string,
  shipped: readonly string[],
  defaultLocale: string,
  read: (path: string) => Promise<unknown>,
): Promise<void> {
  const locales = [...new Set([pickLocale(language, shipped, defaultLocale), defaultLocale])];
  for (const locale of locales) {
    try {
      const messages = await read(`/_locales/${locale}/messages.json`);
      if (typeof messages === 'object' && messages !== null) {
        useMessageCatalog(messages as MessageCatalog);
        return;
      }
    } catch {
      // This locale's file could not be read: try the default.
    }
  }
}
