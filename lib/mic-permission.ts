/** Asking for the microphone, with each way it can fail said plainly. */

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
        message:
          'The microphone was blocked. Click the camera/microphone icon in the address bar (or chrome://settings/content/microphone), allow it for Captionist, and try again.',
      };
    case 'NotFoundError':
    case 'OverconstrainedError':
      return { ok: false, denied: false, message: 'No microphone was found. Plug one in or choose one in your system settings.' };
    case 'NotReadableError':
    case 'AbortError':
      return {
        ok: false,
        denied: false,
        message: 'The microphone is in use by another program or could not be opened. Close the other program and try again.',
      };
    default:
      return { ok: false, denied: false, message: `The microphone could not be opened (${String(error)}).` };
  }
}
