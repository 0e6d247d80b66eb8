/**
 * The proxy's fallback notice (lib/listen/engine-notice.ts) as the sentence the popup, the side
 * panel and the overlay show while the session runs, e.g. "Deepgram refused (402): using the local
 * engine, less accurate."
 */
import type { EngineKind, EngineNotice } from '../listen/engine-notice';
import { t } from '../i18n';

function fromName(kind: EngineKind): string {
  switch (kind) {
    case 'deepgram':
      return t('engineFromDeepgram');
    case 'compatible':
      return t('engineFromCompatible');
    case 'local':
      return t('engineFromLocal');
  }
}

function usingName(kind: EngineKind): string {
  switch (kind) {
    case 'deepgram':
      return t('engineUsingDeepgram');
    case 'compatible':
      return t('engineUsingCompatible');
    case 'local':
      return t('engineUsingLocal');
  }
}

export function engineNoticeText(notice: EngineNotice): string {
  const from = fromName(notice.from);
  const using = usingName(notice.engine);
  switch (notice.reason) {
    case 'unreachable':
      return t('engineFallbackUnreachable', from, using);
    case 'timeout':
      return t('engineFallbackTimeout', from, using);
    case 'out_of_credit':
    case 'concurrency':
    case 'server_error':
      return notice.status === undefined ? t('engineFallbackRefusedNoStatus', from, using) : t('engineFallbackRefused', from, notice.status, using);
  }
}
