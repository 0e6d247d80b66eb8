import { describe, expect, it, vi } from 'vitest';
import type { LineCorrectionResult } from '@/lib/contract/messages';
import type { Utterance } from '@/lib/transcript/types';
import { canCorrectLiveLine, correctSessionLine, withLocalFixes, type LineCorrectionPorts } from '@/lib/views/line-corrections';
import type { SessionSummary } from '@/lib/views/session-history';
import { utterance } from '../persistence/persistence-kit';

const STARTED = 1_700_000_000_000;
const LINE = utterance(`s${STARTED}-u1`, 0, ['the', 'budgie']);
const FIXED: Utterance = { ...LINE, text: 'the budget' };

function summary(id: string, startedAt: number): SessionSummary {
  return { id, startedAt, endedAt: null, title: '', url: null, durationSeconds: 0, wordCount: 0, preview: '' };
}

function ports(answer: LineCorrectionResult | undefined, saved: SessionSummary[] = [summary('rec-1', STARTED)]) {
  const askSession = vi.fn(async () => answer);
  const correctLine = vi.fn(async (sessionId: string, utteranceId: string, text: string): Promise<Utterance | null> =>
    saved.some((s) => s.id === sessionId) && utteranceId === LINE.id ? { ...LINE, text } : null,
  );
  const p: LineCorrectionPorts = { askSession, history: { listSessions: async () => saved, correctLine } };
  return { ports: p, askSession, correctLine };
}

describe('correctSessionLine', () => {
  it('a line of the running session goes to the session, which saves it and tells every view', async () => {
    const h = ports({ ok: true, utterance: FIXED });
    const outcome = await correctSessionLine(h.ports, { startedAt: STARTED, savedId: null }, STARTED, LINE.id, 'the budget');
    expect(outcome).toEqual({ ok: true, utterance: FIXED, by: 'session' });
    expect(h.askSession).toHaveBeenCalledWith({ sessionStartedAt: STARTED, utteranceId: LINE.id, text: 'the budget' });
    expect(h.correctLine).not.toHaveBeenCalled();
  });

  it('so does one of the running session opened from History (its saved id known)', async () => {
    const h = ports({ ok: true, utterance: FIXED });
    await correctSessionLine(h.ports, { startedAt: STARTED, savedId: 'rec-1' }, STARTED, LINE.id, 'the budget');
    expect(h.askSession).toHaveBeenCalledTimes(1);
    expect(h.correctLine).not.toHaveBeenCalled();
  });

  it('a session that ended (its document gone) is corrected in the saved history, found by its start', async () => {
    for (const answer of [undefined, { ok: false, reason: 'not-running', detail: '' } as const]) {
      const h = ports(answer, [summary('other', STARTED - 5), summary('rec-1', STARTED)]);
      const outcome = await correctSessionLine(h.ports, { startedAt: STARTED, savedId: null }, STARTED, LINE.id, 'the budget');
      expect(outcome).toMatchObject({ ok: true, by: 'history', utterance: { text: 'the budget' } });
      expect(h.correctLine).toHaveBeenCalledWith('rec-1', LINE.id, 'the budget');
    }
  });

  it('another session than the running one never asks the session', async () => {
    const h = ports({ ok: true, utterance: FIXED });
    const none = await correctSessionLine(h.ports, { startedAt: STARTED, savedId: 'rec-1' }, null, LINE.id, 'x');
    const other = await correctSessionLine(h.ports, { startedAt: STARTED, savedId: 'rec-1' }, STARTED + 1, LINE.id, 'x');
    expect(h.askSession).not.toHaveBeenCalled();
    expect([none.ok, other.ok]).toEqual([true, true]);
  });

  it("says why not: the session's refusal, a session that is not saved, a failing store", async () => {
    const refused = ports({ ok: false, reason: 'failed', detail: 'QuotaExceededError' });
    expect(await correctSessionLine(refused.ports, { startedAt: STARTED, savedId: null }, STARTED, LINE.id, 'x')).toEqual({
      ok: false,
      reason: 'failed',
      detail: 'QuotaExceededError',
    });
    expect(refused.correctLine).not.toHaveBeenCalled();
    const unsaved = ports(undefined, []);
    expect(await correctSessionLine(unsaved.ports, { startedAt: STARTED, savedId: null }, null, LINE.id, 'x')).toMatchObject({ ok: false, reason: 'gone' });
    const broken = ports(undefined);
    broken.correctLine.mockRejectedValueOnce(new Error('disk full'));
    expect(await correctSessionLine(broken.ports, { startedAt: STARTED, savedId: 'rec-1' }, null, LINE.id, 'x')).toEqual({ ok: false, reason: 'failed', detail: 'disk full' });
  });
});

describe('canCorrectLiveLine', () => {
  it("offers a finished line of the shown session while it runs, not an open one or another session's", () => {
    const open = utterance(`s${STARTED}-u2`, 1, ['still'], false);
    expect(canCorrectLiveLine(LINE, STARTED, true)).toBe(true);
    expect(canCorrectLiveLine(open, STARTED, true)).toBe(false);
    expect(canCorrectLiveLine(utterance(`s${STARTED - 1}-u1`, 0, ['old']), STARTED, true)).toBe(false);
    expect(canCorrectLiveLine(utterance('u1', 0, ['unnamed']), STARTED, true)).toBe(false);
    expect(canCorrectLiveLine(LINE, null, false)).toBe(false);
    // Once the session has stopped, every line of it (nothing grows any more).
    expect(canCorrectLiveLine(open, STARTED, false)).toBe(true);
  });
});

describe('withLocalFixes', () => {
  it('shows a fix while the transcript still holds the line it fixed, and the newer line once there is one', () => {
    const other = utterance(`s${STARTED}-u2`, 2, ['thanks']);
    const lines = [LINE, other];
    expect(withLocalFixes(lines, new Map())).toBe(lines);
    const fixes = new Map([[LINE.id, { base: LINE, fixed: FIXED }]]);
    const shown = withLocalFixes(lines, fixes);
    expect(shown).toEqual([FIXED, other]);
    expect(shown[1]).toBe(other);
    // The session's own update (or a fresh snapshot) replaced the line: that one is shown.
    const newer = [{ ...FIXED, words: [...FIXED.words] }, other];
    expect(withLocalFixes(newer, fixes)).toBe(newer);
  });
});
