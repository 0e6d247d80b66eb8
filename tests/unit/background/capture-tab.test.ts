/**
 * Firefox's capture host (lib/background/capture-tab.ts): one tab however many starts race, a
 * start waits until the page answers (bounded), and close removes every capture tab.
 */
import { describe, expect, it } from 'vitest';
import { captureTabHost, CAPTURE_TAB_READY_MS, type CaptureTabApi } from '@/lib/background/capture-tab';

/** A fake browser: tabs open at once; the page answers after `answersAfterPolls` polls. */
function fakeTabs(answersAfterPolls: number) {
  const tabs = new Set<number>();
  let nextId = 1;
  let polls = 0;
  let slept = 0;
  const api: CaptureTabApi = {
    findTabs: () => Promise.resolve([...tabs]),
    openTab: () => {
      const id = nextId++;
      tabs.add(id);
      return Promise.resolve(id);
    },
    closeTab: (tabId) => {
      tabs.delete(tabId);
      return Promise.resolve();
    },
    answers: () => Promise.resolve(++polls > answersAfterPolls),
    sleep: (ms) => {
      slept += ms;
      return Promise.resolve();
    },
  };
  return { api, tabs, polls: () => polls, slept: () => slept };
}

describe('captureTabHost', () => {
  it('opens one tab for starts that race, and waits until its page answers', async () => {
    const fake = fakeTabs(3);
    const host = captureTabHost(fake.api);
    await Promise.all([host.ensure(), host.ensure(), host.ensure()]);
    expect([...fake.tabs]).toEqual([1]);
    expect(fake.polls()).toBe(4);
    expect(await host.has()).toBe(true);
    // Already open: nothing more is opened.
    await host.ensure();
    expect([...fake.tabs]).toEqual([1]);
  });

  it('gives up waiting after its bound (the start then reports no answer)', async () => {
    const fake = fakeTabs(Number.POSITIVE_INFINITY);
    await captureTabHost(fake.api).ensure();
    expect(fake.slept()).toBe(CAPTURE_TAB_READY_MS);
  });

  it('close removes every capture tab, and a second close finds none', async () => {
    const fake = fakeTabs(0);
    const host = captureTabHost(fake.api);
    await host.ensure();
    fake.tabs.add(7); // a second one, say from an earlier run of the background
    await host.close();
    expect(fake.tabs.size).toBe(0);
    expect(await host.has()).toBe(false);
    await expect(host.close()).resolves.toBeUndefined();
  });
});
