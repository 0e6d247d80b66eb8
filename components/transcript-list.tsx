import type { TranscriptSnapshot } from '@/lib/transcript/types';
import { formatClock } from '@/lib/transcript/export-text';
import { speakerColor, speakerLabel } from '@/lib/transcript/speaker-colors';

function prefersDark(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches;
}

export function TranscriptList({ transcript }: { transcript: TranscriptSnapshot }) {
  const theme = prefersDark() ? 'dark' : 'light';
  if (transcript.utterances.length === 0 && !transcript.interim) {
    return <p class="empty">The transcript appears here as people speak.</p>;
  }
  return (
    <>
      {transcript.utterances.map((utterance) => (
        <article class="utterance" key={utterance.id} data-testid="utterance" data-speaker={utterance.speaker ?? ''}>
          <div class="utterance-meta">
            {utterance.speaker !== null && (
              <span class="utterance-speaker" style={{ color: speakerColor(utterance.speaker, theme) }}>
                {speakerLabel(utterance.speaker)}
              </span>
            )}
            <time data-testid="utterance-time">{formatClock(utterance.start)}</time>
          </div>
          <p class="utterance-text" data-testid="utterance-text">
            {utterance.text}
          </p>
        </article>
      ))}
      {transcript.interim && (
        <p class="utterance-text interim" data-testid="interim">
          {transcript.interim.text}
        </p>
      )}
    </>
  );
}
