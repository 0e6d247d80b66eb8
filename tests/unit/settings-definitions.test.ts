/**
 * Settings are defined once (lib/settings.ts SETTING_DEFINITIONS) and everything else derives from
 * the definitions: the defaults, the stored schema, the options form's draft and its checks. Each
 * definition must agree with itself, or a new setting would load, show or save wrongly.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTINGS,
  draftFromSettings,
  normalizeSettings,
  SETTING_DEFINITIONS,
  settingsSchema,
  validateDraft,
  type SettingsDraft,
} from '@/lib/settings';

describe('setting definitions', () => {
  const keys = Object.keys(SETTING_DEFINITIONS) as (keyof typeof SETTING_DEFINITIONS)[];

  it('derive the defaults, the schema and the draft with one entry per setting', () => {
    expect(Object.keys(DEFAULT_SETTINGS).sort()).toEqual([...keys].sort());
    expect(Object.keys(settingsSchema.shape).sort()).toEqual([...keys].sort());
    expect(Object.keys(draftFromSettings(DEFAULT_SETTINGS)).sort()).toEqual([...keys].sort());
  });

  it('each default is valid stored data and survives the form unchanged (draft, then check)', () => {
    for (const key of keys) {
      const definition = SETTING_DEFINITIONS[key] as unknown as {
        schema: { safeParse(value: unknown): { success: boolean } };
        default: unknown;
        toDraft(value: unknown): unknown;
        check(draft: unknown): { ok: boolean; value?: unknown };
      };
      expect(definition.schema.safeParse(definition.default).success, key).toBe(true);
      expect(definition.check(definition.toDraft(definition.default)), key).toEqual({ ok: true, value: definition.default });
    }
    expect(validateDraft(draftFromSettings(DEFAULT_SETTINGS))).toEqual({ ok: true, settings: DEFAULT_SETTINGS });
    expect(normalizeSettings({})).toEqual(DEFAULT_SETTINGS);
  });

  it('keeps a stored default source only when it is a source, and the microphone settings only as booleans', () => {
    expect(normalizeSettings({ defaultCaptureSource: 'tab-and-mic' }).defaultCaptureSource).toBe('tab-and-mic');
    expect(normalizeSettings({ defaultCaptureSource: 'camera' }).defaultCaptureSource).toBe('tab');
    expect(normalizeSettings({ micNoiseSuppression: false, micEchoCancellation: 'no' })).toMatchObject({
      micNoiseSuppression: false,
      micEchoCancellation: true,
      micAutoGainControl: true,
    });
  });

  it('checks every field of a draft through its own definition and names each bad one', () => {
    const bad: SettingsDraft = {
      ...draftFromSettings(DEFAULT_SETTINGS),
      proxyUrl: 'http://example.com',
      language: '',
      endpointingMs: 'soon',
      vadSensitivity: 2,
    };
    const check = validateDraft(bad);
    expect(check.ok).toBe(false);
    expect(Object.keys(check.ok ? {} : check.errors).sort()).toEqual(['endpointingMs', 'language', 'proxyUrl', 'vadSensitivity']);
  });
});
