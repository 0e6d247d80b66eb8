/**
 * Changing a live session's key terms: checked against Deepgram's documented limits before
 * anything is sent (lib/listen/configure.ts; the proxy ends a stream whose Configure breaks them),
 * then sent as Configure, and settled by the server's one answer (ConfigureSuccess or
 * ConfigureFailure), or by silence: a server that does not know Configure never answers.
 *
 * The socket numbers each Configure and says which one an answer is to (lib/listen/listen-socket.ts
 * keeps them in order per connection), so a late answer to a request that already timed out
 * settles nothing else.
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
  request: number;
  keyterms: string[];
  settle: (result: KeytermsChangeResult) => void;
  timer: ReturnType<typeof setTimeout>;
}

const refuse = (message: string): Promise<KeytermsChangeResult> => Promise.resolve({ ok: false, refusedBy: 'extension', message });

export class KeytermChanges {
  private readonly waiting: Waiting[] = [];

  constructor(
    /** Sends Configure with these terms and returns the socket's number for it; null when there is no stream to send it on. */
    private readonly send: (keyterms: string[]) => number | null,
    private readonly model: string,
    /** A transcription relay chooses its own key terms and takes no Configure (lib/listen/server-kind.ts). */
    private readonly toRelay: boolean,
    private readonly timeoutMs: number = CONFIGURE_ANSWER_TIMEOUT_MS,
  ) {}

  request(keyterms: readonly string[]): Promise<KeytermsChangeResult> {
    // Configure's key terms are Nova-3's; older models take `keywords`, fixed when the stream opens.
    if (this.toRelay) return refuse(t('keytermsChangeRelay'));
    if (keytermParam(this.model) !== 'keyterm') return refuse(t('keytermsChangeNeedsNova3', this.model));
    const checked = checkConfigureKeyterms(keyterms);
    if (!checked.ok) return refuse(keytermsProblemText(checked.problem));
    const request = this.send(checked.keyterms);
    if (request === null) return refuse(t('keytermsChangeNotRunning'));
    return new Promise((settle) => {
      const entry: Waiting = {
        request,
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

  /** The server's answer to the request it names; one nobody waits for (timed out, or the socket's own resend) changes nothing. */
  answer(event: ConfigureSuccessEvent | ConfigureFailureEvent): void {
    const entry = this.waiting.find((waiting) => waiting.request === event.request);
    if (!entry) return;
    this.remove(entry);
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
