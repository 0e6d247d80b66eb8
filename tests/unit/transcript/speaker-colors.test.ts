import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  CAPTION_BACKGROUNDS,
  contrastRatio,
  DARK_PANEL_BACKGROUNDS,
  NEUTRAL_TEXT,
  PANEL_BACKGROUNDS,
  parseHexColor,
  speakerColor,
  speakerLabel,
  SPEAKER_PALETTES,
  SPEAKER_SHADES,
  YOU_SHADES,
  type ColorTheme,
} from '@/lib/transcript/speaker-colors';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import '@/lib/i18n';
import { YOU_SPEAKER } from '@/lib/transcript/speaker-names';
import { installEnglishMessages } from '../settings-english-messages';

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

/** HSL hue angle in degrees, 0..360. */
function hueAngle(hex: string): number {
  const [r, g, b] = parseHexColor(hex).map((v) => v / 255) as [number, number, number];
  const max = Math.max(r, g, b);
  const delta = max - Math.min(r, g, b);
  if (delta === 0) return 0;
  const sector = max === r ? ((g - b) / delta) % 6 : max === g ? (b - r) / delta + 2 : (r - g) / delta + 4;
  return (sector * 60 + 360) % 360;
}

function hueDistance(a: number, b: number): number {
  const d = Math.abs(a - b) % 360;
  return Math.min(d, 360 - d);
}

/** Every background a theme's shades are drawn on: the overlay box and the side panel's. */
const BACKGROUNDS: Record<ColorTheme, readonly string[]> = {
  dark: [...CAPTION_BACKGROUNDS, ...DARK_PANEL_BACKGROUNDS],
  light: PANEL_BACKGROUNDS,
};

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

describe('one hue per speaker in every view', () => {
  it('is checked against the backgrounds the side panel really uses (components/page.css, panel.css)', () => {
    // Each file sets its light variables first, then overrides them in a dark-theme media block.
    const files = ['page.css', 'panel.css'].map((file) =>
      readFileSync(path.join(__dirname, '../../../components', file), 'utf8').split('@media (prefers-color-scheme: dark)'),
    );
    const lightCss = files.map((parts) => parts[0] ?? '').join('\n');
    const darkCss = files.map((parts) => parts.slice(1).join('\n')).join('\n');
    const values = (block: string) =>
      ['--bg', '--field', '--panel-raised'].flatMap((name) =>
        [...block.matchAll(new RegExp(`${name}:\\s*(#[0-9a-f]{6})`, 'gi'))].map((m) => m[1]!.toLowerCase()),
      );
    expect(values(lightCss).length).toBeGreaterThanOrEqual(3);
    expect(values(darkCss).length).toBeGreaterThanOrEqual(3);
    expect([...PANEL_BACKGROUNDS]).toEqual(expect.arrayContaining(values(lightCss)));
    expect([...DARK_PANEL_BACKGROUNDS]).toEqual(expect.arrayContaining(values(darkCss)));
  });

  it('is checked against the overlay box: black at its default opacity, alone and over a white page', () => {
    expect(readFileSync(path.join(__dirname, '../../../components/captions-overlay-styles.ts'), 'utf8')).toContain(
      'background: rgba(0, 0, 0, var(--bg-opacity, 0.8))',
    );
    const overWhite = Math.round(255 * (1 - 0.8)).toString(16).padStart(2, '0');
    expect(CAPTION_BACKGROUNDS).toEqual(['#000000', `#${overWhite.repeat(3)}`]);
  });

  it.each(SPEAKER_SHADES.map((shades, i) => [i + 1, shades.dark, shades.light]))(
    'speaker %i keeps one hue: %s on dark backgrounds, %s on light ones, each at 4.5:1 or more',
    (_speaker, dark, light) => {
      expect(hueDistance(hueAngle(dark), hueAngle(light)), `${dark} vs ${light}`).toBeLessThanOrEqual(3);
      for (const bg of BACKGROUNDS.dark) expect(contrastRatio(dark, bg), `${dark} on ${bg}`).toBeGreaterThanOrEqual(4.5);
      for (const bg of BACKGROUNDS.light) expect(contrastRatio(light, bg), `${light} on ${bg}`).toBeGreaterThanOrEqual(4.5);
    },
  );

  it('gives a speaker the same hue on the overlay (dark) and in the light panel', () => {
    for (let speaker = 0; speaker < SPEAKER_SHADES.length; speaker++) {
      const onPage = hueAngle(speakerColor(speaker, 'dark'));
      const inPanel = hueAngle(speakerColor(speaker, 'light'));
      expect(hueDistance(onPage, inPanel), `speaker ${speaker + 1}`).toBeLessThanOrEqual(3);
    }
  });

  it('keeps hues of different speakers apart, so a hue names one person', () => {
    const hues = SPEAKER_SHADES.map((shades) => hueAngle(shades.dark));
    for (let i = 0; i < hues.length; i++) {
      for (let j = i + 1; j < hues.length; j++) {
        expect(hueDistance(hues[i]!, hues[j]!), `speakers ${i + 1} and ${j + 1}`).toBeGreaterThanOrEqual(15);
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

describe('"You" (a meeting\'s microphone)', () => {
  beforeEach(installEnglishMessages);

  it.each(['dark', 'light'] as const)('has its own %s shade, at 4.5:1 or more on every background of that theme', (theme) => {
    expect(speakerColor(YOU_SPEAKER, theme)).toBe(YOU_SHADES[theme]);
    for (const bg of BACKGROUNDS[theme]) expect(contrastRatio(YOU_SHADES[theme], bg), `${YOU_SHADES[theme]} on ${bg}`).toBeGreaterThanOrEqual(4.5);
  });

  it.each(['dark', 'light'] as const)('stays at least 20 ΔE from every diarized %s shade and the neutral text', (theme) => {
    for (const other of [...SPEAKER_PALETTES[theme], NEUTRAL_TEXT[theme]]) {
      expect(deltaE(YOU_SHADES[theme], other), `${YOU_SHADES[theme]} vs ${other}`).toBeGreaterThanOrEqual(20);
    }
  });

  it('keeps one hue in both themes, apart from every diarized hue', () => {
    const you = hueAngle(YOU_SHADES.dark);
    expect(hueDistance(you, hueAngle(YOU_SHADES.light))).toBeLessThanOrEqual(3);
    for (const shades of SPEAKER_SHADES) expect(hueDistance(you, hueAngle(shades.dark)), shades.dark).toBeGreaterThanOrEqual(15);
  });

  it('is labelled "You" from the messages, or the name the user gave', () => {
    expect(speakerLabel(YOU_SPEAKER)).toBe('You');
    const english = fakeBrowser.i18n.getMessage.bind(fakeBrowser.i18n);
    Object.assign(fakeBrowser.i18n, { getMessage: (key: string) => (key === 'speakerYou' ? 'Vous' : english(key)) });
    expect(speakerLabel(YOU_SPEAKER)).toBe('Vous');
    Object.assign(fakeBrowser.i18n, { getMessage: () => '' });
    expect(speakerLabel(YOU_SPEAKER)).toBe('You');
    installEnglishMessages();
    expect(speakerLabel(YOU_SPEAKER, { [YOU_SPEAKER]: ' Sam ' })).toBe('Sam');
    expect(speakerLabel(YOU_SPEAKER, { 0: 'Dana' })).toBe('You');
  });
});
