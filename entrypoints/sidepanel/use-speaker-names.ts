import { useCallback, useEffect, useState } from 'preact/hooks';
import { speakerNamesStore, type SpeakerNamesStore } from '@/lib/speaker-names-store';
import { NO_SPEAKER_NAMES, type SpeakerNames } from '@/lib/transcript/speaker-names';

/**
 * The speaker names of one session (null key: no session, no names), kept current across views
 * through storage.onChanged, and a rename function that stores a new name.
 */
export function useSpeakerNames(
  sessionKey: string | null,
  store: SpeakerNamesStore = speakerNamesStore(),
): [SpeakerNames, (speaker: number, name: string) => Promise<void>] {
  const [names, setNames] = useState<SpeakerNames>(NO_SPEAKER_NAMES);
  useEffect(() => {
    setNames(NO_SPEAKER_NAMES);
    if (sessionKey === null) return;
    return store.watch(sessionKey, setNames);
  }, [sessionKey, store]);
  const rename = useCallback(
    async (speaker: number, name: string) => {
      if (sessionKey === null) return;
      // Shown at once; storage.onChanged then confirms it (and tells the overlay).
      setNames(await store.rename(sessionKey, speaker, name));
    },
    [sessionKey, store],
  );
  return [names, rename];
}
