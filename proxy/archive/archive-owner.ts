/**
 * Whose sessions are whose. Token names ("token#2", proxy/client-auth.ts) are positions in
 * CAPTIONIST_TOKENS: removing or reordering a token would hand its sessions to whichever token
 * takes its place. So the archive's owner is a digest of the token itself, stable however the
 * list changes; the name is kept beside it for people reading the table. A client token has at
 * least 128 bits (proxy/config.ts MIN_TOKEN_LENGTH), so its digest gives nothing away.
 */
import { createHash } from 'node:crypto';

/** The owner of a stream or request: the token's digest, or "anonymous" when the proxy runs without tokens. */
export function archiveOwner(token: string | undefined, tokensRequired: boolean): string {
  if (!tokensRequired || token === undefined) return 'anonymous';
  return createHash('sha256').update('captionist-archive-owner\0').update(token, 'utf8').digest('hex').slice(0, 40);
}
