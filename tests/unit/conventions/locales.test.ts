/**
 * Every shipped locale (public/_locales/<locale>/messages.json, lib/shipped-locales.ts) is complete:
 * it has every key of the English file and no other, each message keeps the English placeholders
 * ($1..$9, $$ and named $placeholders$), and a translation is never left as the English text unless
 * it is listed below as the same on purpose.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LOCALE, SHIPPED_LOCALES } from '@/lib/shipped-locales';
import { sanitizeFileTitle } from '@/lib/transcript/export-file-name';

const LOCALES_DIR = path.resolve(import.meta.dirname, '../../../public/_locales');

type Messages = Record<string, { message: string; placeholders?: Record<string, unknown> }>;

function messagesOf(locale: string): Messages {
  return JSON.parse(readFileSync(path.join(LOCALES_DIR, locale, 'messages.json'), 'utf8')) as Messages;
}

/** What a message must keep: its positional and named placeholders, each as often, and its $$. */
export function placeholdersOf(message: string): string[] {
  return [...message.matchAll(/\$(\$|[1-9]|[A-Za-z0-9_@]+\$)/g)].map((match) => `$${match[1] ?? ''}`).sort();
}

/**
 * Messages whose translation is the English text, and why: product names, URLs and units, words
 * German uses as they are ("Live", "Tab"), and file-format names.
 */
const SAME_ON_PURPOSE: Readonly<Record<string, readonly string[]>> = {
  de: [
    'extName', // the product's name
    'optionsProxyUrlPlaceholder', // a URL
    'optionsKeytermsPlaceholder', // a product name and a person's name
    'optionsCaptionLinesValue', // a number
    'optionsCaptionFontSizeValue', // a number and its unit
    'optionsCaptionOpacityValue', // a number and its unit
    'panelTabLive', // "Live" is German too
    'popupStatusLive',
    'popupLevelTab', // Chrome's German says "Tab"
    'optionsToken', // "Token" is German too
    'optionsSectionAudio', // "Audio" is German too
    'panelExportTxt', // "Text (.txt)" reads the same in German
    'panelExportMd', // a format's name
    'engineFromDeepgram', // the speech service's name
    'engineUsingDeepgram',
  ],
};

describe('shipped locales', () => {
  const english = messagesOf(DEFAULT_LOCALE);
  const others = SHIPPED_LOCALES.filter((locale) => locale !== DEFAULT_LOCALE);

  it('ship a second complete locale besides the default, and nothing unlisted', () => {
    expect(others.length).toBeGreaterThan(0);
    expect(readdirSync(LOCALES_DIR).filter((name) => !name.startsWith('.')).sort()).toEqual([...SHIPPED_LOCALES].sort());
  });

  it('finds placeholders as Chrome reads them', () => {
    expect(placeholdersOf('$1 of $2, $$5 and $count$')).toEqual(['$$', '$1', '$2', '$count$']);
    expect(placeholdersOf('no placeholders')).toEqual([]);
  });

  it.each(SHIPPED_LOCALES)('%s: every message is a non-empty string under a key Chrome accepts', (locale) => {
    for (const [key, entry] of Object.entries(messagesOf(locale))) {
      expect(key, locale).toMatch(/^[A-Za-z0-9_@]+$/);
      expect(typeof entry.message, `${locale} ${key}`).toBe('string');
      expect(entry.message.trim(), `${locale} ${key}`).not.toBe('');
    }
  });

  it.each(others)('%s: has every English key and no other', (locale) => {
    const keys = Object.keys(messagesOf(locale));
    expect(keys.filter((key) => !(key in english)), `${locale}: keys English does not have`).toEqual([]);
    expect(Object.keys(english).filter((key) => !keys.includes(key)), `${locale}: keys it lacks`).toEqual([]);
  });

  it.each(others)('%s: keeps every placeholder of the English message', (locale) => {
    const translated = messagesOf(locale);
    const broken = Object.entries(english)
      .filter(([key]) => key in translated)
      .filter(([key, entry]) => {
        const other = translated[key];
        if (!other) return false;
        const samePlaceholders = JSON.stringify(placeholdersOf(other.message)) === JSON.stringify(placeholdersOf(entry.message));
        const sameNamed = JSON.stringify(Object.keys(other.placeholders ?? {}).sort()) === JSON.stringify(Object.keys(entry.placeholders ?? {}).sort());
        return !samePlaceholders || !sameNamed;
      })
      .map(([key]) => key);
    expect(broken).toEqual([]);
  });

  it.each(others)('%s: translates every message, but those listed as the same on purpose', (locale) => {
    const translated = messagesOf(locale);
    const allowed = SAME_ON_PURPOSE[locale] ?? [];
    const untranslated = Object.entries(english)
      .filter(([key, entry]) => translated[key]?.message === entry.message && !allowed.includes(key))
      .map(([key]) => key);
    expect(untranslated).toEqual([]);
    // The list stays honest: an entry that is translated after all is taken off it.
    expect(allowed.filter((key) => translated[key]?.message !== english[key]?.message)).toEqual([]);
  });

  it.each(SHIPPED_LOCALES)('%s: the fallback export file name is itself a safe file name', (locale) => {
    const title = messagesOf(locale).exportFallbackFileTitle?.message ?? '';
    expect(title).not.toBe('');
    expect(sanitizeFileTitle(title)).toBe(title);
  });
});
