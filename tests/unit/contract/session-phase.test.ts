/** The one answer to "is a session running?" (lib/contract/session-phase.ts), phase by phase. */
import { describe, expect, it } from 'vitest';
import type { SessionPhase } from '@/lib/contract/messages';
import { canStopSession, isCapturingAudio, isSessionRunning } from '@/lib/contract/session-phase';

const TABLE: [SessionPhase, running: boolean, stoppable: boolean, capturing: boolean][] = [
  ['idle', false, false, false],
  ['starting', true, true, false],
  ['connecting', true, true, true],
  ['live', true, true, true],
  ['stopping', true, false, false],
  ['error', false, false, false],
];

describe('session phases', () => {
  it.each(TABLE)('%s: running %s, stoppable %s, capturing %s', (phase, running, stoppable, capturing) => {
    expect(isSessionRunning({ phase })).toBe(running);
    expect(canStopSession({ phase })).toBe(stoppable);
    expect(isCapturingAudio({ phase })).toBe(capturing);
  });

  it('no state is no session', () => {
    for (const ask of [isSessionRunning, canStopSession, isCapturingAudio]) {
      expect(ask(null)).toBe(false);
      expect(ask(undefined)).toBe(false);
    }
  });
});
