// @vitest-environment happy-dom
/**
 * A microphone session that could not start shows one reason and one piece of advice in the popup
 * and the side panel: the reason is a fact (lib/mic-permission.ts), the advice says what to do
 * (components/status-line.tsx). Both used to say "Allow the microphone ..." in near-identical words.
 */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeStatus, StatusLine } from '@/components/status-line';
import { IDLE_STATE } from '@/lib/contract/messages';
import { micPermissionError } from '@/lib/mic-permission';
import { installEnglishMessages } from '../settings-english-messages';

beforeAll(installEnglishMessages);

/** The words of a sentence, lower case, without the short ones that every sentence shares. */
function words(text: string): Set<string> {
  return new Set(text.toLowerCase().match(/[a-z']{4,}/g) ?? []);
}

/** Jaccard similarity of the two sentences' words: 1 when they say the same thing twice. */
function overlap(a: string, b: string): number {
  const x = words(a);
  const y = words(b);
  const shared = [...x].filter((word) => y.has(word)).length;
  return shared / (x.size + y.size - shared || 1);
}

describe.each(['needed', 'denied'] as const)('a microphone permission %s', (permission) => {
  const host = document.createElement('div');
  afterEach(() => render(null, host));

  it('gives a reason and advice that do not repeat each other', () => {
    const error = micPermissionError(permission);
    const view = describeStatus({ ...IDLE_STATE, phase: 'error', error }, Date.now());
    expect(view.reason).toBeTruthy();
    expect(view.advice).toBeTruthy();
    expect(overlap(view.reason ?? '', view.advice ?? ''), `"${view.reason}" / "${view.advice}"`).toBeLessThan(0.5);
  });

  it('says "Allow" once in the status line', () => {
    act(() => render(<StatusLine state={{ ...IDLE_STATE, phase: 'error', error: micPermissionError(permission) }} />, host));
    // Text node by text node: textContent would glue "Stopped" to the next word.
    const text = [...host.querySelectorAll('*')]
      .flatMap((element) => [...element.childNodes].filter((node) => node.nodeType === Node.TEXT_NODE).map((node) => node.textContent ?? ''))
      .join(' ');
    expect(text).toMatch(/microphone/i);
    expect(text.match(/\ballow\b/gi) ?? []).toHaveLength(1);
  });
});
