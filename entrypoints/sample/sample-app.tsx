/**
 * "Try it on this sample", the welcome's last step: a short recording of real speech that the
 * user captions right after setup, through the same tab capture as any site.
 *
 * A click inside an extension page is not an invocation of the extension, so this page cannot
 * start its own capture: Chrome hands out the tab's stream only after the toolbar button or the
 * shortcut was used on the tab (lib/background/capture-errors.ts quotes its refusal). The page
 * says so and waits; once captions are live on this tab it plays the recording. No extension may
 * script an extension page, so the overlay is not shown here: the page shows the captions itself.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { StatusLine } from '@/components/status-line';
import { pageSessionFeed, useSessionFeed } from '@/components/use-session-feed';
import { SAMPLE_CLIP_PATH, SAMPLE_REFERENCE_TEXT, sampleCaptionText } from '@/lib/sample-clip';
import { capturesTab } from '@/lib/contract/messages';
import { t } from '@/lib/i18n';

export function SampleApp() {
  const { state, transcript } = useSessionFeed(pageSessionFeed());
  const [tabId, setTabId] = useState<number | null>(null);
  const audio = useRef<HTMLAudioElement>(null);
  /** The session (by start time) the recording was last played for: once each. */
  const playedFor = useRef<number | null>(null);

  useEffect(() => {
    void browser.tabs.getCurrent().then((tab) => setTabId(tab?.id ?? null), () => undefined);
  }, []);

  const onThisTab = tabId !== null && state.tabId === tabId && capturesTab(state.source);
  const live = onThisTab && state.phase === 'live';
  useEffect(() => {
    const player = audio.current;
    if (!live || !player || state.startedAt === null || playedFor.current === state.startedAt) return;
    playedFor.current = state.startedAt;
    player.currentTime = 0;
    // Chrome may refuse playing without a click on the page: the player's own button is there.
    player.play().catch(() => undefined);
  }, [live, state.startedAt]);

  const captions = onThisTab ? sampleCaptionText(transcript) : '';
  return (
    <main class="options-main sample-main">
      <h1>{t('sampleTitle')}</h1>
      <p class="section-note">{t('sampleIntro')}</p>
      <ol class="sample-steps">
        <li>{t('sampleStepButton')}</li>
        <li>{t('sampleStepStart')}</li>
        <li>{t('sampleStepWatch')}</li>
      </ol>
      {/* Repeats while captioned: an engine that ends a line only on the speech after it (the
          proxy's local engine) would otherwise keep the recording's last words, and a listen
          connection that hears nothing back for 15 s is taken for dead (lib/listen/listen-socket-api.ts). */}
      <audio ref={audio} class="sample-player" data-testid="sample-audio" controls preload="auto" loop={live} src={SAMPLE_CLIP_PATH} />
      <section class="options-section sample-captions" aria-labelledby="sample-captions-title">
        <h2 id="sample-captions-title">{t('sampleCaptionsTitle')}</h2>
        <p class="sample-caption-text" data-testid="sample-captions" aria-live="polite">
          {captions || <span class="sample-waiting">{onThisTab ? t('sampleListening') : t('sampleWaiting')}</span>}
        </p>
        {onThisTab && <StatusLine state={state} />}
      </section>
      <details class="sample-reference">
        <summary>{t('sampleReferenceTitle')}</summary>
        <p data-testid="sample-reference">{SAMPLE_REFERENCE_TEXT}</p>
        <p class="section-note">{t('sampleCredit')}</p>
      </details>
    </main>
  );
}
