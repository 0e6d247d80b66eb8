/** The toolbar's global badge as showPhase writes it (what it says is badge.ts's). */
import { describe, expect, it } from 'vitest';
import { showPhase, type ToolbarAction } from '@/lib/background/toolbar-badge';
import type { SessionState } from '@/lib/contract/messages';
import { t } from '@/lib/i18n';

function recordingAction(): { action: ToolbarAction; calls: unknown[] } {
  const calls: unknown[] = [];
  const action: ToolbarAction = {
    setBadgeText: async (details) => void calls.push(['text', details]),
    setBadgeBackgroundColor: async (details) => void calls.push(['color', details]),
    setTitle: async (details) => void calls.push(['title', details]),
  };
  return { action, calls };
}

describe('showPhase', () => {
  it('a live session: the live badge in red, the product name as tooltip', async () => {
    const { action, calls } = recordingAction();
    await showPhase(action, 'live');
    expect(calls).toEqual([
      ['text', { text: t('badgeLive') }],
      ['color', { color: '#b3261e' }],
      ['title', { title: t('extName') }],
    ]);
  });

  it('an ended session: no badge and no colour set, the tooltip says why it stopped', async () => {
    const { action, calls } = recordingAction();
    const ended = { phase: 'error', source: 'tab', tabId: 4, startedAt: null, warning: null, error: { code: 'proxy-rejected', message: 'refused' } } as SessionState;
    await showPhase(action, 'error', ended);
    expect(calls).toEqual([
      ['text', { text: '' }],
      ['title', { title: `${t('extName')}: refused` }],
    ]);
  });
});
