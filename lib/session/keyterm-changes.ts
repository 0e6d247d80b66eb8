/**
 * Changing a live session's key terms: checked against Deepgram's documented limits before
 * anything is sent (lib/listen/configure.ts; the proxy ends a stream whose Configure breaks them),
 * then sent as Configure, and settled by the server's one answer (ConfigureSuccess or
 * ConfigureFailure), or by silence: a server that does not know Configure never answers.
 *
 * Answers come in the order the requests went (one connection, one server), so each settles the
 * oldest request still waiting.
 */
import type { KeytermsChangeResult } from '../contract/messages';
import { t } from '../i18n';
import { checkConfigureKeyterms, type KeytermsProblem } from '../listen/configure';
import type { ConfigureFailureEvent, ConfigureSuccessEvent } from '../listen/protocol';
import { keytermParam } from '../settings';

/** Deepgram answers at once; ten seconds covers a reconnect in between. */
export const CONFIGURE_ANSWER_TIMEOUT_MS = 10_000;

/** What the extension says when it refuses a list before sending it. */
export function keytermsProblemText(problem: KeytermsProblem): string {
  switch (problem.kind) {
    case 'too-many':
      return t('keytermsChangeTooMany', problem.max, problem.count);
    case 'term-too-long':
      return t('keytermsChangeTermTooLong', `${problem.term.slice(0, 30)}…`, problem.max);
    case 'empty-term':
      return t('keytermsChangeEmptyTerm');
    case 'too-many-tokens':
      return t('keytermsChangeTooManyTokens', problem.max, problem.tokens);
  }
}

interface Waiting {
  keyterms: string[];
  settle: (result: KeytermsChangeResult) => void;
  timer: ReturnType<typeof setTimeout>;
}

const refuse = (message: string): Promise<KeytermsChangeResult> => Promise.resolve({ ok: false, refusedBy: 'extension', message });

export class KeytermChanges {
  private readonly waiting: Waiting[] = [];

  constructor(
    /** Sends Configure with these terms; false when there is no stream to send it on. */
    private readonly send: (keyterms: string[]) => boolean,
    private readonly model: string,
    private readonly timeoutMs: number = CONFIGURE_ANSWER_TIMEOUT_MS,
  ) {}

  request(keyterms: readonly string[]): Promise<KeytermsChangeResult> {
    // Configure's key terms are Nova-3's; older models take `keywords`, fixed when the stream opens.
    if (keytermParam(this.model) !== 'keyterm') return refuse(t('keytermsChangeNeedsNova3', this.model));
    const checked = checkConfigureKeyterms(keyterms);
    if (!checked.ok) return refuse(keytermsProblemText(checked.problem));
    if (!this.send(checked.keyterms)) return refuse(t('keytermsChangeNotRunning'));
    return new Promise((settle) => {
      const entry: Waiting = {
        keyterms: checked.keyterms,
        settle,
        timer: setTimeout(() => {
          this.remove(entry);
          settle({ ok: false, refusedBy: 'no-answer', message: t('keytermsChangeNoAnswer', Math.round(this.timeoutMs / 1000)) });
        }, this.timeoutMs),
      };
      this.waiting.push(entry);
    });
  }

  /** The server's answer to the oldest waiting request (an answer nobody waits for, e.g. after a reconnect's resend, is dropped). */
  answer(event: ConfigureSuccessEvent | ConfigureFailureEvent): void {
    const entry = this.waiting.shift();
    if (!entry) return;
    clearTimeout(entry.timer);
    if (event.kind === 'configure-success') entry.settle({ ok: true, keyterms: event.keyterms ?? entry.keyterms });
    else entry.settle({ ok: false, refusedBy: 'server', message: event.message === '' ? t('keytermsChangeRefusedNoReason') : t('keytermsChangeRefused', event.message) });
  }

  /** The session ended: whoever still waits hears so. */
  cancel(): void {
    for (const entry of this.waiting.splice(0)) {
      clearTimeout(entry.timer);
      entry.settle({ ok: false, refusedBy: 'extension', message: t('keytermsChangeNotRunning') });
    }
  }

  private remove(entry: Waiting): void {
    const at = this.waiting.indexOf(entry);
    if (at >= 0) this.waiting.splice(at, 1);
  }
}
