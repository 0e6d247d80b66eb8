import { useState } from 'preact/hooks';
import { browserMessage } from '@/lib/browser-kind';
import { t } from '@/lib/i18n';
import { requestMicrophone, type MicRequestResult } from '@/lib/mic-permission';
import { permissionStartFrom } from '@/lib/background/permission-start';
import { askBackground } from '@/lib/contract/messaging';

/**
 * Offscreen documents cannot show Chrome's permission prompt, so the microphone is granted here,
 * once, in a visible page of the extension's own origin. Firefox's capture tab stays in the
 * background, so there too the prompt is shown here; its grant lasts only if the user ticks
 * "Remember this decision", which the page asks for.
 */
export function PermissionApp({ address = new URL(window.location.href) }: { address?: URL }) {
  // The start this page completes once allowed (the background reads the same address).
  const meeting = permissionStartFrom(address).source === 'tab-and-mic';
  const [result, setResult] = useState<MicRequestResult | null>(null);
  const [asking, setAsking] = useState(false);

  async function grant() {
    setAsking(true);
    const outcome = await requestMicrophone(navigator.mediaDevices);
    setAsking(false);
    setResult(outcome);
    if (outcome.ok) {
      void askBackground({ type: 'permission/mic-granted' });
      setTimeout(() => window.close(), 1500);
    }
  }

  return (
    <main class="permission-main">
      <h1>{t('permissionTitle')}</h1>
      <p>{t(browserMessage('permissionExplain', 'firefoxPermissionExplain'))}</p>
      {meeting && <p data-testid="meeting-explain">{t('permissionExplainMeeting')}</p>}
      <button type="button" class="primary" data-testid="grant-mic" disabled={asking} onClick={() => void grant()}>
        {t('permissionAllow')}
      </button>
      <div role="status" aria-live="polite">
        {result?.ok && <p class="saved">{t('permissionGranted')}</p>}
      </div>
      {result && !result.ok && (
        <p class="status-error" role="alert" data-testid="mic-error">
          {result.message}
        </p>
      )}
    </main>
  );
}
