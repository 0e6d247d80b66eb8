import { describe, expect, it } from 'vitest';
import { parseAutoStartSites, sitePermissionPattern, siteOf, withoutSite, withSite } from '@/lib/auto-start-sites';

describe('auto-start sites', () => {
  it('keys a page by its http(s) origin; other pages have no site', () => {
    expect(siteOf('https://meet.example/weekly?x=1#y')).toBe('https://meet.example');
    expect(siteOf('http://127.0.0.1:8080/a')).toBe('http://127.0.0.1:8080');
    expect(siteOf('chrome://settings/')).toBeNull();
    expect(siteOf('chrome-extension://abc/sample.html')).toBeNull();
    expect(siteOf('file:///home/someone/a.html')).toBeNull();
    expect(siteOf(undefined)).toBeNull();
    expect(siteOf('nonsense')).toBeNull();
    expect(sitePermissionPattern('https://meet.example')).toBe('https://meet.example/*');
  });

  it('reads back unique origins in order and drops anything else', () => {
    expect(parseAutoStartSites(null)).toEqual([]);
    expect(parseAutoStartSites('https://a.example')).toEqual([]);
    expect(parseAutoStartSites(['https://b.example', 'https://a.example', 'https://b.example', 'https://c.example/path', 7, 'ftp://x'])).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
  });

  it('adds and removes a site', () => {
    const sites = withSite(withSite([], 'https://meet.example'), 'http://127.0.0.1:8080');
    expect(sites).toEqual(['http://127.0.0.1:8080', 'https://meet.example']);
    expect(withSite(sites, 'https://meet.example')).toEqual(sites);
    expect(withoutSite(sites, 'https://meet.example')).toEqual(['http://127.0.0.1:8080']);
  });
});
