import { useState } from 'preact/hooks';
import { requestMicrophone, type MicRequestResult } from '@/lib/mic-permission';
import { broadcast } from '@/lib/runtime-client';

/**
 * Offscreen documents cannot show Chrome's permission prompt, so the microphone is granted here,
 * once, in a visible page of the extension's own origin.
 */
export function PermissionApp() {
  const [result, setResult] = useState<MicRequestResult | null>(null);

  async function grant() {
    const outcome = await requestMicrophone(navigator.mediaDevices);
    setResult(outcome);
    if (outcome.ok) {
      broadcast({ type: 'permission/mic-granted' });
      setTimeout(() => window.close(), 1500);
    }
  }

  return (
    <main class="permission-main">
      <h1>Allow Captionist to use your microphone</h1>
      <p>
        Chrome asks once. The audio goes only to the caption proxy in your settings, and only while captions are on.
      </p>
      <button type="button" class="primary" data-testid="grant-mic" onClick={() => void grant()}>
        Allow microphone
      </button>
      {result?.ok && <p class="saved" role="status">Microphone allowed. Captions are starting; this tab will close.</p>}
      {result && !result.ok && (
        <p class="status-error" role="alert" data-testid="mic-error">
          {result.message}
        </p>
      )}
    </main>
  );
}
