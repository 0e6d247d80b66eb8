import { useLayoutEffect, useRef } from 'preact/hooks';
import type { CaptionLine } from '@/lib/overlay/caption-lines';
import { speakerColor } from '@/lib/transcript/speaker-colors';

const SCROLL_MS = 160;

/**
 * The rolling caption text. Lines sit at the bottom of a box `--lines` lines tall; when the text
 * grows, older lines leave at the top with a short scroll (not a jump, so the eye can follow),
 * unless the user asked for reduced motion. Text goes in as JSX children, which Preact sets as
 * text nodes, never as HTML.
 */
export function CaptionText({ lines, placeholder }: { lines: CaptionLine[]; placeholder: string | null }) {
  const scroller = useRef<HTMLDivElement>(null);
  const lastHeight = useRef(0);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const previous = lastHeight.current;
    const height = element.offsetHeight;
    lastHeight.current = height;
    if (previous === 0 || height <= previous || prefersReducedMotion(element)) return;
    const grew = height - previous;
    // FLIP: the bottom-anchored text just moved up by `grew`; start it where it was and let it
    // slide up. An animation still running is continued from where it is.
    const running = currentOffset(element);
    element.style.transition = 'none';
    element.style.transform = `translateY(${grew + running}px)`;
    // eslint-disable-next-line @typescript-eslint/no-meaningless-void-operator -- the read forces a layout, which commits the start position
    void element.offsetHeight; // commit the start position before animating from it
    element.style.transition = `transform ${SCROLL_MS}ms ease-out`;
    element.style.transform = '';
  });

  return (
    <div class="text">
      <div class="scroller" ref={scroller}>
        {lines.length === 0 && placeholder && <p class="line placeholder">{placeholder}</p>}
        {lines.map((line) => (
          <p key={line.key} class="line" style={{ color: speakerColor(line.speaker, 'dark') }}>
            {line.label && <span class="speaker">{line.label}: </span>}
            {line.finalText && (
              <span data-testid="caption-line" data-final="true" data-speaker={line.speaker ?? ''}>
                {line.finalText}
              </span>
            )}
            {line.finalText && line.interimText && ' '}
            {line.interimText && (
              <span class="interim" data-testid="caption-interim" data-final="false" data-speaker={line.speaker ?? ''}>
                {line.interimText}
              </span>
            )}
          </p>
        ))}
      </div>
    </div>
  );
}

function prefersReducedMotion(element: Element): boolean {
  return element.ownerDocument.defaultView?.matchMedia('(prefers-reduced-motion: reduce)').matches ?? false;
}

function currentOffset(element: HTMLElement): number {
  const transform = element.ownerDocument.defaultView?.getComputedStyle(element).transform ?? 'none';
  const match = /^matrix\(([^)]+)\)$/.exec(transform);
  const ty = match?.[1] === undefined ? 0 : Number(match[1].split(',')[5]);
  return Number.isFinite(ty) ? ty : 0;
}
