/**
 * The permission page's address carries the start it completes (lib/background/permission-start.ts):
 * a meeting started before the microphone was allowed goes on as a meeting, on the same tab.
 */
import { describe, expect, it } from 'vitest';
import { permissionPageQuery, permissionStartFrom } from '@/lib/background/permission-start';

const page = (query: string) => new URL(`chrome-extension://abc/permission.html${query}`);

describe('the permission page carries the start', () => {
  it('round-trips the microphone and the meeting with their tab', () => {
    expect(permissionStartFrom(page(permissionPageQuery('tab-and-mic', 12)))).toEqual({ source: 'tab-and-mic', tabId: 12 });
    expect(permissionStartFrom(page(permissionPageQuery('mic', 3)))).toEqual({ source: 'mic', tabId: 3 });
    expect(permissionStartFrom(page(permissionPageQuery('mic', null)))).toEqual({ source: 'mic', tabId: null });
    expect(permissionPageQuery('tab-and-mic', 12)).toBe('?source=tab-and-mic&tabId=12');
  });

  it('starts the microphone alone from an address without a source (an older link) or with one that needs no microphone', () => {
    expect(permissionStartFrom(page('?tabId=4'))).toEqual({ source: 'mic', tabId: 4 });
    expect(permissionStartFrom(page('?source=tab&tabId=4'))).toEqual({ source: 'mic', tabId: 4 });
    expect(permissionPageQuery('tab', 4)).toBe('?source=mic&tabId=4');
  });

  it('takes only a whole non-negative tab id', () => {
    for (const bad of ['-1', '1.5', 'x', '', '1e3', '99999999999999999999']) {
      expect(permissionStartFrom(page(`?source=tab-and-mic&tabId=${encodeURIComponent(bad)}`)).tabId, bad).toBeNull();
    }
  });
});
