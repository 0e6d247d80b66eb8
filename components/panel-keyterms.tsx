/**
 * The side panel's "Key terms" menu while captions run: the user edits the list and sends it to
 * the running session (session/keyterms, lib/session/keyterm-changes.ts), then reads what became
 * of it: the terms the server now listens for, or who refused them and why.
 */
import { useState } from 'preact/hooks';
import type { KeytermsChangeResult } from '@/lib/contract/messages';
import { t } from '@/lib/i18n';
import { parseKeyterms } from '@/lib/settings';
import { onMenuToggle } from './panel-export-menu';

type Outcome = { phase: 'idle' } | { phase: 'sending' } | { phase: 'done'; result: KeytermsChangeResult };

export interface PanelKeytermsProps {
  /** The terms the session started with (Options), shown until the user edits them. */
  initial: readonly string[];
  onApply: (keyterms: string[]) => Promise<KeytermsChangeResult>;
}

/** The sentence under the box, and its outcome for tests and styling. */
function describe(outcome: Outcome): { text: string; kind: string } {
  if (outcome.phase === 'idle') return { text: '', kind: 'idle' };
  if (outcome.phase === 'sending') return { text: t('keytermsChangeSending'), kind: 'sending' };
  const { result } = outcome;
  if (result.ok) {
    return { text: result.keyterms.length === 0 ? t('keytermsChangeCleared') : t('keytermsChangeApplied', result.keyterms.join(', ')), kind: 'applied' };
  }
  return { text: result.message, kind: `refused-${result.refusedBy}` };
}

export function PanelKeyterms({ initial, onApply }: PanelKeytermsProps) {
  const [text, setText] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome>({ phase: 'idle' });
  const shown = text ?? initial.join('\n');
  const status = describe(outcome);

  async function apply(event: Event) {
    event.preventDefault();
    setOutcome({ phase: 'sending' });
    setOutcome({ phase: 'done', result: await onApply(parseKeyterms(shown)) });
  }

  return (
    <details class="menu menu-wide" data-testid="keyterms-menu" onToggle={onMenuToggle}>
      <summary class="secondary-like">{t('panelKeyterms')}</summary>
      <form class="menu-items keyterms-form" onSubmit={(event) => void apply(event)}>
        <label class="rename-label" for="session-keyterms">
          {t('panelKeyterms')}
          <textarea
            id="session-keyterms"
            data-testid="keyterms-input"
            rows={4}
            spellcheck={false}
            value={shown}
            aria-describedby="session-keyterms-help"
            onInput={(event) => setText(event.currentTarget.value)}
          />
        </label>
        <p id="session-keyterms-help" class="panel-note">
          {t('panelKeytermsHelp')}
        </p>
        <div class="rename-actions">
          <button type="submit" class="small" data-testid="keyterms-apply" disabled={outcome.phase === 'sending'}>
            {t('panelKeytermsApply')}
          </button>
        </div>
        <p
          class={status.kind.startsWith('refused') ? 'panel-note panel-error' : 'panel-note'}
          data-testid="keyterms-status"
          data-outcome={status.kind}
          role="status"
          aria-live="polite"
        >
          {status.text}
        </p>
      </form>
    </details>
  );
}
