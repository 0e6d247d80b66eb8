/**
 * UI strings go through the browser's i18n messages (public/_locales/<lang>/messages.json).
 * Keys are typed from the English file, so a missing key is a compile error.
 */
import { browser } from 'wxt/browser';
import type english from '../public/_locales/en/messages.json';

export type MessageKey = keyof typeof english;

/**
 * The localized string, with $1..$9 placeholders filled. Falls back to the key itself where the
 * i18n API is missing (unit tests), so a test failure shows which string was meant.
 */
export function t(key: MessageKey, ...substitutions: (string | number)[]): string {
  let text = '';
  try {
    text = browser.i18n.getMessage(key, substitutions.map(String));
  } catch {
    text = '';
  }
  return text || (substitutions.length ? `${key}(${substitutions.join(', ')})` : key);
}
