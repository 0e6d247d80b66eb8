import type { SessionPhase } from '../messages';

/** The toolbar badge: visible whenever audio may be leaving the browser. */
export function badgeFor(phase: SessionPhase): { text: string; color: string | null } {
  switch (phase) {
    case 'live':
      return { text: 'ON', color: '#b3261e' };
    case 'starting':
    case 'connecting':
    case 'stopping':
      return { text: '…', color: '#6b6b6b' };
    case 'error':
      return { text: '!', color: '#b26a00' };
    case 'idle':
      return { text: '', color: null };
  }
}
