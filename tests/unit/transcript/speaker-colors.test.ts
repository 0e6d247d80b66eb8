import { describe, expect, it } from 'vitest';
import {
  CAPTION_BACKGROUNDS,
  contrastRatio,
  NEUTRAL_TEXT,
  PANEL_BACKGROUNDS,
  parseHexColor,
  speakerColor,
  speakerLabel,
  SPEAKER_PALETTES,
  type ColorTheme,
} from '@/lib/transcript/speaker-colors';

/** CIE76 distance in CIELAB (D65): ~2.3 is a just-noticeable difference; 20+ reads as another colour. */
function deltaE(a: string, b: string): number {
  const lab = (hex: string) => {
    const [r, g, b2] = parseHexColor(hex).map((v) => {
      const c = v / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    const x = (0.4124 * r + 0.3576 * g + 0.1805 * b2) / 0.95047;
    const y = 0.2126 * r + 0.7152 * g + 0.0722 * b2;
    const z = (0.0193 * r + 0.1192 * g + 0.9505 * b2) / 1.08883;
    const f = (t: number) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
    return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
  };
  const p = lab(a);
  const q = lab(b);
  return Math.hypot(p[0]! - q[0]!, p[1]! - q[1]!, p[2]! - q[2]!);
}

const BACKGROUNDS: Record<ColorTheme, readonly string[]> = { dark: CAPTION_BACKGROUNDS, light: PANEL_BACKGROUNDS };

describe('contrastRatio', () => {
  it('matches the WCAG reference values', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#ffffff', '#ffffff')).toBeCloseTo(1, 5);
    // WCAG's own example: #777777 on white is just under 4.5:1.
    expect(contrastRatio('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
    expect(contrastRatio('#fff', '#000')).toBeCloseTo(21, 5);
  });

  it('is symmetric', () => {
    expect(contrastRatio('#1d4ed8', '#f3f4f6')).toBeCloseTo(contrastRatio('#f3f4f6', '#1d4ed8'), 10);
  });
});

describe.each(['dark', 'light'] as const)('the %s speaker palette', (theme) => {
  const palette = SPEAKER_PALETTES[theme];

  it('has at least 8 colours', () => {
    expect(palette.length).toBeGreaterThanOrEqual(8);
  });

  it.each(BACKGROUNDS[theme].map((bg) => [bg]))('reaches 4.5:1 contrast on %s for every colour and the neutral text', (bg) => {
    for (const color of [...palette, NEUTRAL_TEXT[theme]]) {
      expect(contrastRatio(color, bg), `${color} on ${bg}`).toBeGreaterThanOrEqual(4.5);
    }
  });

  it('keeps every pair of colours at least 20 ΔE apart (and apart from the neutral text)', () => {
    const all = [...palette, NEUTRAL_TEXT[theme]];
    for (let i = 0; i < all.length; i++) {
      for (let j = i + 1; j < all.length; j++) {
        expect(deltaE(all[i]!, all[j]!), `${all[i]} vs ${all[j]}`).toBeGreaterThanOrEqual(20);
      }
    }
  });
});

describe('speakerColor', () => {
  it('gives each of the first 8 speakers its own colour and wraps after the palette', () => {
    for (const theme of ['dark', 'light'] as const) {
      const colors = Array.from({ length: 8 }, (_, i) => speakerColor(i, theme));
      expect(new Set(colors).size).toBe(8);
      expect(speakerColor(SPEAKER_PALETTES[theme].length, theme)).toBe(colors[0]);
    }
  });

  it('uses the neutral text colour without diarization or for nonsense indexes', () => {
    expect(speakerColor(null, 'dark')).toBe(NEUTRAL_TEXT.dark);
    expect(speakerColor(null, 'light')).toBe(NEUTRAL_TEXT.light);
    expect(speakerColor(-1, 'dark')).toBe(NEUTRAL_TEXT.dark);
    expect(speakerColor(1.5, 'light')).toBe(NEUTRAL_TEXT.light);
  });
});

describe('speakerLabel', () => {
  it('numbers speakers from 1', () => {
    expect(speakerLabel(0)).toBe('Speaker 1');
    expect(speakerLabel(11)).toBe('Speaker 12');
  });

  it('uses a name the user gave, trimmed, and falls back for blank names', () => {
    expect(speakerLabel(1, { 1: '  Ada  ' })).toBe('Ada');
    expect(speakerLabel(1, { 1: '   ' })).toBe('Speaker 2');
    expect(speakerLabel(2, { 1: 'Ada' })).toBe('Speaker 3');
  });

  it('is empty when the speaker is unknown, so views show no label', () => {
    expect(speakerLabel(null)).toBe('');
    expect(speakerLabel(null, { 0: 'Ada' })).toBe('');
  });
});
