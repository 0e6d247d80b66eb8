/**
 * The locales whose messages the extension ships (public/_locales/<locale>/), and the manifest's
 * default_locale (wxt.config.ts). A context without browser.i18n picks from this list as Chrome
 * does, so it never asks for a file that is not there (a 404 in its console at every start).
 * tests/unit/session/offscreen-messages.test.ts keeps both in step with the files.
 */
export const DEFAULT_LOCALE = 'en';
export const SHIPPED_LOCALES: readonly string[] = ['en', 'de'];
