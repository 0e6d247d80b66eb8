import type { CaptionLine } from '@/lib/overlay/caption-lines';
import { speakerColor, speakerLabel } from '@/lib/transcript/speaker-colors';

/** The caption box. Text goes in as JSX children, which Preact sets as text, never as HTML. */
export function CaptionsOverlay({ lines, notice }: { lines: CaptionLine[]; notice: string | null }) {
  if (lines.length === 0 && !notice) return null;
  return (
    <div class="captions" data-testid="captions" role="region" aria-label="Live captions">
      {notice && <div class="notice">{notice}</div>}
      {lines.map((line) => (
        <div
          key={line.key}
          class={line.final ? 'line final' : 'line interim'}
          data-testid={line.final ? 'caption-line' : 'caption-interim'}
          data-speaker={line.speaker ?? ''}
          data-final={line.final ? 'true' : 'false'}
          style={{ color: speakerColor(line.speaker, 'dark') }}
        >
          {line.speakerChanged && <span class="speaker">{speakerLabel(line.speaker)}: </span>}
          {line.text}
        </div>
      ))}
    </div>
  );
}
