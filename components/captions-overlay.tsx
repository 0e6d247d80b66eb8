import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { TargetedKeyboardEvent } from 'preact';
import { t } from '@/lib/i18n';
import type { CaptionLine } from '@/lib/overlay/caption-lines';
import {
  dragPlacement,
  nudgePlacement,
  placeBox,
  resizePlacement,
  type OverlayPlacement,
  type Size,
} from '@/lib/overlay/placement';
import { placementClearOf } from '@/lib/overlay/video-clearance';
import { relayFullscreenPresses } from '@/lib/overlay/fullscreen-presses';
import { followPointer } from '@/lib/overlay/pointer-drag';
import { OVERLAY_LIMITS, type OverlayAppearance } from '@/lib/overlay-settings';
import { CaptionText } from './overlay-caption-text';
import { OverlayTools } from './overlay-tools';
import { usePlayingVideo } from './use-playing-video';

export interface OverlayNotice {
  text: string;
  kind: 'error' | 'warning';
}

export interface CaptionsOverlayProps {
  lines: CaptionLine[];
  notice: OverlayNotice | null;
  /** Shown in place of captions before the first words ("Listening…"). */
  placeholder: string | null;
  appearance: OverlayAppearance;
  /** Where the user put the box; null: clear of the largest playing video's controls. */
  placement: OverlayPlacement | null;
  viewport: Size;
  onAppearance: (patch: Partial<OverlayAppearance>) => void;
  /** `commit` is true when a drag, resize or key press is over (time to remember it). */
  onPlacement: (placement: OverlayPlacement, commit: boolean) => void;
  onHide: () => void;
  /** The session has stopped; its last lines linger (closes the settings panel). */
  ended?: boolean;
  /** Set by the focus-captions shortcut: move keyboard focus to the box, then call onFocused. */
  focusRequested?: boolean;
  onFocused?: () => void;
}

/** Below this opacity the letters get a dark edge (see OVERLAY_LIMITS.backgroundOpacity). */
const EDGE_BELOW_OPACITY = 0.8;
/** Room the toolbar needs above the box; nearer the top it opens below instead. */
const TOOLS_ROOM = 44;
const KEY_STEP = 16;
const KEY_WIDTH_STEP = 32;

/** The caption box: drag anywhere on it, resize from its right edge, controls on hover or focus. */
export function CaptionsOverlay(props: CaptionsOverlayProps) {
  const { appearance, viewport, onPlacement } = props;
  const box = useRef<HTMLDivElement>(null);
  const [height, setHeight] = useState(() => Math.round(appearance.fontSize * 1.35 * (appearance.lines + 0.6)));
  const [dragging, setDragging] = useState(false);

  // The box's height decides where a placement puts it; measure after every render.
  useLayoutEffect(() => {
    const measured = box.current?.offsetHeight ?? 0;
    if (measured > 0 && measured !== height) setHeight(measured);
  });

  const video = usePlayingVideo(props.placement === null, viewport);
  const placement = props.placement ?? placementClearOf(video, viewport, height);
  const rect = placeBox(placement, viewport, height);

  // The page element that had focus before the shortcut, given it back by Escape.
  const returnFocus = useRef<Element | null>(null);
  useEffect(() => {
    if (!props.focusRequested) return;
    // Focus already in the box is not where to go back to.
    if (!box.current?.matches(':focus-within')) returnFocus.current = document.activeElement;
    box.current?.focus();
    props.onFocused?.();
  }, [props.focusRequested]);

  /** A press on the box, or one relayed to it over a fullscreen <video> (fullscreen-presses.ts). */
  const press = (event: PointerEvent, target: Element, relayed: boolean) => {
    const element = box.current;
    if (!element || event.button !== 0 || appearance.locked || target.closest('.tools')) return;
    event.preventDefault();
    const start = rect;
    const resizing = target.classList.contains('grip');
    const at = (dx: number, dy: number) =>
      resizing
        ? resizePlacement(start, height, dx, viewport)
        : dragPlacement(start, height, dx, dy, viewport, placement.width);
    setDragging(true);
    followPointer(
      event,
      element,
      {
        move: (dx, dy) => onPlacement(at(dx, dy), false),
        end: (dx, dy, moved) => {
          setDragging(false);
          if (moved) onPlacement(at(dx, dy), true);
        },
      },
      relayed,
    );
  };
  const latestPress = useRef(press);
  latestPress.current = press;
  useEffect(() => relayFullscreenPresses(window, () => box.current, (down, target) => latestPress.current(down, target, true)), []);

  const onKeyDown = (event: TargetedKeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape' && !event.defaultPrevented) {
      // Back to the page, where the user was before the shortcut if we know.
      const back = returnFocus.current as HTMLElement | null;
      returnFocus.current = null;
      // The key's target is what has focus in the box.
      if (back?.isConnected && back !== document.body) back.focus();
      else (event.target as HTMLElement).blur();
      event.preventDefault();
      return;
    }
    if (event.target !== event.currentTarget || event.altKey || event.ctrlKey || event.metaKey) return;
    const move = keyMove(event.key, event.shiftKey);
    if (move === 'larger' || move === 'smaller') {
      const step = OVERLAY_LIMITS.fontSize.step * (move === 'larger' ? 1 : -1);
      const size = Math.min(OVERLAY_LIMITS.fontSize.max, Math.max(OVERLAY_LIMITS.fontSize.min, appearance.fontSize + step));
      props.onAppearance({ fontSize: size });
    } else if (move && !appearance.locked) {
      onPlacement(nudgePlacement(placement, viewport, height, move), true);
    } else {
      return;
    }
    event.preventDefault();
  };

  const classes = ['box'];
  if (appearance.locked) classes.push('locked');
  if (dragging) classes.push('dragging');
  if (rect.top < TOOLS_ROOM) classes.push('tools-below');
  if (appearance.backgroundOpacity < EDGE_BELOW_OPACITY) classes.push('edged');

  return (
    <div
      ref={box}
      class={classes.join(' ')}
      data-testid="captions"
      role="region"
      aria-label={t('overlayRegionLabel')}
      aria-description={t('overlayBoxHelp')}
      tabIndex={0}
      style={{
        left: `${rect.left}px`,
        top: `${rect.top}px`,
        width: `${rect.width}px`,
        '--font-size': `${appearance.fontSize}px`,
        '--lines': String(appearance.lines),
        '--bg-opacity': String(appearance.backgroundOpacity),
      }}
      onPointerDown={(event) => press(event, event.target as Element, false)}
      // No focus ring or text selection from a press that starts a drag (buttons still focus).
      onMouseDown={(event) => {
        if (!(event.target as Element).closest('.tools')) event.preventDefault();
      }}
      onKeyDown={onKeyDown}
    >
      {/* A new one when the session stops: the settings panel closes with it. */}
      <OverlayTools key={String(props.ended)} appearance={appearance} onAppearance={props.onAppearance} onHide={props.onHide} />
      {props.notice && (
        <p class={props.notice.kind === 'error' ? 'notice' : 'notice warning'} data-testid="caption-notice">
          {props.notice.text}
        </p>
      )}
      <CaptionText lines={props.lines} placeholder={props.placeholder} />
      {!appearance.locked && <div class="grip" data-testid="caption-resize" title={t('overlayResize')} aria-hidden="true" />}
    </div>
  );
}

type KeyMove = { dx: number; dy: number } | { dWidth: number } | 'larger' | 'smaller' | null;

/** Arrow keys move the box, Shift+Left/Right change its width, + and - change the text size. */
function keyMove(key: string, shift: boolean): KeyMove {
  switch (key) {
    case 'ArrowLeft':
      return shift ? { dWidth: -KEY_WIDTH_STEP } : { dx: -KEY_STEP, dy: 0 };
    case 'ArrowRight':
      return shift ? { dWidth: KEY_WIDTH_STEP } : { dx: KEY_STEP, dy: 0 };
    case 'ArrowUp':
      return { dx: 0, dy: -KEY_STEP * (shift ? 4 : 1) };
    case 'ArrowDown':
      return { dx: 0, dy: KEY_STEP * (shift ? 4 : 1) };
    case '+':
    case '=':
      return 'larger';
    case '-':
      return 'smaller';
    default:
      return null;
  }
}
