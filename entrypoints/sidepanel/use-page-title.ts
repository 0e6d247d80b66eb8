import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';

/**
 * The title of the tab a session captured, read once per session (the tab may navigate away
 * later; the name of the meeting is what it was called when captions started). '' when the tab is
 * gone or its title is not readable (Chrome gives it while the user's invocation grants the tab).
 */
export function usePageTitle(tabId: number | null, sessionStartedAt: number | null): string {
  const [title, setTitle] = useState('');
  useEffect(() => {
    setTitle('');
    if (tabId === null || sessionStartedAt === null) return;
    let alive = true;
    browser.tabs.get(tabId).then(
      (tab) => alive && setTitle(tab.title ?? ''),
      () => undefined, // closed tab: no title, the file name falls back
    );
    return () => {
      alive = false;
    };
  }, [tabId, sessionStartedAt]);
  return title;
}
