/**
 * Removes credentials from upstream text before it reaches a client or a log: the Deepgram key
 * wherever it appears, and whatever follows a `Token` or `Bearer` scheme word. An upstream (or an
 * intermediary in front of it) may echo the request's Authorization header in an error body or a
 * close reason.
 */

export const REDACTED = '[redacted]';
/** `Token <credential>` / `Bearer <credential>` as in an Authorization header, any case. */
const SCHEME_CREDENTIAL = /\b(token|bearer)(\s*[:=]?\s+|\s*[:=]\s*)[^\s"',;]+/gi;

export interface Redactor {
  /** Text with the key and any scheme credential replaced by `[redacted]`. */
  text(value: string): string;
  /**
   * A server message with the key replaced, the same Buffer when it holds no key. Only the key is
   * looked for: a transcript may rightly say "token" or "bearer" before a word.
   */
  message(data: Buffer): Buffer;
}

export function createRedactor(secret: string | undefined): Redactor {
  const key = secret === undefined || secret === '' ? undefined : secret;
  const keyBytes = key === undefined ? undefined : Buffer.from(key, 'utf8');
  return {
    text(value) {
      const withoutKey = key === undefined ? value : value.split(key).join(REDACTED);
      return withoutKey.replace(SCHEME_CREDENTIAL, (_match, scheme: string, gap: string) => `${scheme}${gap}${REDACTED}`);
    },
    message(data) {
      if (keyBytes === undefined || key === undefined || data.indexOf(keyBytes) < 0) return data;
      return Buffer.from(data.toString('utf8').split(key).join(REDACTED), 'utf8');
    },
  };
}
