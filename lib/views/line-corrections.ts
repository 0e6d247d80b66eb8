/**
 * Where the side panel sends a line's correction, and how it shows it until the transcript it
 * follows catches up.
 *
 * A line of the running session is corrected by the session's own document (transcript/correct):
 * it saves the correction and sends the corrected line to every view, so this panel's Live tab,
 * any other panel and the page's overlay all show it, and the session's later writes keep it
 * (lib/persistence/session-recorder.ts). That holds whichever tab the line was corrected from:
 * the Live tab, or the History tab with the running session opened. A line of any other session,
 * or of one that ended while its line was being edited (its document is closed by then), is
 * corrected in the saved history directly.
 */
import type { LineCorrection, LineCorrectionResult } from '../contract/messages';
import { isCorrectable } from '../transcript/live-corrections';
import { sessionOfUtteranceId } from '../transcript/utterance-ids';
import type { Utterance } from '../transcript/types';
import type { SessionHistory } from './session-history';

export interface LineCorrectionPorts {
  /** transcript/correct; undefined when nobody answered. */
  askSession(correction: LineCorrection): Promise<LineCorrectionResult | undefined>;
  history: Pick<SessionHistory, 'listSessions' | 'correctLine'>;
}

/**
 * The session a line is in: its start (epoch ms, as SessionState.startedAt), and its saved id when
 * known (a saved session opened in the panel); the Live tab knows only the start.
 */
export interface CorrectedSession {
  startedAt: number;
  savedId: string | null;
}

export type LineCorrectionOutcome =
  | { ok: true; utterance: Utterance; by: 'session' | 'history' }
  | { ok: false; reason: 'gone' | 'failed'; detail: string };

/**
 * Corrects a line of `session`: through the running session when it is that one (`runningStartedAt`
 * is the running session's start, or null when none runs), else in the saved history.
 */
export async function correctSessionLine(
  ports: LineCorrectionPorts,
  session: CorrectedSession,
  runningStartedAt: number | null,
  utteranceId: string,
  text: string,
): Promise<LineCorrectionOutcome> {
  try {
    if (runningStartedAt !== null && runningStartedAt === session.startedAt) {
      const answer = await ports.askSession({ sessionStartedAt: session.startedAt, utteranceId, text });
      if (answer?.ok) return { ok: true, utterance: answer.utterance, by: 'session' };
      if (answer && answer.reason !== 'not-running') return { ok: false, reason: answer.reason, detail: answer.detail };
    }
    const savedId = session.savedId ?? (await ports.history.listSessions()).find((s) => s.startedAt === session.startedAt)?.id;
    const corrected = savedId === undefined ? null : await ports.history.correctLine(savedId, utteranceId, text);
    return corrected ? { ok: true, utterance: corrected, by: 'history' } : { ok: false, reason: 'gone', detail: '' };
  } catch (error) {
    return { ok: false, reason: 'failed', detail: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Whether the Live tab offers to correct a line: one of the shown session (`startedAt`), and while
 * that session runs, only a finished one (an open line still grows with each final).
 */
export function canCorrectLiveLine(utterance: Utterance, startedAt: number | null, running: boolean): boolean {
  return startedAt !== null && sessionOfUtteranceId(utterance.id) === startedAt && (!running || isCorrectable(utterance));
}

/**
 * A corrected line the panel shows before (or instead of) the transcript it follows having it:
 * shown while that transcript still holds `base`, the very line that was corrected. Any newer
 * version of the line (the session's own update with the correction, a fresh snapshot) replaces it.
 */
export interface LocalFix {
  base: Utterance;
  fixed: Utterance;
}

export function withLocalFixes(utterances: readonly Utterance[], fixes: ReadonlyMap<string, LocalFix>): readonly Utterance[] {
  if (fixes.size === 0) return utterances;
  // The same array when nothing is fixed, so a view that compares arrays sees no change.
  if (!utterances.some((u) => fixes.get(u.id)?.base === u)) return utterances;
  return utterances.map((u) => {
    const fix = fixes.get(u.id);
    return fix?.base === u ? fix.fixed : u;
  });
}
