/**
 * User settings and the rules that validate them. Pure: storage lives in lib/storage.ts (over the
 * items of lib/contract/storage/items.ts).
 *
 * The options form edits a `SettingsDraft` (text as typed); `validateDraft` turns it into
 * `Settings` or into one message per bad field, said so a person can fix it.
 */
import * as z from 'zod/mini';
import { t } from './i18n';

export const DEFAULT_PROXY_URL = 'ws://localhost:8787/v1/listen';

/** Silence (ms) that ends an utterance (Deepgram `endpointing`); 10 is Deepgram's own default. */
export const ENDPOINTING_LIMITS = { min: 10, max: 5000 } as const;
/**
 * Deepgram allows at most 500 tokens across all keyterms and suggests up to ~100 terms; the whole
 * synced settings object must also stay under storage.sync's 8 KB per item.
 */
export const KEYTERM_LIMITS = { count: 100, termChars: 100, totalChars: 2000 } as const;

export const settingsSchema = z.object({
  proxyUrl: z.string(),
  token: z.string(),
  language: z.string().check(z.minLength(2), z.maxLength(35)),
  model: z.string().check(z.minLength(1), z.maxLength(64)),
  diarize: z.boolean(),
  interimResults: z.boolean(),
  smartFormat: z.boolean(),
  /** Milliseconds of silence that mark the end of speech (`endpointing`). */
  endpointingMs: z.int().check(z.gte(ENDPOINTING_LIMITS.min), z.lte(ENDPOINTING_LIMITS.max)),
  /** Words and phrases to favour (Deepgram `keyterm` on Nova-3, `keywords` on older models). */
  keyterms: z.array(z.string().check(z.minLength(1), z.maxLength(KEYTERM_LIMITS.termChars))).check(z.maxLength(KEYTERM_LIMITS.count)),
  vadEnabled: z.boolean(),
  /** 0 (sends the most) .. 1 (gates the most). */
  vadSensitivity: z.number().check(z.gte(0), z.lte(1)),
});

export type Settings = z.infer<typeof settingsSchema>;

/** What the offscreen document needs to open the listen socket. */
export type ListenSettings = Settings;

/** Settings that must never leave this computer (not synced, not logged). */
export const SECRET_SETTINGS = ['token'] as const satisfies readonly (keyof Settings)[];
export type SecretSettings = Pick<Settings, (typeof SECRET_SETTINGS)[number]>;
/** Everything else follows the user's browsers through storage.sync. */
export type SyncedSettings = Omit<Settings, (typeof SECRET_SETTINGS)[number]>;

export const DEFAULT_SETTINGS: Settings = {
  proxyUrl: DEFAULT_PROXY_URL,
  token: '',
  language: 'en',
  model: 'nova-3',
  diarize: true,
  interimResults: true,
  smartFormat: true,
  endpointingMs: 300,
  keyterms: [],
  vadEnabled: true,
  vadSensitivity: 0.5,
};

/** Fills missing or invalid fields from the defaults, so an old or damaged store never breaks a start. */
export function normalizeSettings(stored: unknown): Settings {
  const base: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  if (typeof stored === 'object' && stored !== null) {
    for (const [key, value] of Object.entries(stored)) {
      const field = settingsSchema.shape[key as keyof Settings];
      if (field && field.safeParse(value).success) base[key] = value;
    }
  }
  return settingsSchema.parse(base);
}

/** The stored synced half, checked like normalizeSettings (a token found there is dropped, never read). */
export function parseSyncedSettings(stored: unknown): SyncedSettings {
  const source = typeof stored === 'object' && stored !== null ? stored : {};
  return splitSettings(normalizeSettings({ ...source, token: '' })).synced;
}

/** The two halves as they are stored: synced (storage.sync) and secret (storage.local only). */
export function splitSettings(settings: Settings): { synced: SyncedSettings; secret: SecretSettings } {
  const { token, ...synced } = settings;
  return { synced, secret: { token } };
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** A field's value once checked, or the sentence that says what to change. */
export type FieldCheck<T> = { ok: true; value: T } | { ok: false; message: string };
export type ProxyUrlCheck = { ok: true; url: URL } | { ok: false; message: string };

/**
 * ws:// is allowed only to this computer; anything that crosses a network must be wss://, or the
 * token and the audio would travel in the clear.
 */
export function checkProxyUrl(raw: string): ProxyUrlCheck {
  const text = raw.trim();
  if (text === '') return { ok: false, message: t('optionsProxyUrlEmpty') };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, message: t('optionsProxyUrlNotUrl', text) };
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    return { ok: false, message: t('optionsProxyUrlScheme', `${url.protocol}//`) };
  }
  if (url.protocol === 'ws:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    return { ok: false, message: t('optionsProxyUrlInsecure', `wss://${url.host}${url.pathname}`) };
  }
  if (url.username || url.password) {
    return { ok: false, message: t('optionsProxyUrlCredentials') };
  }
  if (url.hash) {
    return { ok: false, message: t('optionsProxyUrlFragment') };
  }
  return { ok: true, url };
}

/**
 * Browsers send the token as a WebSocket subprotocol, which may hold only RFC 7230 token
 * characters: anything else makes the WebSocket constructor throw. Empty is allowed (a proxy on
 * this computer may run without tokens).
 */
const TOKEN_CHARS = /^[A-Za-z0-9!#$%&'*+.^_`|~-]*$/;
const MAX_TOKEN_CHARS = 4096;

export function checkToken(raw: string): FieldCheck<string> {
  const token = raw.trim();
  if (token.length > MAX_TOKEN_CHARS) return { ok: false, message: t('optionsTokenTooLong', MAX_TOKEN_CHARS) };
  if (!TOKEN_CHARS.test(token)) {
    return { ok: false, message: /\s/.test(token) ? t('optionsTokenSpaces') : t('optionsTokenCharacters') };
  }
  return { ok: true, value: token };
}

/** A BCP-47 tag as Deepgram takes it (en, en-GB, zh-Hant-TW, pt-BR), or `multi`. */
const LANGUAGE_TAG = /^(multi|[a-z]{2,3}(-[a-z0-9]{2,8})*)$/i;

export function checkLanguage(raw: string): FieldCheck<string> {
  const language = raw.trim();
  if (language === '') return { ok: false, message: t('optionsLanguageEmpty') };
  if (language.length > 35 || !LANGUAGE_TAG.test(language)) return { ok: false, message: t('optionsLanguageInvalid', language) };
  return { ok: true, value: language };
}

const MODEL_NAME = /^[a-z0-9][a-z0-9._:-]{0,63}$/i;

export function checkModel(raw: string): FieldCheck<string> {
  const model = raw.trim();
  if (model === '') return { ok: false, message: t('optionsModelEmpty') };
  if (!MODEL_NAME.test(model)) return { ok: false, message: t('optionsModelInvalid', model) };
  return { ok: true, value: model };
}

export function checkEndpointing(raw: string): FieldCheck<number> {
  const text = raw.trim();
  const { min, max } = ENDPOINTING_LIMITS;
  if (!/^\d+$/.test(text)) return { ok: false, message: t('optionsEndpointingInvalid', min, max) };
  const value = Number(text);
  if (value < min || value > max) return { ok: false, message: t('optionsEndpointingInvalid', min, max) };
  return { ok: true, value };
}

/** Splits the keyterm box (one per line, or separated by commas) into trimmed, distinct terms. */
export function parseKeyterms(raw: string): string[] {
  const seen = new Set<string>();
  const terms: string[] = [];
  for (const part of raw.split(/[\n,]/)) {
    const term = part.trim().replace(/\s+/g, ' ');
    const key = term.toLowerCase();
    if (term === '' || seen.has(key)) continue;
    seen.add(key);
    terms.push(term);
  }
  return terms;
}

export function checkKeyterms(raw: string): FieldCheck<string[]> {
  const terms = parseKeyterms(raw);
  const { count, termChars, totalChars } = KEYTERM_LIMITS;
  if (terms.length > count) return { ok: false, message: t('optionsKeytermsTooMany', count, terms.length) };
  const long = terms.find((term) => term.length > termChars);
  if (long !== undefined) return { ok: false, message: t('optionsKeytermTooLong', `${long.slice(0, 30)}…`, termChars) };
  // eslint-disable-next-line no-control-regex -- control characters are what we refuse
  const odd = terms.find((term) => /[\u0000-\u001f\u007f]/.test(term));
  if (odd !== undefined) return { ok: false, message: t('optionsKeytermControl') };
  const total = terms.reduce((sum, term) => sum + term.length, 0);
  if (total > totalChars) return { ok: false, message: t('optionsKeytermsTooLong', totalChars, total) };
  return { ok: true, value: terms };
}

/** Deepgram takes `keyterm` on Nova-3 models and `keywords` on the older ones. */
export function keytermParam(model: string): 'keyterm' | 'keywords' {
  return /^nova-3/i.test(model.trim()) ? 'keyterm' : 'keywords';
}

/** The options form's values as typed. */
export interface SettingsDraft {
  proxyUrl: string;
  token: string;
  language: string;
  model: string;
  diarize: boolean;
  interimResults: boolean;
  smartFormat: boolean;
  endpointingMs: string;
  /** One term per line. */
  keyterms: string;
  vadEnabled: boolean;
  vadSensitivity: number;
}

export type SettingsField = keyof SettingsDraft;
export type SettingsErrors = Partial<Record<SettingsField, string>>;
export type DraftCheck = { ok: true; settings: Settings } | { ok: false; errors: SettingsErrors };

export function draftFromSettings(settings: Settings): SettingsDraft {
  return {
    ...settings,
    endpointingMs: String(settings.endpointingMs),
    keyterms: settings.keyterms.join('\n'),
  };
}

/** Every field checked at once, so the form can mark all problems in one go. */
export function validateDraft(draft: SettingsDraft): DraftCheck {
  const errors: SettingsErrors = {};
  const take = <T>(field: SettingsField, check: FieldCheck<T>, fallback: T): T => {
    if (check.ok) return check.value;
    errors[field] = check.message;
    return fallback;
  };
  const url = checkProxyUrl(draft.proxyUrl);
  if (!url.ok) errors.proxyUrl = url.message;
  const settings: Settings = {
    proxyUrl: url.ok ? url.url.toString() : draft.proxyUrl,
    token: take('token', checkToken(draft.token), ''),
    language: take('language', checkLanguage(draft.language), ''),
    model: take('model', checkModel(draft.model), ''),
    diarize: draft.diarize,
    interimResults: draft.interimResults,
    smartFormat: draft.smartFormat,
    endpointingMs: take('endpointingMs', checkEndpointing(draft.endpointingMs), 0),
    keyterms: take('keyterms', checkKeyterms(draft.keyterms), []),
    vadEnabled: draft.vadEnabled,
    vadSensitivity: draft.vadSensitivity,
  };
  if (!(draft.vadSensitivity >= 0 && draft.vadSensitivity <= 1)) errors.vadSensitivity = t('optionsVadSensitivityInvalid');
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, settings: settingsSchema.parse(settings) };
}
