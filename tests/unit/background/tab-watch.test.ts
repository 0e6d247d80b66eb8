import { describe, expect, it } from 'vitest';
import { tabUpdateVerdict } from '@/lib/background/tab-watch';

const tabCapture = { captureTabId: 4, captureSource: 'tab' as const, captureOrigin: 'https://a.example' };

describe('tabUpdateVerdict', () => {
  it('stops a tab capture when the URL shows another origin', () => {
    expect(tabUpdateVerdict(tabCapture, 4, { url: 'https://b.example/x' }, 'https://b.example/x')).toBe('stop');
    expect(tabUpdateVerdict(tabCapture, 4, { url: 'http://a.example/' }, undefined)).toBe('stop'); // scheme is part of the origin
    expect(tabUpdateVerdict(tabCapture, 4, { url: 'https://a.example:8443/' }, undefined)).toBe('stop'); // so is the port
  });

  it('stops when a navigation starts and the URL is no longer visible (the activeTab grant went with the site)', () => {
    expect(tabUpdateVerdict(tabCapture, 4, { status: 'loading' }, undefined)).toBe('stop');
  });

  it('keeps capturing across reloads and pages of the same site, and re-shows the overlay when loaded', () => {
    expect(tabUpdateVerdict(tabCapture, 4, { status: 'loading' }, 'https://a.example/page')).toBe('ignore');
    expect(tabUpdateVerdict(tabCapture, 4, { url: 'https://a.example/other' }, 'https://a.example/other')).toBe('ignore');
    expect(tabUpdateVerdict(tabCapture, 4, { status: 'complete' }, 'https://a.example/other')).toBe('reinject-overlay');
  });

  it('ignores title and favicon changes, other tabs, and when nothing runs', () => {
    expect(tabUpdateVerdict(tabCapture, 4, {}, undefined)).toBe('ignore');
    expect(tabUpdateVerdict(tabCapture, 5, { status: 'loading' }, undefined)).toBe('ignore');
    expect(tabUpdateVerdict({ captureTabId: null, captureSource: null, captureOrigin: null }, 4, { status: 'loading' }, undefined)).toBe(
      'ignore',
    );
  });

  it("stops a meeting when its tab leaves the site, as the tab's audio is captured", () => {
    const meeting = { ...tabCapture, captureSource: 'tab-and-mic' as const };
    expect(tabUpdateVerdict(meeting, 4, { url: 'https://b.example/x' }, 'https://b.example/x')).toBe('stop');
    expect(tabUpdateVerdict(meeting, 4, { status: 'complete' }, 'https://a.example/other')).toBe('reinject-overlay');
  });

  it('never stops a microphone session for its overlay tab navigating', () => {
    const mic = { ...tabCapture, captureSource: 'mic' as const };
    expect(tabUpdateVerdict(mic, 4, { status: 'loading' }, undefined)).toBe('ignore');
    expect(tabUpdateVerdict(mic, 4, { url: 'https://b.example/' }, undefined)).toBe('ignore');
  });
});
