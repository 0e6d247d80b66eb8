/**
 * What the overlay's live region says as the session feed changes (lib/contract/session-feed.ts):
 * finals that arrive as updates; never what a snapshot brings (it was said before the overlay was
 * there) nor what a new session's emptied transcript drops.
 */
import type { SessionFeedChange } from '../contract/session-feed';
import type { TranscriptSnapshot } from '../transcript/types';
import type { SpeakerNames } from './caption-lines';
import { nextAnnouncements, startAnnouncer, type AnnouncerState } from './live-announcements';

export class SessionAnnouncer {
  private state: AnnouncerState = startAnnouncer([]);

  /** `names`: the speaker names of the moment, asked for at each announcement. */
  constructor(private readonly names: () => SpeakerNames = () => ({})) {}

  /** What to announce for `change`; `transcript` is the feed's transcript after it. */
  heard(change: SessionFeedChange, transcript: TranscriptSnapshot): string[] {
    if (change.kind === 'transcript') {
      this.state = startAnnouncer(transcript.utterances);
      return [];
    }
    if (change.kind !== 'update' || change.update.changed.length === 0) return [];
    const result = nextAnnouncements(this.state, transcript.utterances, this.names());
    this.state = result.state;
    return result.announcements;
  }
}
