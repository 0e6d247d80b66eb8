import { t } from '@/lib/i18n';

export interface Announcement {
  id: number;
  text: string;
}

/**
 * A polite live region, visually hidden: each finalized piece of caption is added once as a new
 * paragraph, and screen readers read the additions when the user is idle. Interim text never
 * comes here. Only the last few stay in the DOM.
 */
export function OverlayLiveRegion({ announcements }: { announcements: readonly Announcement[] }) {
  return (
    <div class="sr-only" data-testid="caption-live-region" role="log" aria-live="polite" aria-relevant="additions" aria-label={t('overlayLiveRegionLabel')}>
      {announcements.map((announcement) => (
        <p key={announcement.id}>{announcement.text}</p>
      ))}
    </div>
  );
}
