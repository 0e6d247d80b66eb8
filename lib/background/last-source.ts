/**
 * The keyboard shortcut starts what the user last started: someone who always captions their
 * microphone should not get a tab capture from Alt+Shift+O. Before any start it is the tab,
 * the popup's own default.
 */
import type { CaptureSource } from '../contract/messages';
import { lastCaptureSourceItem } from '../contract/storage/items';

/** Records the source of a start the user asked for (popup, permission page). Never throws. */
export async function rememberCaptureSource(source: CaptureSource): Promise<void> {
  try {
    await lastCaptureSourceItem.setValue(source);
  } catch (error) {
    // Starting matters more than remembering: the shortcut then starts the previous source.
    console.warn('Captionist: could not remember the capture source', error);
  }
}

/** The source the keyboard shortcut starts. */
export async function shortcutCaptureSource(): Promise<CaptureSource> {
  try {
    return (await lastCaptureSourceItem.getValue()) ?? 'tab';
  } catch {
    return 'tab';
  }
}
