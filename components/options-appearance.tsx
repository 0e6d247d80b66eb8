/**
 * Caption appearance on the options page: lines, text size, background, lock, with a live
 * preview, and a way to forget the per-site positions.
 */
import { useState } from 'preact/hooks';
import { t } from '@/lib/i18n';
import { OVERLAY_LIMITS, type OverlayAppearance } from '@/lib/overlay-settings';
import { forgetOverlayPlacements } from '@/lib/overlay-store';
import { CaptionPreview } from './options-caption-preview';
import { CheckboxField, RangeField } from './options-fields';

export interface AppearanceFieldsProps {
  appearance: OverlayAppearance;
  onChange: (patch: Partial<OverlayAppearance>) => void;
  /** From checkOverlayAppearance, shown beside the field it names (or under the group). */
  error: { field: string | null; message: string } | null;
}

export function AppearanceFields({ appearance, onChange, error }: AppearanceFieldsProps) {
  const [forgotten, setForgotten] = useState<number | null>(null);
  const errorFor = (field: keyof OverlayAppearance) => (error?.field === field ? error.message : undefined);
  return (
    <div class="appearance">
      <div class="appearance-fields">
        <RangeField
          id="caption-lines"
          label={t('optionsCaptionLines')}
          {...OVERLAY_LIMITS.lines}
          value={appearance.lines}
          onInput={(lines) => onChange({ lines })}
          format={(value) => t('optionsCaptionLinesValue', value)}
          error={errorFor('lines')}
        />
        <RangeField
          id="caption-font-size"
          label={t('optionsCaptionFontSize')}
          {...OVERLAY_LIMITS.fontSize}
          value={appearance.fontSize}
          onInput={(fontSize) => onChange({ fontSize })}
          format={(value) => t('optionsCaptionFontSizeValue', value)}
          error={errorFor('fontSize')}
        />
        <RangeField
          id="caption-opacity"
          label={t('optionsCaptionOpacity')}
          {...OVERLAY_LIMITS.backgroundOpacity}
          value={appearance.backgroundOpacity}
          onInput={(backgroundOpacity) => onChange({ backgroundOpacity })}
          format={(value) => t('optionsCaptionOpacityValue', Math.round(value * 100))}
          error={errorFor('backgroundOpacity')}
          help={t('optionsCaptionOpacityHelp')}
        />
        <CheckboxField
          id="caption-locked"
          label={t('optionsCaptionLocked')}
          checked={appearance.locked}
          onChange={(locked) => onChange({ locked })}
          help={t('optionsCaptionLockedHelp')}
        />
        {error?.field === null && (
          <p class="error" role="alert">
            {error.message}
          </p>
        )}
      </div>
      <p class="preview-label" id="caption-preview-label">
        {t('optionsCaptionPreview')}
      </p>
      <CaptionPreview appearance={appearance} />
      <div class="inline-action">
        <button
          type="button"
          class="secondary"
          data-testid="forget-positions"
          onClick={() => void forgetOverlayPlacements().then(setForgotten)}
        >
          {t('optionsForgetPositions')}
        </button>
        <span role="status" class="help">
          {forgotten === null ? '' : t('optionsForgotPositions', forgotten)}
        </span>
      </div>
    </div>
  );
}
