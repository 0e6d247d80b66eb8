/**
 * t() where browser.i18n is missing (Chrome's offscreen document has only the runtime API): the
 * locale's messages.json, loaded from the extension's files, fills in, with $1..$9 as Chrome does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadMessageCatalog, t, useMessageCatalog } from '@/lib/i18n';

afterEach(() => useMessageCatalog(null));

describe('message catalog for contexts without browser.i18n', () => {
  it('fills $1 and keeps $$ as a dollar sign', () => {
    useMessageCatalog({ sessionCaptureEnded: { message: '$1 costs $$5; saved.' } });
    expect(t('sessionCaptureEnded', 'The tab closed.')).toBe('The tab closed. costs $5; saved.');
  });

  it('loads the most specific locale that exists, then the default', async () => {
    const files: Record<string, object> = { '/_locales/en/messages.json': { sessionAlreadyRunning: { message: 'Already running.' } } };
    const asked: string[] = [];
    await loadMessageCatalog('en-GB', 'en', async (path) => {
      asked.push(path);
      const file = files[path];
      if (!file) throw new Error('404');
      return file;
    });
    expect(asked).toEqual(['/_locales/en_GB/messages.json', '/_locales/en/messages.json']);
    expect(t('sessionAlreadyRunning')).toBe('Already running.');
  });

  it('without a catalog, still names the key (so a test shows which string was meant)', () => {
    expect(t('sessionAlreadyRunning')).toBe('sessionAlreadyRunning');
  });
});
