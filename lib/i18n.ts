/**
 * UI strings go through the browser's i18n messages (public/_locales/<lang>/messages.json).
 * Keys are typed from the English file, so a missing key is a compile error.
 */
import { browser } from 'wxt/browser';
import type english from '../public/_locales/en/messages.json';

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

/**
 * The localized string, with $1..$9 placeholders filled. Falls back to the key itself where the
 * i18n API is missing (unit tests), so a test failure shows which string was meant.
 */
export function t(key: MessageKey, ...substitutions: (string | number)[]): string {
  let text: string;
  try {
    text = browser.i18n.getMessage(key, substitutions.map(String));
  } catch {
    text = '';
  }
  if (!text && catalog?.[key]) text = fill(catalog[key].message, substitutions.map(String));
  return text || (substitutions.length ? `${key}(${substitutions.join(', ')})` : key);
}

/**
 * For a context without browser.i18n: fetches the messages of the browser's language from the
 * extension's own files (ll_CC, then ll, then the manifest's default locale) and uses them.
 */
export async function loadMessageCatalog(language: string, defaultLocale: string, read: (path: string) => Promise<unknown>): Promise<void> {
  const [lang = '', region = ''] = language.split('-');
  const locales = [...new Set([region ? `${lang}_${region.toUpperCase()}` : '', lang, defaultLocale].filter(Boolean))];
  for (const locale of locales) {
    try {
      const messages = await read(`/_locales/${locale}/messages.json`);
      if (typeof messages === 'object' && messages !== null) {
        useMessageCatalog(messages as MessageCatalog);
        return;
      }
    } catch {
      // No messages for this locale: try the next.
    }
  }
}
