/**
 * Gives the fake browser of unit tests Chrome's i18n.getMessage over the English messages.json,
 * so tests read the sentences a user reads (and a missing key is visible as the bare key).
 * Substitution follows Chrome: $1..$9 are replaced, $$ is a literal dollar sign.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fakeBrowser } from 'wxt/testing/fake-browser';

const file = path.resolve(__dirname, '../../public/_locales/en/messages.json');
const messages = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { message: string }>;

export function englishMessage(key: string, substitutions: string[] = []): string {
  const template = messages[key]?.message;
  if (template === undefined) return '';
  return template.replace(/\$(\$|[1-9])/g, (_, which: string) => (which === '$' ? '$' : (substitutions[Number(which) - 1] ?? '')));
}

export function installEnglishMessages(): void {
  Object.assign(fakeBrowser, {
    i18n: {
      getMessage: (key: string, substitutions?: string | string[]) =>
        englishMessage(key, substitutions === undefined ? [] : Array.isArray(substitutions) ? substitutions : [substitutions]),
      getUILanguage: () => 'en',
    },
  });
}

/** The same for another shipped locale ("de"): its messages and its UI language. */
export function installLocaleMessages(locale: string): void {
  const file = path.resolve(__dirname, `../../public/_locales/${locale}/messages.json`);
  const localeMessages = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { message: string }>;
  const fill = (key: string, substitutions: string[]) =>
    (localeMessages[key]?.message ?? '').replace(/\$(\$|[1-9])/g, (_, which: string) => (which === '$' ? '$' : (substitutions[Number(which) - 1] ?? '')));
  Object.assign(fakeBrowser, {
    i18n: {
      getMessage: (key: string, substitutions?: string | string[]) =>
        fill(key, substitutions === undefined ? [] : Array.isArray(substitutions) ? substitutions : [substitutions]),
      getUILanguage: () => locale,
    },
  });
}
