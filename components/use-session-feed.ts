import { useEffect, useState } from 'preact/hooks';
import { connectSessionFeed, type SessionFeed, type SessionFeedOptions, type SessionFeedView } from '@/lib/contract/session-feed';
import { pageFeedTransport } from '@/lib/contract/session-feed-runtime';

let pageFeed: SessionFeed | null = null;

/**
 * This page's one feed, connected on first use (the first render, before any effect runs, so a
 * state pushed meanwhile is heard) and kept for the page's life. A page follows one way: the
 * first call's options stay.
 */
export function pageSessionFeed(options?: SessionFeedOptions): SessionFeed {
  pageFeed ??= connectSessionFeed(pageFeedTransport(), options);
  return pageFeed;
}

/** The live session (state and transcript) as lib/contract/session-feed.ts follows it; re-renders on every change. */
export function useSessionFeed(feed: SessionFeed = pageSessionFeed()): SessionFeedView {
  const [view, setView] = useState(feed.current);
  useEffect(() => {
    const off = feed.subscribe(() => setView(feed.current));
    setView(feed.current); // anything that changed between the first render and now
    return off;
  }, [feed]);
  return view;
}
