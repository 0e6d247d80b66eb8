/**
 * The languages the Options menu offers: what Deepgram's nova-3 streams (multilingual `multi`, then
 * each monolingual model and its regional codes, as Deepgram's changelogs list them up to 2026-03),
 * named in the UI language by Intl.DisplayNames. The setting stores the code, so settings saved as
 * free text before the menu still load; a stored code the menu does not know stays selectable.
 */

/** Several languages in one conversation (nova-3 `language=multi`, docs/deepgram-protocol.md). */
export const MULTI_LANGUAGE = 'multi';

export const NOVA3_LANGUAGES: readonly string[] = [
  MULTI_LANGUAGE,
  'en', 'en-US', 'en-GB', 'en-AU', 'en-IN', 'en-NZ',
  'de', 'de-CH', 'nl', 'nl-BE', 'sv', 'da', 'es', 'es-419', 'fr', 'fr-CA', 'pt', 'pt-BR', 'pt-PT',
  'it', 'tr', 'no', 'id', 'bg', 'cs', 'fi', 'hi', 'hu', 'ja', 'ko', 'pl', 'ru', 'uk', 'vi',
  'ca', 'et', 'el', 'lv', 'lt', 'ms', 'ro', 'sk', 'be', 'bn', 'bs', 'hr', 'kn', 'mk', 'mr', 'sr',
  'sl', 'ta', 'tl', 'te', 'zh', 'zh-TW',
];

export interface LanguageChoice {
  /** What is stored and sent to the proxy. */
  code: string;
  /** What the menu shows. */
  label: string;
  /** Not one of NOVA3_LANGUAGES: kept so a setting saved before the menu is not lost. */
  unknown: boolean;
}

export interface LanguageNaming {
  /** The UI language ("de"), for names and their order. */
  uiLanguage: string;
  /** The label of `multi` ("Several languages"). */
  multi: string;
  /** The label of a code the menu does not know, given its name or the code itself. */
  unknown: (name: string) => string;
}

function displayNames(uiLanguage: string): Intl.DisplayNames | null {
  for (const locale of [uiLanguage, 'en']) {
    try {
      return new Intl.DisplayNames([locale], { type: 'language', fallback: 'code' });
    } catch {
      // An empty or malformed UI language: try English.
    }
  }
  return null;
}

/** The name of a language code in the UI language ("Deutsch (Schweiz)"), or the code where Intl has none. */
export function languageName(code: string, names: Intl.DisplayNames | null): string {
  try {
    const name = names?.of(code);
    if (name && name !== code) return name.charAt(0).toLocaleUpperCase() + name.slice(1);
  } catch {
    // Not a tag Intl can read: the code is the best name there is.
  }
  return code;
}

/**
 * The menu: "Several languages" first, then the languages by name in the UI language's order; a
 * stored code outside the list comes first of all, marked, so it is what the menu shows selected.
 */
export function languageChoices(stored: string, naming: LanguageNaming): LanguageChoice[] {
  const names = displayNames(naming.uiLanguage);
  const collator = new Intl.Collator(naming.uiLanguage || 'en');
  const known = NOVA3_LANGUAGES.filter((code) => code !== MULTI_LANGUAGE)
    .map((code) => ({ code, label: languageName(code, names), unknown: false }))
    .sort((a, b) => collator.compare(a.label, b.label));
  const choices: LanguageChoice[] = [{ code: MULTI_LANGUAGE, label: naming.multi, unknown: false }, ...known];
  const trimmed = stored.trim();
  if (trimmed !== '' && !NOVA3_LANGUAGES.includes(trimmed)) {
    choices.unshift({ code: trimmed, label: naming.unknown(languageName(trimmed, names)), unknown: true });
  }
  return choices;
}
