import type { CaptureSource } from '@/lib/contract/messages';
import { t } from '@/lib/i18n';

/** The one wording of each source, in the popup and in Options. */
export function sourceLabel(source: CaptureSource): string {
  switch (source) {
    case 'tab':
      return t('popupSourceTab');
    case 'mic':
      return t('popupSourceMic');
    case 'tab-and-mic':
      return t('popupSourceTabAndMic');
  }
}
