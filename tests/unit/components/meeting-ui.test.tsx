// @vitest-environment happy-dom
/**
 * What a meeting (the tab and the microphone at once) changes in the pages: a named meter per
 * input, and a permission page that says the meeting starts once the microphone is allowed.
 */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InputLevels, inputLevelLabels } from '@/components/input-levels';
import { sourceLabel } from '@/components/source-label';
import { PermissionApp } from '@/entrypoints/permission/permission-app';
import { CAPTURE_SOURCES } from '@/lib/contract/messages';
import { installEnglishMessages } from '../settings-english-messages';

beforeAll(installEnglishMessages);

let root: HTMLElement;
beforeEach(() => {
  root = document.createElement('div');
  document.body.append(root);
});
afterEach(() => {
  render(null, root);
  root.remove();
});

const meters = () => [...root.querySelectorAll('[data-testid=level]')].map((el) => [el.getAttribute('data-input'), el.getAttribute('aria-label')]);

describe('level meters per input', () => {
  it('a meeting gets one named meter per input, the tab first (channel order)', () => {
    expect(inputLevelLabels('tab-and-mic')).toEqual([
      { input: 'tab', caption: 'Tab', label: 'Tab input level' },
      { input: 'mic', caption: 'Your microphone', label: 'Your microphone input level' },
    ]);
    act(() => render(<InputLevels source="tab-and-mic" singleCaption />, root));
    expect(meters()).toEqual([
      ['tab', 'Tab input level'],
      ['mic', 'Your microphone input level'],
    ]);
    expect(root.textContent).toBe('TabYour microphone');
  });

  it('one source keeps its one meter: captioned in the popup, bare in the side panel', () => {
    for (const source of ['tab', 'mic', null] as const) expect(inputLevelLabels(source), String(source)).toBeNull();
    act(() => render(<InputLevels source="mic" singleCaption />, root));
    expect(meters()).toEqual([[null, 'Input level']]);
    expect(root.textContent).toBe('Input level');
    act(() => render(<InputLevels source="tab" singleCaption={false} />, root));
    expect(meters()).toEqual([[null, 'Input level']]);
    expect(root.textContent).toBe('');
  });
});

describe('the sources', () => {
  it('each has its own wording', () => {
    expect(CAPTURE_SOURCES.map(sourceLabel)).toEqual(['This tab', 'My microphone', 'This tab and my microphone']);
  });
});

describe('the permission page', () => {
  const page = (query: string) => new URL(`chrome-extension://abc/permission.html${query}`);

  it('says the meeting starts once allowed when it completes a meeting, and not for the microphone alone', () => {
    act(() => render(<PermissionApp address={page('?source=tab-and-mic&tabId=4')} />, root));
    expect(root.querySelector('[data-testid=meeting-explain]')?.textContent).toContain('labelled "You"');
    act(() => render(<PermissionApp address={page('?source=mic&tabId=4')} />, root));
    expect(root.querySelector('[data-testid=meeting-explain]')).toBeNull();
  });
});
