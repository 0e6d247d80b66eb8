import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '@/lib/i18n';
import { OVERLAY_LIMITS, type OverlayAppearance } from '@/lib/overlay-settings';
import { CloseIcon, LockIcon, SlidersIcon } from './overlay-icons';

export interface OverlayToolsProps {
  appearance: OverlayAppearance;
  onAppearance: (patch: Partial<OverlayAppearance>) => void;
  onHide: () => void;
}

const clampFont = (size: number) =>
  Math.min(OVERLAY_LIMITS.fontSize.max, Math.max(OVERLAY_LIMITS.fontSize.min, size));

/**
 * The box's controls, shown while the pointer is over the box or focus is in it: text size,
 * the settings panel (lines, size, background), lock and hide.
 *
 * The panel is for a moment's adjustment: Escape closes it (focus back on its button), and so
 * does anything that changes what the user is looking at: the session stopping, fullscreen
 * entered or left, the window resized (the side panel opening does that).
 */
export function OverlayTools({ appearance, onAppearance, onHide }: OverlayToolsProps) {
  const [open, setOpen] = useState(false);
  const settingsButton = useRef<HTMLButtonElement>(null);
  const step = OVERLAY_LIMITS.fontSize.step;
  useEffect(() => {
    if (!open) return undefined;
    const close = () => setOpen(false);
    window.addEventListener('resize', close);
    document.addEventListener('fullscreenchange', close);
    return () => {
      window.removeEventListener('resize', close);
      document.removeEventListener('fullscreenchange', close);
    };
  }, [open]);
  return (
    <div
      class={open ? 'tools open' : 'tools'}
      data-testid="caption-tools"
      onKeyDown={(event) => {
        if (event.key !== 'Escape' || !open) return;
        // Handled here: the box's own Escape (back to the page) waits for a second press.
        event.preventDefault();
        setOpen(false);
        settingsButton.current?.focus();
      }}
    >
      {open && <SettingsPanel appearance={appearance} onAppearance={onAppearance} />}
      <div class="toolbar" role="toolbar" aria-label={t('overlaySettings')}>
        <button
          type="button"
          data-testid="caption-font-smaller"
          title={t('overlayTextSmaller')}
          aria-label={t('overlayTextSmaller')}
          disabled={appearance.fontSize <= OVERLAY_LIMITS.fontSize.min}
          onClick={() => onAppearance({ fontSize: clampFont(appearance.fontSize - step) })}
        >
          A−
        </button>
        <button
          type="button"
          data-testid="caption-font-larger"
          title={t('overlayTextLarger')}
          aria-label={t('overlayTextLarger')}
          disabled={appearance.fontSize >= OVERLAY_LIMITS.fontSize.max}
          onClick={() => onAppearance({ fontSize: clampFont(appearance.fontSize + step) })}
        >
          A+
        </button>
        <button
          type="button"
          ref={settingsButton}
          data-testid="caption-settings"
          title={t('overlaySettings')}
          aria-label={t('overlaySettings')}
          aria-expanded={open}
          onClick={() => setOpen(!open)}
        >
          <SlidersIcon />
        </button>
        <button
          type="button"
          data-testid="caption-lock"
          title={t('overlayLock')}
          aria-label={t('overlayLock')}
          aria-pressed={appearance.locked}
          onClick={() => onAppearance({ locked: !appearance.locked })}
        >
          <LockIcon open={!appearance.locked} />
        </button>
        <button type="button" data-testid="caption-hide" title={t('overlayHide')} aria-label={t('overlayHide')} onClick={onHide}>
          <CloseIcon />
        </button>
      </div>
    </div>
  );
}

function SettingsPanel({ appearance, onAppearance }: Omit<OverlayToolsProps, 'onHide'>) {
  const { lines, fontSize, backgroundOpacity } = OVERLAY_LIMITS;
  return (
    <div class="panel" data-testid="caption-settings-panel">
      <label>
        <span>{t('overlayLines')}</span>
        <output>{appearance.lines}</output>
        <input
          type="range"
          data-testid="caption-lines-input"
          min={lines.min}
          max={lines.max}
          step={lines.step}
          value={appearance.lines}
          onInput={(event) => onAppearance({ lines: Number(event.currentTarget.value) })}
        />
      </label>
      <label>
        <span>{t('overlayTextSize')}</span>
        <output>{appearance.fontSize} px</output>
        <input
          type="range"
          data-testid="caption-font-input"
          min={fontSize.min}
          max={fontSize.max}
          step={fontSize.step}
          value={appearance.fontSize}
          onInput={(event) => onAppearance({ fontSize: Number(event.currentTarget.value) })}
        />
      </label>
      <label>
        <span>{t('overlayBackground')}</span>
        <output>{Math.round(appearance.backgroundOpacity * 100)}%</output>
        <input
          type="range"
          data-testid="caption-opacity-input"
          min={backgroundOpacity.min}
          max={backgroundOpacity.max}
          step={backgroundOpacity.step}
          value={appearance.backgroundOpacity}
          onInput={(event) => onAppearance({ backgroundOpacity: Number(event.currentTarget.value) })}
        />
      </label>
    </div>
  );
}
