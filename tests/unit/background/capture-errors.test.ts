import { describe, expect, it } from 'vitest';
import { isRestrictedPage, isRestrictedPageRefusal, tabCaptureError } from '@/lib/background/capture-errors';

describe('pages a start refuses', () => {
  it("refuses the browser's own pages, other extensions and the Web Store", () => {
    for (const url of [
      'chrome://version/',
      'chrome://settings',
      'chrome-extension://abcdefghijklmnopabcdefghijklmnop/page.html',
      'about:blank',
      'view-source:https://example.com/',
      'devtools://devtools/bundled/inspector.html',
      'https://chromewebstore.google.com/detail/x',
      'https://chrome.google.com/webstore/detail/x',
    ]) {
      expect(isRestrictedPage(url), url).toBe(true);
    }
  });

  it('allows ordinary pages, including other Google pages', () => {
    for (const url of ['https://example.com/', 'http://127.0.0.1:8080/talk.html', 'https://chrome.google.com/intl/en/chrome/', 'file:///home/me/a.html']) {
      expect(isRestrictedPage(url), url).toBe(false);
    }
  });

  it('says why in a sentence a person can act on', () => {
    expect(tabCaptureError(new Error('Chrome pages cannot be captured')).code).toBe('tab-not-capturable');
    expect(tabCaptureError(new Error('Cannot capture a tab with an active stream.')).code).toBe('already-running');
  });
});

describe("Chrome's refusal to script a page", () => {
  it('marks browser pages, and only them', () => {
    expect(isRestrictedPageRefusal('Cannot access a chrome:// URL')).toBe(true);
    expect(isRestrictedPageRefusal('Cannot access a chrome-extension:// URL of different extension')).toBe(true);
    expect(isRestrictedPageRefusal('The extensions gallery cannot be scripted.')).toBe(true);
    expect(isRestrictedPageRefusal('Frame with ID 0 is showing error page')).toBe(false);
    expect(isRestrictedPageRefusal('Cannot access contents of the page. Extension manifest must request permission to access the respective host.')).toBe(false);
  });
});
