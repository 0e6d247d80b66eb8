/** Asking for the microphone, with each way it can fail said plainly. */
import type { UserFacingError } from './contract/messages';
import { browserMessage } from './browser-kind';
import { t } from './i18n';

export type MicRequestResult = { ok: true } | { ok: false; denied: boolean; message: string };

export async function requestMicrophone(devices: Pick<MediaDevices, 'getUserMedia'>): Promise<MicRequestResult> {
  try {
    const stream = await devices.getUserMedia({ audio: true });
    for (const track of stream.getTracks()) track.stop(); // only the grant was wanted here
    return { ok: true };
  } catch (error) {
    return describeMicError(error);
  }
}

export function describeMicError(error: unknown): Extract<MicRequestResult, { ok: false }> {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return {
        ok: false,
        denied: true,
        message: t(browserMessage('permissionMicBlocked', 'firefoxPermissionMicBlocked')),
      };
    case 'NotFoundError':
    case 'OverconstrainedError':
      return { ok: false, denied: false, message: t('permissionMicMissing') };
    case 'NotReadableError':
    case 'AbortError':
      return {
        ok: false,
        denied: false,
        message: t('permissionMicBusy'),
      };
    default:
      return { ok: false, denied: false, message: t('permissionMicFailed', String(error)) };
  }
}

/**
 * Why a microphone session could not start, as a fact: the popup and the side panel show it next
 * to their advice for the code (components/status-line.tsx), which already says what to do, so
 * an instruction here would be said twice.
 */
export function micPermissionError(permission: 'needed' | 'denied'): UserFacingError {
  return permission === 'needed'
    ? { code: 'mic-permission-needed', message: t('sessionMicNotAllowedYet') }
    : { code: 'mic-permission-denied', message: t(browserMessage('sessionMicBlocked', 'firefoxSessionMicBlocked')) };
}
