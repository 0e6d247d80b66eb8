/**
 * Names the user gave to diarized speakers in one session ("Speaker 1" -> "Dana"). Pure rules;
 * lib/speaker-names-store.ts keeps them in storage.local, per session.
 *
 * Keys are the server's speaker indexes (0 is shown as "Speaker 1"). A name is plain text: it is
 * trimmed, its whitespace collapsed, control characters dropped and its length bounded, so it can go
 * into a caption, a file name's neighbour or a WebVTT voice tag (escaped there) without surprises.
 */

/** Speaker index -> the name the user gave. A speaker without an entry keeps "Speaker N". */
export type SpeakerNames = Readonly<Record<number, string>>;

export const MAX_SPEAKER_NAME_LENGTH = 60;
/** Diarization gives small indexes; anything past this is not a speaker we would ever show. */
export const MAX_SPEAKER_INDEX = 63;

/**
 * The speaker of every word heard on a meeting's microphone channel: "You". Reserved above every
 * diarization index the parser lets through (lib/listen/protocol.ts caps them at 999), so no
 * diarized speaker of the tab can be taken for you; named and coloured like any speaker.
 */
export const YOU_SPEAKER = 1000;

export const NO_SPEAKER_NAMES: SpeakerNames = Object.freeze({});

// C0/C1 controls and the Unicode line/paragraph separators: a name is one line of text.
// eslint-disable-next-line no-control-regex -- control characters are what we replace
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** The name as it will be stored and shown; '' means "no name" (back to "Speaker N"). */
export function normalizeSpeakerName(raw: string): string {
  const clean = raw.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  // Cut on code points, so a name never ends in half of a surrogate pair.
  return Array.from(clean).slice(0, MAX_SPEAKER_NAME_LENGTH).join('').trim();
}

export function isSpeakerIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && ((value >= 0 && value <= MAX_SPEAKER_INDEX) || value === YOU_SPEAKER);
}

/** A copy of `names` with `speaker` renamed; an empty name removes the entry. */
export function withSpeakerName(names: SpeakerNames, speaker: number, name: string): SpeakerNames {
  if (!isSpeakerIndex(speaker)) return names;
  const normalized = normalizeSpeakerName(name);
  if (normalized !== '') return { ...names, [speaker]: normalized };
  const { [speaker]: _removed, ...rest } = names;
  return rest;
}

/** Reads names from storage (or any untrusted source): keeps valid entries, drops the rest. */
export function parseSpeakerNames(value: unknown): SpeakerNames {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return NO_SPEAKER_NAMES;
  const names: Record<number, string> = {};
  for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
    if (!/^\d{1,4}$/.test(key) || typeof raw !== 'string') continue;
    const speaker = Number(key);
    const name = normalizeSpeakerName(raw);
    if (isSpeakerIndex(speaker) && name !== '') names[speaker] = name;
  }
  return names;
}

/** One session's names as stored, with when they last changed. */
export interface SessionSpeakerNames {
  names: SpeakerNames;
  updatedAt: number;
}

/** Everything stored under `speakerNames`: by session key (lib/speaker-names-store.ts speakerNamesKey). */
export type SpeakerNamesBySession = Record<string, SessionSpeakerNames>;

/** Reads the per-session names map: keeps valid sessions and names, drops the rest. */
export function parseSpeakerNamesBySession(value: unknown): SpeakerNamesBySession {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const entries: SpeakerNamesBySession = {};
  for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
    if (typeof raw !== 'object' || raw === null) continue;
    const { names, updatedAt } = raw as { names?: unknown; updatedAt?: unknown };
    entries[key] = { names: parseSpeakerNames(names), updatedAt: typeof updatedAt === 'number' ? updatedAt : 0 };
  }
  return entries;
}

export function sameSpeakerNames(a: SpeakerNames, b: SpeakerNames): boolean {
  const keysA = Object.keys(a);
  if (keysA.length !== Object.keys(b).length) return false;
  return keysA.every((key) => a[Number(key)] === b[Number(key)]);
}
