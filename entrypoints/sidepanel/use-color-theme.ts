import { useEffect, useState } from 'preact/hooks';
import type { ColorTheme } from '@/lib/transcript/speaker-colors';

const QUERY = '(prefers-color-scheme: dark)';

/** The system's light or dark theme, updated when it changes (speaker colours follow it). */
export function useColorTheme(): ColorTheme {
  const media = typeof matchMedia === 'function' ? matchMedia(QUERY) : null;
  const [dark, setDark] = useState(media?.matches ?? false);
  useEffect(() => {
    if (!media) return;
    const onChange = (event: MediaQueryListEvent) => setDark(event.matches);
    media.addEventListener('change', onChange);
    setDark(media.matches);
    return () => media.removeEventListener('change', onChange);
    // No dependencies on purpose: one listener for the page's life.
  }, []);
  return dark ? 'dark' : 'light';
}
