/**
 * One colour per diarized speaker, readable on the views' backgrounds.
 *
 * 'dark' is for the caption overlay: white text on #000000 at 80 % opacity. Over a white page
 * that box composites to #333333, its lightest case, so every dark-theme colour is checked
 * against both #000000 and #333333. 'light' is for the side panel (white, or a light grey down to
 * #f3f4f6). Every entry has a contrast of at least 4.5:1 (WCAG AA) on those backgrounds, and
 * the entries of a palette are far apart in CIELAB so neighbours in a conversation stay apart
 * (tests/unit/transcript/speaker-colors.test.ts checks both).
 */
export type ColorTheme = 'dark' | 'light';

export const CAPTION_BACKGROUNDS = ['#000000', '#333333'] as const;
export const PANEL_BACKGROUNDS = ['#ffffff', '#f3f4f6'] as const;

export const SPEAKER_PALETTES: Readonly<Record<ColorTheme, readonly string[]>> = {
  dark: ['#ffd166', '#5ee6eb', '#8ce99a', '#ffa270', '#ff9ecf', '#c4a7ff', '#8ec9ff', '#e8f27a'],
  light: ['#b91c1c', '#0b6e4f', '#1d4ed8', '#8a5300', '#7e22ce', '#0e7490', '#be185d', '#3f6212'],
};

/** Text colour when no speaker is known: no colour noise without diarization. */
export const NEUTRAL_TEXT: Readonly<Record<ColorTheme, string>> = {
  dark: '#ffffff',
  light: '#1f2328',
};

export function speakerColor(speaker: number | null, theme: ColorTheme): string {
  if (speaker === null || !Number.isInteger(speaker) || speaker < 0) return NEUTRAL_TEXT[theme];
  const palette = SPEAKER_PALETTES[theme];
  return palette[speaker % palette.length] ?? NEUTRAL_TEXT[theme];
}

/**
 * "Speaker 1" for index 0, or the name the user gave. Empty when the speaker is unknown (no
 * diarization): callers show no label then.
 */
export function speakerLabel(speaker: number | null, names?: Readonly<Record<number, string>>): string {
  if (speaker === null || !Number.isInteger(speaker) || speaker < 0) return '';
  const name = names?.[speaker]?.trim();
  if (name) return name.slice(0, 60);
  return `Speaker ${speaker + 1}`;
}

function channel(value: number): number {
  const c = value / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** Parses #rgb or #rrggbb; throws on anything else (inputs are our own constants). */
export function parseHexColor(color: string): [number, number, number] {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color.trim());
  if (!m) throw new Error(`not a hex colour: ${color}`);
  let hex = m[1] as string;
  if (hex.length === 3) hex = hex.replace(/./g, '$&$&');
  return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}

/** WCAG 2 relative luminance. */
export function relativeLuminance(color: string): number {
  const [r, g, b] = parseHexColor(color).map(channel) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2 contrast ratio, 1..21. */
export function contrastRatio(foreground: string, background: string): number {
  const a = relativeLuminance(foreground);
  const b = relativeLuminance(background);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}
