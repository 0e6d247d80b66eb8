/**
 * Deepgram's mid-stream `Configure` for key terms (docs/deepgram-protocol.md §3.5): the message,
 * and the limits checked before it is sent. The extension and the proxy check the same limits with
 * the same code (proxy/control-messages.ts), because the proxy ends a stream whose Configure breaks
 * them: Deepgram itself silently stops transcribing on an over-limit update and closes ~30 s later.
 *
 * Limits: at most 500 tokens across all key terms (the model's tokens, estimated here), about 100
 * terms, each at most 100 characters; Nova-3 models only.
 */

export const CONFIGURE_MAX_KEYTERMS = 100;
export const CONFIGURE_MAX_KEYTERM_CHARACTERS = 100;
export const CONFIGURE_MAX_KEYTERM_TOKENS = 500;

/**
 * Tokens are the model's, which no client can count exactly; English BPE averages about four
 * characters a token, so a word counts as at least one token and one per four characters. Erring
 * high keeps a list we accept under the server's limit.
 */
export function estimateKeytermTokens(keyterm: string): number {
  return keyterm
    .split(/\s+/)
    .filter((word) => word !== '')
    .reduce((sum, word) => sum + Math.max(1, Math.ceil(word.length / 4)), 0);
}

/** Why a key-term list may not be sent, as data: the caller words it for its reader. */
export type KeytermsProblem =
  | { kind: 'too-many'; max: number; count: number }
  | { kind: 'term-too-long'; max: number; term: string }
  | { kind: 'empty-term' }
  | { kind: 'too-many-tokens'; max: number; tokens: number };

/** The list trimmed, or the first limit it breaks. */
export function checkConfigureKeyterms(keyterms: readonly unknown[]): { ok: true; keyterms: string[] } | { ok: false; problem: KeytermsProblem } {
  if (keyterms.length > CONFIGURE_MAX_KEYTERMS) return { ok: false, problem: { kind: 'too-many', max: CONFIGURE_MAX_KEYTERMS, count: keyterms.length } };
  const checked: string[] = [];
  let tokens = 0;
  for (const item of keyterms) {
    if (typeof item !== 'string' || item.trim() === '') return { ok: false, problem: { kind: 'empty-term' } };
    const keyterm = item.trim();
    if (keyterm.length > CONFIGURE_MAX_KEYTERM_CHARACTERS) {
      return { ok: false, problem: { kind: 'term-too-long', max: CONFIGURE_MAX_KEYTERM_CHARACTERS, term: keyterm } };
    }
    tokens += estimateKeytermTokens(keyterm);
    checked.push(keyterm);
  }
  if (tokens > CONFIGURE_MAX_KEYTERM_TOKENS) return { ok: false, problem: { kind: 'too-many-tokens', max: CONFIGURE_MAX_KEYTERM_TOKENS, tokens } };
  return { ok: true, keyterms: checked };
}

/** Configure replaces the whole list (the URL's terms included); [] clears it. */
export function configureKeytermsText(keyterms: readonly string[]): string {
  return JSON.stringify({ type: 'Configure', keyterms });
}
