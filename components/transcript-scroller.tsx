/**
 * The transcript's scroll area: follows the live end while the reader is at the bottom, pauses
 * when they scroll up (showing "Jump to live"), and brings the current search match into view.
 * The rule for following is lib/views/auto-scroll.ts. While a line is being corrected (its editor
 * is marked data-holds-scroll), new lines do not move it: following resumes once the editor closes.
 */
import type { ComponentChildren, RefObject } from 'preact';
import { useCallback, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { isAtBottom } from '@/lib/views/auto-scroll';

export interface TranscriptScrollerProps {
  children: ComponentChildren;
  /** The content (the utterance list and the interim tails): a new value means it changed. */
  content: unknown;
  tail: unknown;
  /** Changes whenever the current search match should be brought into view; null for none. */
  revealKey: string | null;
  label: string;
  jumpLabel: string;
  /** Copy (Ctrl+C) inside the transcript: return the text to put on the clipboard, or null for the default. */
  onCopy?: (container: HTMLElement) => string | null;
  containerRef?: RefObject<HTMLDivElement>;
}

export function TranscriptScroller({ children, content, tail, revealKey, label, jumpLabel, onCopy, containerRef }: TranscriptScrollerProps) {
  const ownRef = useRef<HTMLDivElement>(null);
  const ref = containerRef ?? ownRef;
  const following = useRef(true);
  const [paused, setPaused] = useState(false);

  const toBottom = useCallback(() => {
    const el = ref.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [ref]);

  // Content grew: stay at the live end while following. Fonts or wrapping may still change the
  // rows' heights in the coming frame, so check once more after it.
  useLayoutEffect(() => {
    const holding = () => ref.current?.querySelector('[data-holds-scroll]') != null;
    if (!following.current || holding()) return;
    toBottom();
    const frame = requestAnimationFrame(() => {
      if (following.current && !holding()) toBottom();
    });
    return () => cancelAnimationFrame(frame);
  }, [content, tail, toBottom, ref]);

  // A search match brought into view is a move away from the live end (unless it is at the end).
  useLayoutEffect(() => {
    const el = ref.current;
    if (revealKey === null || !el) return;
    el.querySelector<HTMLElement>('mark[data-current]')?.scrollIntoView({ block: 'center', inline: 'nearest' });
    following.current = isAtBottom(el);
    setPaused(!following.current);
  }, [revealKey, ref]);

  const onScroll = () => {
    const el = ref.current;
    if (!el) return;
    const atBottom = isAtBottom(el);
    following.current = atBottom;
    setPaused(!atBottom);
  };

  const jump = () => {
    following.current = true;
    setPaused(false);
    toBottom();
  };

  const copy = (event: ClipboardEvent) => {
    const el = ref.current;
    if (!el || !onCopy || !event.clipboardData) return;
    const text = onCopy(el);
    if (text === null) return;
    event.clipboardData.setData('text/plain', text);
    event.preventDefault();
  };

  return (
    <div class="transcript-wrap">
      <div
        class="transcript"
        ref={ref}
        onScroll={onScroll}
        onCopy={copy}
        tabIndex={0}
        role="region"
        aria-label={label}
        data-testid="transcript"
        data-following={paused ? 'false' : 'true'}
      >
        {children}
      </div>
      {paused && (
        <button type="button" class="jump-to-live" data-testid="jump-to-live" onClick={jump}>
          {jumpLabel} <span aria-hidden="true">↓</span>
        </button>
      )}
    </div>
  );
}
