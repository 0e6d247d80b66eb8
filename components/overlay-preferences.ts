import { useEffect, useRef, useState } from 'preact/hooks';
import type { SpeakerNames } from '@/lib/overlay/caption-lines';
import { normalizePlacement, type OverlayPlacement, type Size } from '@/lib/overlay/placement';
import type { OverlayViewChange } from '@/lib/contract/messages';
import { askFromOverlay, onTabPush } from '@/lib/contract/messaging';
import { DEFAULT_OVERLAY_APPEARANCE, hiddenForSession, normalizeOverlayAppearance, type OverlayAppearance } from '@/lib/overlay-settings';
import { NO_SPEAKER_NAMES } from '@/lib/transcript/speaker-names';

/**
 * The overlay reads no storage (content scripts may not: lib/contract/storage/access.ts). What it
 * shows from storage comes from the background (lib/background/overlay-view.ts): asked for once
 * when the overlay mounts, pushed again when it changes elsewhere, saved by asking the background.
 */
function askView() {
  return askFromOverlay({ type: 'overlay/view-get' }).then((view) => view ?? null);
}

function onViewChange(listener: (change: OverlayViewChange) => void): () => void {
  return onTabPush((push) => {
    if (push.type === 'tab/overlay-view-changed') listener(push.change);
  });
}

/** Slider moves are saved once they pause (storage.sync allows ~2 writes a second). */
const SAVE_DELAY_MS = 300;

/**
 * The caption appearance: applied at once, saved shortly after (storage.sync, by the background),
 * and followed when it changes elsewhere (the options page).
 */
export function useOverlayAppearance(): [OverlayAppearance, (patch: Partial<OverlayAppearance>) => void, boolean] {
  const [appearance, setAppearance] = useState<OverlayAppearance>(DEFAULT_OVERLAY_APPEARANCE);
  const [ready, setReady] = useState(false);
  const pending = useRef<Partial<OverlayAppearance> | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => {
    let alive = true;
    void askView()
      .then(
        (view) => alive && view && !pending.current && setAppearance(normalizeOverlayAppearance(view.appearance)),
        (error: unknown) => console.warn('[captionist] caption settings not loaded', error),
      )
      .finally(() => alive && setReady(true));
    // Our own save echoes back here; while a save is pending, what is on screen is newer.
    const off = onViewChange(({ appearance: next }) => {
      if (next && !pending.current) setAppearance(normalizeOverlayAppearance(next));
    });
    return () => {
      alive = false;
      off();
      clearTimeout(timer.current);
    };
  }, []);

  const update = (patch: Partial<OverlayAppearance>) => {
    setAppearance((current) => normalizeOverlayAppearance({ ...current, ...patch }));
    pending.current = { ...pending.current, ...patch };
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      const toSave = pending.current ?? {};
      void askFromOverlay({ type: 'overlay/appearance-save', patch: toSave })
        .catch((error: unknown) => console.warn('[captionist] caption settings not saved', error))
        .finally(() => {
          if (pending.current === toSave) pending.current = null;
        });
    }, SAVE_DELAY_MS);
  };
  return [appearance, update, ready];
}

/**
 * Where the user put the box on this site, remembered when a move ends; null while they have not
 * (the box then keeps clear of a playing video's controls: lib/overlay/video-clearance.ts).
 */
export function useOverlayPlacement(
  site: string,
): [OverlayPlacement | null, (placement: OverlayPlacement, commit: boolean) => void, boolean] {
  const [placement, setPlacement] = useState<OverlayPlacement | null>(null);
  const [ready, setReady] = useState(false);
  const moved = useRef(false);
  useEffect(() => {
    let alive = true;
    void askView()
      .then(
        (view) => {
          const stored = view ? normalizePlacement(view.placement) : null;
          if (alive && stored && !moved.current) setPlacement(stored);
        },
        (error: unknown) => console.warn('[captionist] caption position not loaded', error),
      )
      .finally(() => alive && setReady(true));
    return () => {
      alive = false;
    };
  }, [site]);
  const update = (next: OverlayPlacement, commit: boolean) => {
    moved.current = true;
    setPlacement(next);
    if (commit) void askFromOverlay({ type: 'overlay/placement-save', placement: next }).catch((error: unknown) => console.warn('[captionist] caption position not saved', error));
  };
  return [placement, update, ready];
}

/**
 * Whether the user hid the captions, remembered for the session (hiddenForSession in
 * lib/overlay-settings.ts says why that scope), so a reload or a navigation in the tab keeps them
 * hidden. Before the session's start is known (a start that failed at once) it lasts for this page.
 * The third value is false until the stored answer is in (render nothing until then: no flash).
 */
export function useOverlayHidden(sessionStartedAt: number | null): [boolean, (hidden: boolean) => void, boolean] {
  /** The hidden session's start time; undefined until loaded. */
  const [hiddenSession, setHiddenSession] = useState<number | null | undefined>(undefined);
  const [pageHidden, setPageHidden] = useState(false);
  useEffect(() => {
    let alive = true;
    const loaded = (session: number | null) => alive && setHiddenSession((now) => (now === undefined ? session : now));
    void askView().then((view) => loaded(view?.hiddenSession ?? null), (error: unknown) => {
      console.warn('[captionist] hidden captions not loaded', error);
      loaded(null);
    });
    return () => {
      alive = false;
    };
  }, []);
  const update = (hidden: boolean) => {
    if (sessionStartedAt === null) {
      setPageHidden(hidden);
      return;
    }
    setHiddenSession(hidden ? sessionStartedAt : null);
    void askFromOverlay({ type: 'overlay/hidden-save', sessionStartedAt, hidden }).catch((error: unknown) => console.warn('[captionist] hidden captions not saved', error));
  };
  const hidden = sessionStartedAt === null ? pageHidden : hiddenForSession(hiddenSession, sessionStartedAt);
  return [hidden, update, hiddenSession !== undefined];
}

/** The layout viewport without scrollbars (the space the box must stay in); follows resizes. */
export function useViewport(): Size {
  const [size, setSize] = useState<Size>(readViewport);
  useEffect(() => {
    const update = () => setSize(readViewport());
    window.addEventListener('resize', update);
    document.addEventListener('fullscreenchange', update);
    return () => {
      window.removeEventListener('resize', update);
      document.removeEventListener('fullscreenchange', update);
    };
  }, []);
  return size;
}

function readViewport(): Size {
  const root = document.documentElement;
  // In quirks mode the root's client size is the document's, not the viewport's.
  const standards = document.compatMode === 'CSS1Compat' && !document.fullscreenElement;
  return {
    width: standards && root.clientWidth > 0 ? root.clientWidth : window.innerWidth,
    height: standards && root.clientHeight > 0 ? root.clientHeight : window.innerHeight,
  };
}

/** The names the user gave this session's speakers (side panel renames), kept current. */
export function useSpeakerNames(sessionStartedAt: number | null): SpeakerNames {
  const [names, setNames] = useState<SpeakerNames>(NO_SPEAKER_NAMES);
  useEffect(() => {
    if (sessionStartedAt === null) {
      setNames(NO_SPEAKER_NAMES);
      return undefined;
    }
    let alive = true;
    setNames(NO_SPEAKER_NAMES);
    void askFromOverlay({ type: 'overlay/names-get', sessionStartedAt }).then(
      (names) => alive && names && setNames(names),
      (error: unknown) => console.warn('[captionist] speaker names not loaded', error),
    );
    const off = onViewChange(({ names: pushed }) => {
      if (alive && pushed?.sessionStartedAt === sessionStartedAt) setNames(pushed.names);
    });
    return () => {
      alive = false;
      off();
    };
  }, [sessionStartedAt]);
  return names;
}
