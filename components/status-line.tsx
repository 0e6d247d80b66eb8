import type { SessionState } from '@/lib/messages';

const PHASE_TEXT: Record<SessionState['phase'], string> = {
  idle: 'Not captioning',
  starting: 'Starting…',
  connecting: 'Connecting to the proxy…',
  live: 'Live',
  stopping: 'Finishing the last words…',
  error: 'Stopped',
};

export function StatusLine({ state }: { state: SessionState }) {
  return (
    <p class={`status status-${state.phase}`} data-testid="status" data-phase={state.phase} role="status">
      <span class="status-dot" aria-hidden="true" />
      <span>{PHASE_TEXT[state.phase]}</span>
      {state.error && <span class="status-reason">: {state.error.message}</span>}
      {state.warning && (
        <span class="status-warning" data-testid="warning">
          {state.warning}
        </span>
      )}
    </p>
  );
}
