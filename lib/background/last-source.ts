/**
 * Which source a start begins from. The keyboard shortcut starts what the user last started, and
 * the popup offers it first: someone who always captions their microphone, or their meetings,
 * should not get a tab capture from Alt+Shift+O. Before any start, and again after the user picks
 * a new default in Options (their newest choice), it is that default ("Start captions from").
 */
import type { CaptureSource } from '../contract/messages';
import { lastCaptureSourceItem } from '../contract/storage/items';
import { DEFAULT_SETTINGS } from '../settings';
import { loadSettings } from '../storage';

/** The source to offer or start: the last one started, else the user's default. */
export function startingSource(last: CaptureSource | null, defaultSource: CaptureSource): CaptureSource {
  return last ?? defaultSource;
}

/** Records the source of a start the user asked for (popup, permission page). Never throws. */
export async function rememberCaptureSource(source: CaptureSource): Promise<void> {
  try {
    await lastCaptureSourceItem.setValue(source);
  } catch (error) {
    // Starting matters more than remembering: the shortcut then starts the previous source.
    console.warn('Captionist: could not remember the capture source', error);
  }
}

/** The last source started, or null (none yet, or it could not be read). */
export async function lastCaptureSource(): Promise<CaptureSource | null> {
  try {
    return await lastCaptureSourceItem.getValue();
  } catch {
    return null;
  }
}

/**
 * A default saved in Options is newer than the last start: the popup and the shortcut follow it
 * until the user starts another source.
 */
export async function defaultSourceChanged(): Promise<void> {
  await lastCaptureSourceItem.removeValue();
}

/** The source the keyboard shortcut starts. */
export async function shortcutCaptureSource(): Promise<CaptureSource> {
  const defaultSource = await loadSettings().then(
    (settings) => settings.defaultCaptureSource,
    () => DEFAULT_SETTINGS.defaultCaptureSource,
  );
  return startingSource(await lastCaptureSource(), defaultSource);
}
