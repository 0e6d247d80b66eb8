/**
 * User settings and the rules that validate them. Pure: storage lives in lib/storage.ts.
 */
import { z } from 'zod';

export const DEFAULT_PROXY_URL = 'ws://localhost:8787/v1/listen';

export const settingsSchema = z.object({
  proxyUrl: z.string(),
  token: z.string(),
  language: z.string().min(2).max(35),
  model: z.string().min(1).max(64),
  diarize: z.boolean(),
  interimResults: z.boolean(),
  smartFormat: z.boolean(),
  vadEnabled: z.boolean(),
  /** 0 (sends the most) .. 1 (gates the most). */
  vadSensitivity: z.number().min(0).max(1),
});

export type Settings = z.infer<typeof settingsSchema>;

/** What the offscreen document needs to open the listen socket. */
export type ListenSettings = Settings;

export const DEFAULT_SETTINGS: Settings = {
  proxyUrl: DEFAULT_PROXY_URL,
  token: '',
  language: 'en',
  model: 'nova-3',
  diarize: true,
  interimResults: true,
  smartFormat: true,
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

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export type ProxyUrlCheck = { ok: true; url: URL } | { ok: false; message: string };

/**
 * ws:// is allowed only to this computer; anything that crosses a network must be wss://, or the
 * token and the audio would travel in the clear.
 */
export function checkProxyUrl(raw: string): ProxyUrlCheck {
  const text = raw.trim();
  if (text === '') return { ok: false, message: 'Enter the address of your Captionist proxy.' };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, message: `"${text}" is not a URL. It should look like wss://captions.example.com/v1/listen.` };
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    return { ok: false, message: `The proxy URL must start with wss:// (or ws:// for this computer), not ${url.protocol}//.` };
  }
  if (url.protocol === 'ws:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    return {
      ok: false,
      message: `ws:// is only allowed for localhost. Use wss://${url.host}${url.pathname} so audio and token are encrypted.`,
    };
  }
  if (url.username || url.password) {
    return { ok: false, message: 'Put the token in the Token field, not in the URL.' };
  }
  return { ok: true, url };
}
