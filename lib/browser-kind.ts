/**
 * Which browser this build is for. WXT replaces import.meta.env.FIREFOX with a literal at build
 * time (`wxt build -b firefox`), so each build keeps only its own branch; in Node tests it is not
 * set, and the code takes Chrome's.
 */
import type { MessageKey } from './i18n';

// (In Node tests it is undefined, which reads as false.)
export const IS_FIREFOX = import.meta.env.FIREFOX;

/** The message that names this browser's own settings and words (Chrome's or Firefox's). */
export function browserMessage(chrome: MessageKey, firefox: MessageKey): MessageKey {
  return IS_FIREFOX ? firefox : chrome;
}
