/**
 * The mark that stands where text was cut to a bound (lib/transcript/transcript-store.ts,
 * lib/overlay/caption-lines.ts): always a word of its own, so it never splits a word and every view
 * and export shows it. Its own module so the overlay's bundle does not take in the store.
 */
export const TRUNCATION_MARK = '…';
