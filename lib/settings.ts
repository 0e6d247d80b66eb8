/**
 * User settings and the rules that validate them. Pure: storage lives in lib/storage.ts (over the
 * items of lib/contract/storage/items.ts).
 *
 * The options form edits a `SettingsDraft` (text as typed); `validateDraft` turns it into
 * `Settings` or into one message per bad field, said so a person can fix it.
 */
import * as z from 'zod/mini';
import { CAPTURE_SOURCES, type CaptureSource } from './contract/messages';
import { t } from './i18n';
import { SERVER_KINDS, type ServerKind } from './listen/server-kind';

export const DEFAULT_PROXY_URL = 'ws://localhost:8787/v1/listen';

/** Silence (ms) that ends an utterance (Deepgram `endpointing`); 10 is Deepgram's own default. */
export const ENDPOINTING_LIMITS = { min: 10, max: 5000 } as const;
/**
 * Deepgram allows at most 500 tokens across all keyterms and suggests up to ~100 terms; the whole
 * synced settings object must also stay under storage.sync's 8 KB per item.
 */
export const KEYTERM_LIMITS = { count: 100, termChars: 100, totalChars: 2000 } as const;

/**
 * What Deepgram can redact (`redact=`): card numbers, personal details, health details, numbers.
 * While streaming it redacts English only (docs/deepgram-protocol.md §2).
 */
export const REDACT_KINDS = ['pci', 'pii', 'phi', 'numbers'] as const;
export type RedactKind = (typeof REDACT_KINDS)[number];

/** Fills missing or invalid fields from the defaults, so an old or damaged store never breaks a start. */
export function normalizeSettings(stored: unknown): Settings {
  const base: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  if (typeof stored === 'object' && stored !== null) {
    for (const [key, value] of Object.entries(stored)) {
      // A stored key may be anything, an inherited name such as "toString" included: only the schema's own fields count.
      if (!Object.hasOwn(settingsSchema.shape, key)) continue;
      if (settingsSchema.shape[key as keyof Settings].safeParse(value).success) base[key] = value;
    }
  }
  return settingsSchema.parse(base) as Settings;
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
  // A space in the address makes some parsers throw and others (Chrome's) percent-encode it into the
  // host name, where every later message would repeat it as "127.0.0.1%20": name it first.
  const address = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(text)?.[1] ?? '';
  if (/\s/.test(address)) {
    const without = text.replace(address, address.replace(/\s+/g, ''));
    return { ok: false, message: t('optionsProxyUrlHostSpace', address, without) };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, message: t('optionsProxyUrlNotUrl', text) };
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    return { ok: false, message: t('optionsProxyUrlScheme', `${url.protocol}//`) };
  }
  if (url.hostname.includes('%')) return { ok: false, message: t('optionsProxyUrlNotUrl', text) };
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

/** How the audio reaches the speech service: through the proxy, or straight to Deepgram with a token the proxy grants. */
export const CONNECTION_MODES = ['relay', 'direct'] as const;
export type ConnectionMode = (typeof CONNECTION_MODES)[number];

// --- Every setting, defined once ----------------------------------------------------------------
//
// A setting is one entry in SETTING_DEFINITIONS: how it is stored (schema), its default, how the
// options form shows it (toDraft) and how the form's value is checked (check). The Settings type,
// the stored schema, the defaults, the form's draft and its validation all derive from these
// entries, so a new setting touches its entry, its field on the options page
// (entrypoints/options/options-app.tsx) and its messages (public/_locales), nothing else.

interface SettingDefinition<Value, Draft> {
  /** What storage may hold for it (stored values are parsed with this; see normalizeSettings). */
  schema: z.ZodMiniType<Value>;
  default: Value;
  /** The options form's value for a stored one. */
  toDraft(value: Value): Draft;
  /** The form's value checked: the setting to store, or the sentence that says what to change. */
  check(draft: Draft): FieldCheck<Value>;
}

function defineSetting<Value, Draft>(definition: SettingDefinition<Value, Draft>): SettingDefinition<Value, Draft> {
  return definition;
}

/** A setting the form edits as stored (a checkbox, a slider) and needs no check. */
function plainSetting<Value>(schema: z.ZodMiniType<Value>, defaultValue: Value): SettingDefinition<Value, Value> {
  return defineSetting({ schema, default: defaultValue, toDraft: (value) => value, check: (value) => ({ ok: true, value }) });
}

export const SETTING_DEFINITIONS = {
  proxyUrl: defineSetting({
    schema: z.string(),
    default: DEFAULT_PROXY_URL,
    toDraft: (value: string) => value,
    check: (raw: string): FieldCheck<string> => {
      const url = checkProxyUrl(raw);
      return url.ok ? { ok: true, value: url.url.toString() } : url;
    },
  }),
  token: defineSetting({ schema: z.string(), default: '', toDraft: (value: string) => value, check: checkToken }),
  /**
   * What the server at proxyUrl speaks (lib/listen/server-kind.ts): Captionist's proxy or anything
   * Deepgram-compatible at /v1/listen, or a transcription relay at /ws/transcribe.
   */
  serverKind: plainSetting<ServerKind>(z.enum(SERVER_KINDS), 'listen'),
  language: defineSetting({
    schema: z.string().check(z.minLength(2), z.maxLength(35)),
    default: 'en',
    toDraft: (value: string) => value,
    check: checkLanguage,
  }),
  model: defineSetting({
    schema: z.string().check(z.minLength(1), z.maxLength(64)),
    default: 'nova-3',
    toDraft: (value: string) => value,
    check: checkModel,
  }),
  diarize: plainSetting(z.boolean(), true),
  interimResults: plainSetting(z.boolean(), true),
  smartFormat: plainSetting(z.boolean(), true),
  /** Milliseconds of silence that mark the end of speech (`endpointing`); typed as text. */
  endpointingMs: defineSetting({
    schema: z.int().check(z.gte(ENDPOINTING_LIMITS.min), z.lte(ENDPOINTING_LIMITS.max)),
    default: 300,
    toDraft: (value: number) => String(value),
    check: checkEndpointing,
  }),
  /** Words and phrases to favour (Deepgram `keyterm` on Nova-3, `keywords` on older models); one per line in the form. */
  keyterms: defineSetting({
    schema: z.array(z.string().check(z.minLength(1), z.maxLength(KEYTERM_LIMITS.termChars))).check(z.maxLength(KEYTERM_LIMITS.count)),
    default: [] as string[],
    toDraft: (value: string[]) => value.join('\n'),
    check: checkKeyterms,
  }),
  /**
   * The source the popup offers first (and the shortcut starts) until the user starts another:
   * lib/background/last-source.ts says how it and the last source started combine.
   */
  defaultCaptureSource: plainSetting<CaptureSource>(z.enum(CAPTURE_SOURCES), 'tab'),
  // The microphone's own processing in Chrome (getUserMedia constraints), read by the capture when
  // it opens the microphone. All on, as for a call: the others played by the tab are echo to it.
  micEchoCancellation: plainSetting(z.boolean(), true),
  micNoiseSuppression: plainSetting(z.boolean(), true),
  micAutoGainControl: plainSetting(z.boolean(), true),
  /** In a meeting, drop microphone words that are the tab's words heard again (lib/transcript/echo-guard.ts). */
  echoGuard: plainSetting(z.boolean(), true),
  vadEnabled: plainSetting(z.boolean(), true),
  /**
   * Ask the proxy to keep this user's final transcripts in its archive (proxy/README.md, Archive):
   * off unless the user turns it on, since whoever runs the proxy can then read them.
   */
  archiveTranscripts: plainSetting(z.boolean(), false),
  /**
   * Ask Deepgram not to keep the audio and transcript for its model improvement program
   * (`mip_opt_out=true`); Deepgram keeps them unless asked. On unless the user turns it off.
   */
  mipOptOut: plainSetting(z.boolean(), true),
  /** What Deepgram replaces with a label ([CREDIT_CARD_1]…) before the words reach us; none by default. */
  redact: plainSetting<RedactKind[]>(z.array(z.enum(REDACT_KINDS)).check(z.maxLength(REDACT_KINDS.length)), []),
  /**
   * Relay: the audio goes through the proxy. Direct: the proxy grants a short-lived Deepgram token
   * per connection and the audio goes to Deepgram itself (lib/session/direct-dialer.ts).
   */
  connectionMode: plainSetting<ConnectionMode>(z.enum(CONNECTION_MODES), 'relay'),
  /** 0 (sends the most) .. 1 (gates the most). */
  vadSensitivity: defineSetting({
    schema: z.number().check(z.gte(0), z.lte(1)),
    default: 0.5,
    toDraft: (value: number) => value,
    check: (value: number): FieldCheck<number> =>
      value >= 0 && value <= 1 ? { ok: true, value } : { ok: false, message: t('optionsVadSensitivityInvalid') },
  }),
};

type Definitions = typeof SETTING_DEFINITIONS;
type ValueOf<D> = D extends SettingDefinition<infer Value, infer _Draft> ? Value : never;
type DraftOf<D> = D extends SettingDefinition<infer _Value, infer Draft> ? Draft : never;

export type Settings = { [K in keyof Definitions]: ValueOf<Definitions[K]> };
/** The options form's values as typed. */
export type SettingsDraft = { [K in keyof Definitions]: DraftOf<Definitions[K]> };
export type SettingsField = keyof SettingsDraft;
export type SettingsErrors = Partial<Record<SettingsField, string>>;
export type DraftCheck = { ok: true; settings: Settings } | { ok: false; errors: SettingsErrors };

const SETTING_KEYS = Object.keys(SETTING_DEFINITIONS) as (keyof Definitions)[];

/** One definition, with its own value and draft types erased to what the loops below need. */
function definitionOf(key: keyof Definitions): SettingDefinition<unknown, unknown> {
  // Each entry's Value and Draft match within the entry; the loops read and write by the same key.
  return SETTING_DEFINITIONS[key];
}

function byKey<T>(make: (key: keyof Definitions) => T): Record<keyof Definitions, T> {
  return Object.fromEntries(SETTING_KEYS.map((key) => [key, make(key)])) as Record<keyof Definitions, T>;
}

export const settingsSchema = z.object(byKey((key) => definitionOf(key).schema));

/** What the offscreen document needs to open the listen socket. */
export type ListenSettings = Settings;

/** Settings that must never leave this computer (not synced, not logged). */
export const SECRET_SETTINGS = ['token'] as const satisfies readonly (keyof Settings)[];
export type SecretSettings = Pick<Settings, (typeof SECRET_SETTINGS)[number]>;
/** Everything else follows the user's browsers through storage.sync. */
export type SyncedSettings = Omit<Settings, (typeof SECRET_SETTINGS)[number]>;

export const DEFAULT_SETTINGS: Settings = byKey((key) => definitionOf(key).default) as Settings;

export function draftFromSettings(settings: Settings): SettingsDraft {
  return byKey((key) => definitionOf(key).toDraft(settings[key])) as SettingsDraft;
}

/** Every field checked at once, so the form can mark all problems in one go. */
export function validateDraft(draft: SettingsDraft): DraftCheck {
  const errors: SettingsErrors = {};
  const values: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const check = definitionOf(key).check(draft[key]);
    if (check.ok) values[key] = check.value;
    else errors[key] = check.message;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, settings: settingsSchema.parse(values) as Settings };
}
