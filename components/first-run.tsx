/**
 * First use: until one connection check has passed, Captionist cannot caption anything, and a
 * fresh install would otherwise show "Not captioning" with nothing to say why until Start fails.
 * The popup then says "Set up Captionist first" with a button to the Options page's welcome
 * (entrypoints/options/options-app.tsx, at #welcome), which says in a sentence what the proxy is and what the local engine
 * means for accuracy, and walks through proxy URL, token and Test connection.
 */
import { browser } from 'wxt/browser';
import type { ConnectionTestResult } from '@/lib/connection-test';
import { t } from '@/lib/i18n';
import type { StoredConnectionCheck } from '@/lib/storage';
import { SAMPLE_PAGE_PATH, WELCOME_PATH } from '@/lib/background/first-run';

export const WELCOME_HASH = '#welcome';

/**
 * Setup is still to do while no check of the proxy ever passed (Options' Test connection or the
 * popup's quick check save one) and the popup's own check of it now, if any, did not pass either.
 */
export function setupNeeded(stored: StoredConnectionCheck | null, fresh: ConnectionTestResult | null | undefined): boolean {
  return !stored?.ok && !fresh?.ok;
}

export function openWelcome(): void {
  void browser.tabs.create({ url: browser.runtime.getURL(WELCOME_PATH) });
}

/** The sample page in a new tab (the welcome's last step). */
export function openSample(): void {
  void browser.tabs.create({ url: browser.runtime.getURL(SAMPLE_PAGE_PATH) });
}

/** The popup's note while setup is to do; it takes the place of the proxy's own notes. */
export function PopupSetupNote() {
  return (
    <div class="engine-note setup-note" data-testid="setup-needed">
      <p>
        <strong>{t('setupFirst')}</strong> {t('setupFirstWhy')}
      </p>
      <button type="button" class="secondary" data-testid="set-up" onClick={openWelcome}>
        {t('setupButton')}
      </button>
    </div>
  );
}

/** The top of the Options page on first use (or opened from the popup's note). */
export function WelcomeSection({ done }: { done: boolean }) {
  return (
    <section class="options-section welcome" id="welcome" data-testid="welcome" aria-labelledby="welcome-title">
      <h2 id="welcome-title">{t('welcomeTitle')}</h2>
      <p>{t('welcomeProxy')}</p>
      <p class="section-note">{t('welcomeLocalEngine')}</p>
      <ol>
        <li>{t('welcomeStepUrl')}</li>
        <li>{t('welcomeStepToken')}</li>
        <li>{t('welcomeStepTest')}</li>
        <li>{t('welcomeStepTry')}</li>
      </ol>
      {done && (
        <p class="welcome-done" role="status" data-testid="welcome-done">
          {t('welcomeDone')}
        </p>
      )}
      <p class="welcome-try">
        <button type="button" class={done ? 'primary' : 'secondary'} data-testid="try-sample" onClick={openSample}>
          {t('welcomeTrySample')}
        </button>
      </p>
    </section>
  );
}
