import { useEffect, useRef, useState } from 'preact/hooks';
import { ConnectionTestPanel, type ConnectionTestState } from '@/components/options-connection-test';
import { CheckboxField, RadioGroupField, RangeField, Section, SelectField, TextAreaField, TextField } from '@/components/options-fields';
import { sourceLabel } from '@/components/source-label';
import { AppearanceFields } from '@/components/options-appearance';
import { AutoStartSiteList } from '@/components/auto-start-sites';
import { WELCOME_HASH, WelcomeSection } from '@/components/first-run';
import { RetentionFields, retentionErrors, type RetentionDraft } from '@/components/options-retention';
import { RedactField } from '@/components/options-redact';
import { testConnection } from '@/lib/connection-test';
import { CAPTURE_SOURCES, type CaptureSource } from '@/lib/contract/messages';
import { defaultSourceChanged } from '@/lib/background/last-source';
import { t, uiLanguage } from '@/lib/i18n';
import { browserWebSocket } from '@/lib/listen/listen-socket';
import { checkOverlayAppearance, type OverlayAppearance } from '@/lib/overlay-settings';
import { loadOverlayAppearance, saveOverlayAppearance } from '@/lib/overlay-store';
import { CONNECTION_MODES, draftFromSettings, ENDPOINTING_LIMITS, keytermParam, validateDraft, type SettingsDraft, type SettingsErrors } from '@/lib/settings';
import { loadRetention, saveRetention } from '@/lib/persistence/retention-store';
import { languageChoices } from '@/lib/recognition-languages';
import { loadConnectionCheck, loadSettings, saveConnectionCheck, saveSettings } from '@/lib/storage';

const MODELS = ['nova-3', 'nova-3-medical', 'nova-2', 'nova-2-meeting', 'nova-2-phonecall', 'enhanced', 'base'];

type SaveStatus = { kind: 'none' } | { kind: 'saved' } | { kind: 'invalid'; count: number } | { kind: 'failed'; detail: string };

interface Loaded {
  draft: SettingsDraft;
  appearance: OverlayAppearance;
  retention: RetentionDraft;
}

export function OptionsApp() {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [errors, setErrors] = useState<SettingsErrors>({});
  const [appearanceError, setAppearanceError] = useState<{ field: string | null; message: string } | null>(null);
  const [retentionProblems, setRetentionProblems] = useState<Partial<Record<keyof RetentionDraft, string>>>({});
  const [submitted, setSubmitted] = useState(false);
  const [status, setStatus] = useState<SaveStatus>({ kind: 'none' });
  const [test, setTest] = useState<ConnectionTestState>({ phase: 'idle' });
  const [showToken, setShowToken] = useState(false);
  // First use (no check of the proxy ever passed) or sent here by the popup's "Set up" button.
  const [welcome, setWelcome] = useState(location.hash === WELCOME_HASH);
  const form = useRef<HTMLFormElement>(null);
  /** The default source as stored: saving another one makes it the popup's and the shortcut's choice. */
  const savedDefaultSource = useRef<CaptureSource | null>(null);
  /** Set when a save failed: after the render that marks the fields, the first one gets the focus. */
  const focusFirstInvalid = useRef(false);

  useEffect(() => {
    if (!focusFirstInvalid.current) return;
    focusFirstInvalid.current = false;
    form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  });

  useEffect(() => {
    void loadConnectionCheck().then(
      (check) => {
        if (!check?.ok) setWelcome(true);
      },
      () => undefined,
    );
    void Promise.all([loadSettings(), loadOverlayAppearance(), loadRetention()]).then(([settings, appearance, retention]) => {
      savedDefaultSource.current = settings.defaultCaptureSource;
      setLoaded({
        draft: draftFromSettings(settings),
        appearance,
        retention: { maxSessions: String(retention.maxSessions), maxDays: String(retention.maxDays) },
      });
    });
  }, []);
  if (!loaded) return <main class="options-main">{t('optionsLoading')}</main>;
  const current = loaded;
  const { draft, appearance, retention } = current;
  const languageMenu = languageChoices(draft.language, {
    uiLanguage: uiLanguage(),
    multi: t('optionsLanguageMulti'),
    unknown: (name) => t('optionsLanguageUnknown', name),
  }).map((choice) => ({ value: choice.code, label: choice.label }));

  const change = (next: Partial<Loaded>) => {
    const merged = { ...current, ...next };
    setLoaded(merged);
    setStatus({ kind: 'none' });
    // After a first Save, problems are re-checked as the user types, so a fixed field clears at once.
    if (submitted) {
      const check = validateDraft(merged.draft);
      setErrors(check.ok ? {} : check.errors);
      setRetentionProblems(retentionErrors(merged.retention).errors);
    }
  };
  const update = <K extends keyof SettingsDraft>(key: K, value: SettingsDraft[K]) => change({ draft: { ...draft, [key]: value } });
  const updateAppearance = (patch: Partial<OverlayAppearance>) => {
    setAppearanceError(null);
    change({ appearance: { ...appearance, ...patch } });
  };

  /** Saves everything (the form's submit, or a passing test in the welcome: `event` undefined). */
  async function save(event?: Event) {
    event?.preventDefault();
    setSubmitted(true);
    const check = validateDraft(draft);
    const look = checkOverlayAppearance(appearance);
    const kept = retentionErrors(retention);
    setErrors(check.ok ? {} : check.errors);
    setAppearanceError(look.ok ? null : { field: look.field, message: look.message });
    setRetentionProblems(kept.errors);
    if (!check.ok || !look.ok || !kept.policy) {
      const count = (check.ok ? 0 : Object.keys(check.errors).length) + (look.ok ? 0 : 1) + Object.keys(kept.errors).length;
      setStatus({ kind: 'invalid', count });
      focusFirstInvalid.current = true;
      return;
    }
    try {
      await saveSettings(check.settings);
      if (check.settings.defaultCaptureSource !== savedDefaultSource.current) await defaultSourceChanged();
      savedDefaultSource.current = check.settings.defaultCaptureSource;
      await saveOverlayAppearance(look.value);
      await saveRetention(kept.policy);
      setLoaded({ ...current, draft: draftFromSettings(check.settings) });
      setStatus({ kind: 'saved' });
    } catch (error) {
      setStatus({ kind: 'failed', detail: error instanceof Error ? error.message : String(error) });
    }
  }

  async function runTest() {
    const check = validateDraft(draft);
    if (!check.ok) {
      setSubmitted(true);
      setErrors(check.errors);
      focusFirstInvalid.current = true;
      setTest({
        phase: 'done',
        result: { ok: false, kind: 'invalid-settings', status: null, message: t('optionsConnectionFixFirst'), advice: t('optionsConnectionFixSettingsAdvice') },
      });
      return;
    }
    setTest({ phase: 'running' });
    const result = await testConnection(check.settings, { fetch: (url, init) => fetch(url, init), createWebSocket: browserWebSocket, post: (url, init) => fetch(url, init) });
    setTest({ phase: 'done', result });
    if (result.kind !== 'invalid-settings') {
      await saveConnectionCheck({ proxyUrl: check.settings.proxyUrl, ok: result.ok, engine: result.ok ? result.engine : null, checkedAt: Date.now() });
    }
    // A new user's passing test is their setup: saved at once, so the welcome's "set up" and its
    // sample are true without a Save they may not think of (the sample would fail with no proxy).
    if (result.ok && welcome) await save();
  }

  const termParam = keytermParam(draft.model);
  return (
    <main class="options-main">
      <h1>{t('optionsTitle')}</h1>
      {welcome ? (
        <WelcomeSection done={test.phase === 'done' && test.result.ok} />
      ) : (
        <p class="welcome-link">
          <button type="button" class="link" data-testid="show-welcome" onClick={() => setWelcome(true)}>
            {t('welcomeShow')}
          </button>
        </p>
      )}
      <form ref={form} onSubmit={(event) => void save(event)} noValidate>
        <Section id="connection" title={t('optionsSectionConnection')}>
          <RadioGroupField
            id="server-kind"
            label={t('optionsServerKind')}
            value={draft.serverKind}
            choices={[
              { value: 'listen' as const, label: t('optionsServerKindListen') },
              { value: 'relay' as const, label: t('optionsServerKindRelay') },
            ]}
            onChange={(value) => update('serverKind', value)}
            help={t('optionsServerKindHelp')}
          />
          {draft.serverKind === 'relay' && (
            <p class="field-warning" role="note" data-testid="relay-token-warning">
              {t('optionsServerKindRelayWarning')}
            </p>
          )}
          <TextField
            id="proxy-url"
            label={t('optionsProxyUrl')}
            type="url"
            value={draft.proxyUrl}
            onInput={(value) => update('proxyUrl', value)}
            error={errors.proxyUrl}
            help={t('optionsProxyUrlHelp')}
            placeholder={t('optionsProxyUrlPlaceholder')}
            inputMode="url"
          />
          <TextField
            id="token"
            label={t('optionsToken')}
            type={showToken ? 'text' : 'password'}
            value={draft.token}
            onInput={(value) => update('token', value)}
            error={errors.token}
            help={t('optionsTokenHelp')}
            after={
              <button type="button" class="secondary" aria-pressed={showToken} aria-controls="token" onClick={() => setShowToken(!showToken)}>
                {showToken ? t('optionsTokenHide') : t('optionsTokenShow')}
              </button>
            }
          />
          <RadioGroupField
            id="connection-mode"
            label={t('optionsConnectionMode')}
            value={draft.connectionMode}
            choices={CONNECTION_MODES.map((mode) => ({ value: mode, label: t(mode === 'direct' ? 'optionsConnectionModeDirect' : 'optionsConnectionModeRelay') }))}
            onChange={(value) => update('connectionMode', value)}
            help={t('optionsConnectionModeHelp')}
          />
          <CheckboxField
            id="archive-transcripts"
            label={t('optionsArchive')}
            checked={draft.archiveTranscripts}
            onChange={(value) => update('archiveTranscripts', value)}
            help={t('optionsArchiveHelp')}
          />
          <ConnectionTestPanel state={test} onTest={() => void runTest()} />
        </Section>

        <Section id="recognition" title={t('optionsSectionRecognition')}>
          <p class="section-note">{t('optionsRecognitionNote')}</p>
          <div class="field-pair">
            <SelectField
              id="language"
              label={t('optionsLanguage')}
              value={draft.language.trim()}
              choices={languageMenu}
              onChange={(value) => update('language', value)}
              error={errors.language}
              help={t('optionsLanguageMenuHelp')}
            />
            <TextField
              id="model"
              label={t('optionsModel')}
              value={draft.model}
              list="model-list"
              onInput={(value) => update('model', value)}
              error={errors.model}
              help={t('optionsModelHelp')}
            />
          </div>
          <datalist id="model-list">
            {MODELS.map((name) => (
              <option key={name} value={name} />
            ))}
          </datalist>
          <TextAreaField
            id="keyterms"
            label={t('optionsKeyterms')}
            value={draft.keyterms}
            onInput={(value) => update('keyterms', value)}
            error={errors.keyterms}
            help={termParam === 'keyterm' ? t('optionsKeytermsHelp') : t('optionsKeytermsHelpKeywords', draft.model.trim())}
            placeholder={t('optionsKeytermsPlaceholder')}
          />
          <CheckboxField
            id="mip-opt-out"
            label={t('optionsMipOptOut')}
            checked={draft.mipOptOut}
            onChange={(value) => update('mipOptOut', value)}
            help={t('optionsMipOptOutHelp')}
          />
          <RedactField value={draft.redact} language={draft.language} onChange={(value) => update('redact', value)} />
          <CheckboxField
            id="diarize"
            label={t('optionsDiarize')}
            checked={draft.diarize}
            onChange={(value) => update('diarize', value)}
            help={t('optionsDiarizeHelp')}
          />
          <CheckboxField
            id="smart-format"
            label={t('optionsSmartFormat')}
            checked={draft.smartFormat}
            onChange={(value) => update('smartFormat', value)}
            help={t('optionsSmartFormatHelp')}
          />
          <CheckboxField
            id="interim-results"
            label={t('optionsInterim')}
            checked={draft.interimResults}
            onChange={(value) => update('interimResults', value)}
            help={t('optionsInterimHelp')}
          />
          <TextField
            id="endpointing"
            label={t('optionsEndpointing')}
            value={draft.endpointingMs}
            inputMode="numeric"
            onInput={(value) => update('endpointingMs', value)}
            error={errors.endpointingMs}
            help={t('optionsEndpointingHelp', ENDPOINTING_LIMITS.min, ENDPOINTING_LIMITS.max)}
          />
        </Section>

        <Section id="audio" title={t('optionsSectionAudio')}>
          <RadioGroupField
            id="default-capture-source"
            label={t('optionsDefaultSource')}
            value={draft.defaultCaptureSource}
            choices={CAPTURE_SOURCES.map((source) => ({ value: source, label: sourceLabel(source) }))}
            onChange={(value) => update('defaultCaptureSource', value)}
            help={t('optionsDefaultSourceHelp')}
          />
          <CheckboxField
            id="vad-enabled"
            label={t('optionsVad')}
            checked={draft.vadEnabled}
            onChange={(value) => update('vadEnabled', value)}
            help={t('optionsVadHelp')}
          />
          <RangeField
            id="vad-sensitivity"
            label={t('optionsVadSensitivity')}
            min={0}
            max={1}
            step={0.05}
            value={draft.vadSensitivity}
            disabled={!draft.vadEnabled}
            onInput={(value) => update('vadSensitivity', value)}
            format={(value) => vadLabel(value)}
            error={errors.vadSensitivity}
            help={t('optionsVadSensitivityHelp')}
          />
          <h3 class="subsection-title">{t('optionsMicTitle')}</h3>
          <p class="section-note">{t('optionsMicNote')}</p>
          <CheckboxField
            id="mic-echo-cancellation"
            label={t('optionsMicEchoCancellation')}
            checked={draft.micEchoCancellation}
            onChange={(value) => update('micEchoCancellation', value)}
            help={t('optionsMicEchoCancellationHelp')}
          />
          <CheckboxField
            id="mic-noise-suppression"
            label={t('optionsMicNoiseSuppression')}
            checked={draft.micNoiseSuppression}
            onChange={(value) => update('micNoiseSuppression', value)}
            help={t('optionsMicNoiseSuppressionHelp')}
          />
          <CheckboxField
            id="mic-auto-gain-control"
            label={t('optionsMicAutoGainControl')}
            checked={draft.micAutoGainControl}
            onChange={(value) => update('micAutoGainControl', value)}
            help={t('optionsMicAutoGainControlHelp')}
          />
          <CheckboxField
            id="echo-guard"
            label={t('optionsEchoGuard')}
            checked={draft.echoGuard}
            onChange={(value) => update('echoGuard', value)}
            help={t('optionsEchoGuardHelp')}
          />
        </Section>

        <Section id="appearance" title={t('optionsSectionAppearance')}>
          <AppearanceFields appearance={appearance} onChange={updateAppearance} error={appearanceError} />
        </Section>

        <Section id="history" title={t('optionsSectionHistory')}>
          <RetentionFields draft={retention} errors={retentionProblems} onChange={(next) => change({ retention: next })} />
        </Section>

        <Section id="sites" title={t('optionsSectionSites')}>
          <AutoStartSiteList />
        </Section>

        <div class="form-actions">
          <button id="save" class="primary" type="submit">
            {t('optionsSave')}
          </button>
          <span class={`save-status save-${status.kind}`} data-testid="options-status" role="status">
            {statusText(status)}
          </span>
        </div>
      </form>
    </main>
  );
}

function vadLabel(value: number): string {
  const percent = Math.round(value * 100);
  if (value < 0.34) return t('optionsVadLow', percent);
  if (value > 0.66) return t('optionsVadHigh', percent);
  return t('optionsVadMedium', percent);
}

function statusText(status: SaveStatus): string {
  switch (status.kind) {
    case 'saved':
      return t('optionsSaved');
    case 'invalid':
      return status.count === 1 ? t('optionsNotSavedOne') : t('optionsNotSavedMany', status.count);
    case 'failed':
      return t('optionsSaveFailed', status.detail);
    default:
      return '';
  }
}
