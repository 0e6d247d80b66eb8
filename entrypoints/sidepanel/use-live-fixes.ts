import { useCallback, useMemo, useState } from 'preact/hooks';
import type { Utterance } from '@/lib/transcript/types';
import { withLocalFixes, type LocalFix } from '@/lib/views/line-corrections';

interface Fixes {
  startedAt: number | null;
  lines: ReadonlyMap<string, LocalFix>;
}

const NONE: ReadonlyMap<string, LocalFix> = new Map();

/**
 * The Live tab's lines with the corrections made from this panel shown at once, until the live
 * transcript has its own newer version of each line (lib/views/line-corrections.ts withLocalFixes).
 * Forgotten when another session is shown. `fix` is stable.
 */
export function useLiveFixes(utterances: readonly Utterance[], startedAt: number | null): [readonly Utterance[], (base: Utterance, fixed: Utterance) => void] {
  const [fixes, setFixes] = useState<Fixes>({ startedAt, lines: NONE });
  const lines = fixes.startedAt === startedAt ? fixes.lines : NONE;
  const shown = useMemo(() => withLocalFixes(utterances, lines), [utterances, lines]);
  const fix = useCallback(
    (base: Utterance, fixed: Utterance) => {
      setFixes((current) => {
        const kept = current.startedAt === startedAt ? current.lines : NONE;
        return { startedAt, lines: new Map(kept).set(base.id, { base, fixed }) };
      });
    },
    [startedAt],
  );
  return [shown, fix];
}
