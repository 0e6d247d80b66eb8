import { useEffect, useState } from 'preact/hooks';
import { askBackground, onOffscreenEvent } from '@/lib/contract/messaging';
import type { TranscriptSnapshot } from '@/lib/transcript/types';
import { applyTranscriptUpdate, EMPTY_TRANSCRIPT } from '@/lib/views/transcript-view';

/** The transcript of the current (or last) session, kept live. */
export function useTranscript(): TranscriptSnapshot {
  const [transcript, setTranscript] = useState<TranscriptSnapshot>(EMPTY_TRANSCRIPT);
  useEffect(() => {
    let alive = true;
    const off = onOffscreenEvent((event) => {
      if (event.type === 'transcript/update') setTranscript((view) => applyTranscriptUpdate(view, event.update));
    });
    void askBackground({ type: 'transcript/get' }).then((snapshot) => {
      if (alive && snapshot) setTranscript(snapshot);
    });
    return () => {
      alive = false;
      off();
    };
  }, []);
  return transcript;
}
