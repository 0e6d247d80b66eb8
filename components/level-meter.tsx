import { useEffect, useState } from 'preact/hooks';
import { t } from '@/lib/i18n';
import type { AudioInput } from '@/lib/contract/messages';
import { onOffscreenEvent } from '@/lib/contract/messaging';

/** dBFS of the loudest sample, mapped from -60..0 dB to an empty..full bar. */
export function peakToFraction(peak: number): number {
  if (peak <= 0) return 0;
  const db = 20 * Math.log10(peak);
  return Math.min(1, Math.max(0, (db + 60) / 60));
}

/**
 * The level of one input (`input`), or of whichever input reported last when none is named.
 * `label` is its accessible name (two meters side by side need names of their own).
 */
export function LevelMeter({ input, label = t('popupLevelLabel') }: { input?: AudioInput; label?: string }) {
  const [peak, setPeak] = useState(0);
  useEffect(
    () =>
      onOffscreenEvent((event) => {
        if (event.type === 'audio/level' && (input === undefined || event.input === input)) setPeak(event.peak);
      }),
    [input],
  );
  const fraction = peakToFraction(peak);
  return (
    <span
      class="level"
      role="meter"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(fraction * 100)}
      data-testid="level"
      data-input={input}
      data-peak={peak.toFixed(4)}
    >
      <span style={{ width: `${fraction * 100}%` }} />
    </span>
  );
}
