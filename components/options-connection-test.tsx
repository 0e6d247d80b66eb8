/**
 * The "Test connection" button and what it found: what failed, and what to do about it.
 */
import type { ConnectionTestResult } from '@/lib/connection-test';
import { t } from '@/lib/i18n';

export type ConnectionTestState = { phase: 'idle' } | { phase: 'running' } | { phase: 'done'; result: ConnectionTestResult };

export function ConnectionTestPanel({ state, onTest }: { state: ConnectionTestState; onTest: () => void }) {
  const running = state.phase === 'running';
  return (
    <div class="connection-test">
      <button
        type="button"
        id="test-connection"
        class="secondary"
        data-testid="test-connection"
        aria-describedby="connection-result"
        disabled={running}
        onClick={onTest}
      >
        {running ? t('optionsConnectionTesting') : t('optionsConnectionTest')}
      </button>
      {/* Always in the page, so screen readers announce what appears in it. */}
      <div id="connection-result" role="status" aria-live="polite" data-testid="connection-result" data-kind={kindOf(state)}>
        {state.phase === 'done' && <ConnectionResult result={state.result} />}
      </div>
    </div>
  );
}

function kindOf(state: ConnectionTestState): string {
  if (state.phase === 'done') return state.result.kind;
  return state.phase;
}

export function ConnectionResult({ result }: { result: ConnectionTestResult }) {
  if (result.ok) {
    // Works, but not as chosen (direct mode relays) or not well (the local engine): a note, not a plain success.
    const noted = result.engine === 'local' || result.warning !== undefined;
    return (
      <div class={noted ? 'result result-ok result-note' : 'result result-ok'} data-route={result.route}>
        <span class="result-icon" aria-hidden="true">
          {result.warning === undefined ? '✓' : '!'}
        </span>
        <div>
          <p class="result-message">{result.message}</p>
          {result.warning !== undefined && (
            <p class="result-warning" data-testid="connection-warning">
              {result.warning}
            </p>
          )}
          {result.engine === 'local' && <p class="result-advice">{t('optionsConnectionLocalNote')}</p>}
        </div>
      </div>
    );
  }
  return (
    <div class="result result-failed">
      <span class="result-icon" aria-hidden="true">
        ✕
      </span>
      <div>
        <p class="result-message">
          <strong>{t(FAILURE_TITLES[result.kind])}</strong> {result.message}
        </p>
        <p class="result-advice">{result.advice}</p>
      </div>
    </div>
  );
}

const FAILURE_TITLES = {
  'invalid-settings': 'optionsConnectionTitleSettings',
  unreachable: 'optionsConnectionTitleUnreachable',
  timeout: 'optionsConnectionTitleTimeout',
  tls: 'optionsConnectionTitleTls',
  unauthorized: 'optionsConnectionTitle401',
  forbidden: 'optionsConnectionTitle403',
  'rate-limited': 'optionsConnectionTitle429',
  'daily-quota': 'optionsConnectionTitleDailyQuota',
  'upstream-full': 'optionsConnectionTitleUpstreamFull',
  throttled: 'optionsConnectionTitleThrottled',
  'unknown-host': 'optionsConnectionTitle421',
  'bad-request': 'optionsConnectionTitle400',
  unavailable: 'optionsConnectionTitleUnavailable',
  'wrong-protocol': 'optionsConnectionTitleProtocol',
  'upgrade-failed': 'optionsConnectionTitleUpgrade',
  'wrong-path': 'optionsConnectionTitleWrongPath',
  'no-token': 'optionsConnectionTitleNoToken',
  refused: 'optionsConnectionTitleRefused',
  'other-kind': 'optionsConnectionTitleOtherKind',
  'direct-only': 'optionsConnectionTitleDirectOnly',
  'grant-refused': 'optionsConnectionTitleGrantRefused',
  'direct-refused': 'optionsConnectionTitleDirectRefused',
} as const satisfies Record<Exclude<ConnectionTestResult['kind'], 'ok'>, string>;
