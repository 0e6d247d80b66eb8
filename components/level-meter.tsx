import { useEffect, useState } from 'preact/hooks';
import { t } from '@/lib/i18n';
import { onOffscreenEvent } from '@/lib/contract/messaging';

/** dBFS of the loudest sample, mapped from -60..0 dB to an empty..full bar. */
export function peakToFraction(peak: number): number {
  if (peak <= 0) return 0;
  const db = 20 * Math.log10(peak);
  return Math.min(1, Math.max(0, (db + 60) / 60));
}

export function LevelMeter() {
  const [peak, setPeak] = useState(0);
  useEffect(
    () =>
      onOffscreenEvent((event) => {
        if (event.type === 'audio/level') setPeak(event.peak);
      }),
    [],
  );
  const fraction = peakToFraction(peak);
  return (
    <span
      class="level"
      role="meter"
      aria-label={t('popupLevelLabel')}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(fraction * 100)}
      data-testid="level"
      data-peak={peak.toFixed(4)}
    >
      <span style={{ width: `${fraction * 100}%` }} />
    </span>
  );
}
