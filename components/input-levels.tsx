/**
 * The level meters of a running session: one per input it captures. A meeting (tab and
 * microphone) gets two, each named, so a silent microphone is told apart from a silent call.
 */
import { inputsOf, type AudioInput, type CaptureSource } from '@/lib/contract/messages';
import { t } from '@/lib/i18n';
import { LevelMeter } from './level-meter';

/** What each meter is called on screen and for a screen reader; null: the session's only input. */
export function inputLevelLabels(source: CaptureSource | null): { input: AudioInput; caption: string; label: string }[] | null {
  if (source === null) return null;
  const inputs = inputsOf(source);
  if (inputs.length < 2) return null;
  return inputs.map((input) =>
    input === 'tab'
      ? { input, caption: t('popupLevelTab'), label: t('popupLevelTabLabel') }
      : { input, caption: t('popupLevelMic'), label: t('popupLevelMicLabel') },
  );
}

/** Rows of "caption meter"; a single source keeps the one "Input level" row it always had. */
export function InputLevels({ source, singleCaption }: { source: CaptureSource | null; singleCaption: boolean }) {
  const labels = inputLevelLabels(source);
  if (!labels) {
    if (!singleCaption) return <LevelMeter />;
    return (
      <div class="level-row">
        <span class="level-caption" aria-hidden="true">
          {t('popupLevelLabel')}
        </span>
        <LevelMeter />
      </div>
    );
  }
  return (
    <div class="level-rows" data-testid="input-levels">
      {labels.map(({ input, caption, label }) => (
        <div class="level-row" key={input}>
          <span class="level-caption" aria-hidden="true">
            {caption}
          </span>
          <LevelMeter input={input} label={label} />
        </div>
      ))}
    </div>
  );
}
