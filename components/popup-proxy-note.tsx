/**
 * What the popup says about the proxy before anything goes wrong: plainly, that the local offline
 * engine (pocketsphinx) is far less accurate than Deepgram, or that the proxy refuses the token or
 * the settings. Known from the proxy's /v1/auth-check when the popup opens, or else from the last
 * "Test connection" of the same proxy URL.
 */
import type { ConnectionTestResult } from '@/lib/connection-test';
import type { UserFacingError } from '@/lib/contract/messages';
import { t } from '@/lib/i18n';
import type { StoredConnectionCheck } from '@/lib/storage';

export type ProxyNote = { kind: 'local-engine' } | { kind: 'problem'; message: string; advice: string };

/** True when the last check of *this* proxy URL found the local engine. */
export function localEngineNotice(proxyUrl: string, check: StoredConnectionCheck | null): boolean {
  return check !== null && check.ok && check.engine === 'local' && check.proxyUrl === proxyUrl;
}

/**
 * The note for a fresh auth-check answer. Only refusals that Start would meet too are shown:
 * "too many streams" is not, since a running session is one of those streams. A used-up daily
 * quota and the team's full upstream cap are, with when to try again in the proxy's words.
 */
export function noteFromCheck(result: ConnectionTestResult): ProxyNote | null {
  if (result.ok) return result.engine === 'local' ? { kind: 'local-engine' } : null;
  if (
    result.kind === 'unauthorized' ||
    result.kind === 'no-token' ||
    result.kind === 'forbidden' ||
    result.kind === 'bad-request' ||
    result.kind === 'unknown-host' ||
    result.kind === 'throttled' ||
    result.kind === 'daily-quota' ||
    result.kind === 'upstream-full'
  ) {
    return { kind: 'problem', message: result.message, advice: result.advice };
  }
  return null;
}

/**
 * The note, unless the status line above it already says the same (a session that failed on this
 * refusal carries its sentence, lib/session/explain-socket-failure.ts): one cause, said once.
 */
export function noteBesidesError(note: ProxyNote | null, error: UserFacingError | null): ProxyNote | null {
  if (note?.kind === 'problem' && error?.message.startsWith(note.message)) return null;
  return note;
}

export function ProxyNoteView({ note, onOpenSettings }: { note: ProxyNote; onOpenSettings: () => void }) {
  if (note.kind === 'local-engine') {
    return (
      <p class="engine-note" data-testid="engine-note">
        {t('popupLocalEngineNote')}
      </p>
    );
  }
  return (
    <div class="engine-note problem-note" data-testid="proxy-problem" role="alert">
      <p>{note.message}</p>
      <p>
        {note.advice}{' '}
        <button type="button" class="link" onClick={onOpenSettings}>
          {t('popupOpenSettings')}
        </button>
      </p>
    </div>
  );
}
