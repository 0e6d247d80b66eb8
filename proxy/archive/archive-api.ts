/**
 * The archive's read API, on the proxy's HTTP port, authenticated like /metrics (Authorization:
 * Token <token>); each token sees only its own sessions, and another token's session is a 404,
 * the same answer as a session that does not exist.
 *
 *   GET /v1/archive/sessions                          {sessions: [{id, createdAt, lastActivityAt, utterances}]}
 *   GET /v1/archive/sessions/:id                      {id, createdAt, lastActivityAt, utterances: [...]}
 *   GET /v1/archive/sessions/:id/export?format=F      the extension's own exporters (lib/transcript/export-formats.ts)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExportDocument } from '../../lib/transcript/export-document';
import { EXPORT_FORMATS, renderExport, type ExportFormatId } from '../../lib/transcript/export-formats';
import { NO_SPEAKER_NAMES } from '../../lib/transcript/speaker-names';
import type { Utterance } from '../../lib/transcript/types';
import { sendJson } from '../http-refusal';
import type { ArchiveStore, StoredSession } from './archive-store';

export const ARCHIVE_PATH_PREFIX = '/v1/archive/';
const SESSION_PATH = /^\/v1\/archive\/sessions\/([0-9a-f]{32})(\/export)?$/;
const LIST_LIMIT = 200;

/** Who is asking (archive-owner.ts), or undefined when the refusal was already sent. */
export type Authenticate = (request: IncomingMessage, response: ServerResponse) => Promise<{ owner: string } | undefined>;

function toDocument(session: StoredSession): ExportDocument {
  const utterances: Utterance[] = session.utteranceList.map((u) => ({
    id: `${u.channel}-${u.startMs}`,
    words: u.words,
    text: u.text,
    start: u.startMs / 1000,
    end: u.endMs / 1000,
    speaker: u.speaker,
    channel: u.channel,
    closed: true,
  }));
  return { title: `Captionist session ${session.id.slice(0, 8)}`, startedAt: Date.parse(session.createdAt), utterances, names: NO_SPEAKER_NAMES };
}

function notFound(response: ServerResponse): void {
  sendJson(response, 404, { error: 'not_found', message: 'No such archived session for this token.' });
}

export async function serveArchive(request: IncomingMessage, response: ServerResponse, store: ArchiveStore, authenticate: Authenticate): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://proxy');
  const who = await authenticate(request, response);
  if (who === undefined) return;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    sendJson(response, 405, { error: 'method_not_allowed', message: 'The archive is read-only: use GET.' }, { Allow: 'GET, HEAD' });
    return;
  }
  if (url.pathname === '/v1/archive/sessions') {
    sendJson(response, 200, { sessions: await store.listSessions(who.owner, LIST_LIMIT) });
    return;
  }
  const match = SESSION_PATH.exec(url.pathname);
  if (match?.[1] === undefined) {
    notFound(response);
    return;
  }
  const session = await store.getSession(who.owner, match[1]);
  if (session === undefined) {
    notFound(response);
    return;
  }
  if (match[2] === undefined) {
    const { utteranceList, ...summary } = session;
    sendJson(response, 200, {
      ...summary,
      utterances: utteranceList.map((u) => ({ channel: u.channel, speaker: u.speaker, start: u.startMs / 1000, end: u.endMs / 1000, text: u.text, words: u.words })),
    });
    return;
  }
  const requested = url.searchParams.get('format') ?? 'txt';
  const format = EXPORT_FORMATS.find((f) => f.id === requested);
  if (format === undefined) {
    sendJson(response, 400, { error: 'bad_request', message: `format must be one of ${EXPORT_FORMATS.map((f) => f.id).join(', ')}.` });
    return;
  }
  const file = renderExport(toDocument(session), format.id satisfies ExportFormatId);
  response.writeHead(200, {
    'Content-Type': file.mime,
    'Content-Length': String(Buffer.byteLength(file.content)),
    'Content-Disposition': `attachment; filename="${file.fileName.replace(/["\\]/g, '_')}"`,
    'Cache-Control': 'no-store',
  });
  response.end(request.method === 'HEAD' ? undefined : file.content);
}
