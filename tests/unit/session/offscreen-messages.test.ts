/**
 * t() where browser.i18n is missing (Chrome's offscreen document has only the runtime API): the
 * locale's messages.json, loaded from the extension's files, fills in, with $1..$9 as Chrome does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadMessageCatalog, pickLocale, t, useMessageCatalog } from '@/lib/i18n';
import { DEFAULT_LOCALE, SHIPPED_LOCALES } from '@/lib/shipped-locales';

const root = path.resolve(__dirname, '../../..');

/** A reader over a fake set of files that records what was asked for. */
function fakeFiles(files: Record<string, object>) {
  const asked: string[] = [];
  const read = (filePath: string): Promise<unknown> => {
    asked.push(filePath);
    const file = files[filePath];
    return file ? Promise.resolve(file) : Promise.reject(new Error('404'));
  };
  return { asked, read };
}

afterEach(() => useMessageCatalog(null));

describe('message catalog for contexts without browser.i18n', () => {
  it('fills $1 and keeps $$ as a dollar sign', () => {
    useMessageCatalog({ sessionCaptureEnded: { message: '$1 costs $$5; saved.' } });
    expect(t('sessionCaptureEnded', 'The tab closed.')).toBe('The tab closed. costs $5; saved.');
  });

  it('asks only for the shipped locale Chrome would pick, not for en_US when only en ships', async () => {
    const { asked, read } = fakeFiles({ '/_locales/en/messages.json': { sessionAlreadyRunning: { message: 'Already running.' } } });
    await loadMessageCatalog('en-US', ['en'], 'en', read);
    expect(asked).toEqual(['/_locales/en/messages.json']);
    expect(t('sessionAlreadyRunning')).toBe('Already running.');
  });

  it('prefers a shipped region, then the language, then the default', () => {
    const shipped = ['en', 'pt', 'pt_BR', 'de'];
    expect(pickLocale('pt-BR', shipped, 'en')).toBe('pt_BR');
    expect(pickLocale('pt-PT', shipped, 'en')).toBe('pt');
    expect(pickLocale('de', shipped, 'en')).toBe('de');
    expect(pickLocale('DE-at', shipped, 'en')).toBe('de');
    expect(pickLocale('ja-JP', shipped, 'en')).toBe('en');
    expect(pickLocale('', shipped, 'en')).toBe('en');
  });

  it('falls back to the default locale, without throwing, when the picked file cannot be read', async () => {
    const { asked, read } = fakeFiles({ '/_locales/en/messages.json': { sessionAlreadyRunning: { message: 'Already running.' } } });
    await loadMessageCatalog('de-DE', ['en', 'de'], 'en', read);
    expect(asked).toEqual(['/_locales/de/messages.json', '/_locales/en/messages.json']);
    expect(t('sessionAlreadyRunning')).toBe('Already running.');
  });

  it('resolves without a catalog when nothing can be read', async () => {
    const { asked, read } = fakeFiles({});
    await expect(loadMessageCatalog('en-US', ['en'], 'en', read)).resolves.toBeUndefined();
    expect(asked).toEqual(['/_locales/en/messages.json']);
    expect(t('sessionAlreadyRunning')).toBe('sessionAlreadyRunning');
  });

  it('knows every locale the extension ships and the manifest default (public/_locales, wxt.config.ts)', () => {
    const onDisk = readdirSync(path.join(root, 'public/_locales')).filter((name) => !name.startsWith('.'));
    expect([...SHIPPED_LOCALES].sort()).toEqual(onDisk.sort());
    expect(readFileSync(path.join(root, 'wxt.config.ts'), 'utf8')).toContain(`default_locale: '${DEFAULT_LOCALE}'`);
    expect(SHIPPED_LOCALES).toContain(DEFAULT_LOCALE);
  });

  it('without a catalog, still names the key (so a test shows which string was meant)', () => {
    expect(t('sessionAlreadyRunning')).toBe('sessionAlreadyRunning');
  });
});
