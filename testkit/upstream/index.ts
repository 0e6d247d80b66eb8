/**
 * The one fake Deepgram-compatible upstream for tests and benchmarks, put behind the real proxy as
 * its DEEPGRAM_URL (or spoken to directly). Every mode shares the same server (./server.ts: the
 * /v1/listen upgrade, key check, refusals, dg-request-id, cleanup); the mode decides what it says:
 *
 * - `normal`: Deepgram's documented live behaviour, transcripts from a script (./normal.ts);
 * - `hostile`: words named by a hash of each audio message, optionally with seeded garbage and
 *   markup, plus faults on demand (./hostile.ts);
 * - `timed`: answers at once and logs arrival/send times for the latency and CPU benchmarks
 *   (./timed.ts);
 * - `recording`: says nothing, keeps every text frame byte for byte (./recording.ts).
 */
import { startHostileUpstream, type HostileUpstream, type HostileUpstreamOptions } from './hostile';
import { startFakeDeepgram, type FakeDeepgram, type FakeDeepgramOptions } from './normal';
import { startRecordingUpstream, type RecordingUpstream, type RecordingUpstreamOptions } from './recording';
import { startTimedUpstream, type TimedUpstream, type TimedUpstreamOptions } from './timed';

export type { FakeConnectionLog, FakeDeepgram, FakeDeepgramOptions, FakeUtterance } from './normal';
export { DEFAULT_FAKE_SCRIPT } from './normal';
export type { HostileUpstream, HostileUpstreamOptions, UpstreamConnectionLog } from './hostile';
export { MARKUP_SCRIPT, MARKUP_WORD, stitchConnections, wordForAudio } from './hostile';
export type { OnsetArrival, ResultSent, TimedUpstream, TimedUpstreamOptions, UpstreamTraffic } from './timed';
export { epochMs } from './timed';
export type { RecordedConnection, RecordingUpstream, RecordingUpstreamOptions } from './recording';

export type FakeUpstreamOptions =
  | ({ mode: 'normal' } & FakeDeepgramOptions)
  | ({ mode: 'hostile' } & HostileUpstreamOptions)
  | ({ mode: 'timed' } & TimedUpstreamOptions)
  | ({ mode: 'recording' } & RecordingUpstreamOptions);

export function startFakeUpstream(options: { mode: 'normal' } & FakeDeepgramOptions): Promise<FakeDeepgram>;
export function startFakeUpstream(options: { mode: 'hostile' } & HostileUpstreamOptions): Promise<HostileUpstream>;
export function startFakeUpstream(options: { mode: 'timed' } & TimedUpstreamOptions): Promise<TimedUpstream>;
export function startFakeUpstream(options: { mode: 'recording' } & RecordingUpstreamOptions): Promise<RecordingUpstream>;
export function startFakeUpstream(options: FakeUpstreamOptions): Promise<FakeDeepgram | HostileUpstream | TimedUpstream | RecordingUpstream> {
  switch (options.mode) {
    case 'normal':
      return startFakeDeepgram(options);
    case 'hostile':
      return startHostileUpstream(options);
    case 'timed':
      return startTimedUpstream(options);
    case 'recording':
      return startRecordingUpstream(options);
  }
}
