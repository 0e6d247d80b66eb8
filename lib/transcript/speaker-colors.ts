/**
 * One hue per diarized speaker, the same in every view: a light shade for dark backgrounds and a
 * dark shade for light ones, so "the amber speaker" is the same person on the page and in the
 * side panel whatever the system theme.
 *
 * 'dark' is for dark backgrounds. The caption overlay: white text on #000000 at 80 % opacity,
 * which over a white page composites to #333333, its lightest case. The side panel in the dark
 * theme: #17181b, and #222428 for its raised menus (components/page.css, components/panel.css).
 * 'light' is for the side panel in the light theme: white, or a light grey down to #f3f4f6.
 * Every shade has a contrast of at least 4.5:1 (WCAG AA) on the backgrounds it is drawn on, both
 * shades of a speaker share one HSL hue angle, and the entries of a palette are far apart in
 * CIELAB so neighbours in a conversation stay apart (tests/unit/transcript/speaker-colors.test.ts
 * checks all three).
 */
import { YOU_SPEAKER } from './speaker-names';
import { transcriptLabel } from './transcript-labels';
import { youLabel } from './you-label';

export type ColorTheme = 'dark' | 'light';

export const CAPTION_BACKGROUNDS = ['#000000', '#333333'] as const;
export const DARK_PANEL_BACKGROUNDS = ['#17181b', '#222428'] as const;
export const PANEL_BACKGROUNDS = ['#ffffff', '#f3f4f6', '#f4f6f9'] as const;

/** A speaker's two shades of one hue: `dark` is the shade drawn on dark backgrounds. */
export interface SpeakerShades {
  readonly dark: string;
  readonly light: string;
}

export const SPEAKER_SHADES: readonly SpeakerShades[] = [
  { dark: '#ffd166', light: '#8e670b' }, // amber
  { dark: '#5ee6eb', light: '#0a777b' }, // cyan
  { dark: '#8ce99a', light: '#0a7f1c' }, // green
  { dark: '#ffa270', light: '#b84a0f' }, // orange
  { dark: '#ff9ecf', light: '#d41173' }, // pink
  { dark: '#c4a7ff', light: '#7c42f0' }, // violet
  { dark: '#8ec9ff', light: '#106ec6' }, // blue
  { dark: '#e8f27a', light: '#697109' }, // lime
];

/**
 * "You" (YOU_SPEAKER, the meeting's microphone): orchid, a hue none of the diarized shades use
 * (between violet and pink), held to the same contrast and distance rules as the palette.
 */
export const YOU_SHADES: SpeakerShades = { dark: '#ee80ff', light: '#9a1fad' };

export const SPEAKER_PALETTES: Readonly<Record<ColorTheme, readonly string[]>> = {
  dark: SPEAKER_SHADES.map((shades) => shades.dark),
  light: SPEAKER_SHADES.map((shades) => shades.light),
};

/** Text colour when no speaker is known: no colour noise without diarization. */
export const NEUTRAL_TEXT: Readonly<Record<ColorTheme, string>> = {
  dark: '#ffffff',
  light: '#1f2328',
};

export function speakerColor(speaker: number | null, theme: ColorTheme): string {
  if (speaker === null || !Number.isInteger(speaker) || speaker < 0) return NEUTRAL_TEXT[theme];
  if (speaker === YOU_SPEAKER) return YOU_SHADES[theme];
  const palette = SPEAKER_PALETTES[theme];
  return palette[speaker % palette.length] ?? NEUTRAL_TEXT[theme];
}

/**
 * "Speaker 1" (localized: lib/transcript/transcript-labels.ts) for index 0, "You" (localized: lib/transcript/you-label.ts) for YOU_SPEAKER, or the name the user gave. Empty
 * when the speaker is unknown (no diarization): callers show no label then.
 */
export function speakerLabel(speaker: number | null, names?: Readonly<Record<number, string>>): string {
  if (speaker === null || !Number.isInteger(speaker) || speaker < 0) return '';
  const name = names?.[speaker]?.trim();
  if (name) return name.slice(0, 60);
  if (speaker === YOU_SPEAKER) return youLabel();
  return transcriptLabel('speakerNumber', String(speaker + 1));
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
