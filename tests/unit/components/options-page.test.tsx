// @vitest-environment happy-dom
/**
 * The options page as a whole, on the fake browser's storage: validation messages, focus,
 * what is stored where, and the appearance preview.
 */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { ConnectionResult } from '@/components/options-connection-test';
import { previewLines } from '@/components/options-caption-preview';
import { retentionErrors } from '@/components/options-retention';
import { OptionsApp } from '@/entrypoints/options/options-app';
import { DEFAULT_SETTINGS } from '@/lib/settings';
import { saveSettings } from '@/lib/storage';
import { installEnglishMessages } from '../settings-english-messages';

beforeAll(installEnglishMessages);

const host = document.createElement('div');
document.body.append(host);

async function settle(): Promise<void> {
  await act(async () => {
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
  });
}

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- as with querySelector<T>, the caller names the element it expects
const field = <T extends HTMLElement = HTMLInputElement>(selector: string) => {
  const element = host.querySelector<T>(selector);
  if (!element) throw new Error(`no ${selector}`);
  return element;
};

async function type(selector: string, value: string): Promise<void> {
  const input = field<HTMLInputElement | HTMLTextAreaElement>(selector);
  await act(() => {
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

/** Picks a menu entry as a user does: the select's value changes, then its change event. */
async function choose(selector: string, value: string): Promise<void> {
  const select = field<HTMLSelectElement>(selector);
  await act(() => {
    select.value = value;
    select.dispatchEvent(new Event('change', { bubbles: true }));
  });
}

const menuLabels = (selector: string) => [...field<HTMLSelectElement>(selector).options].map((option) => [option.value, option.textContent]);

async function submit(): Promise<void> {
  await act(() => field<HTMLButtonElement>('#save').click());
  await settle();
}

const status = () => field('[data-testid=options-status]').textContent;

beforeEach(async () => {
  fakeBrowser.reset();
  await saveSettings({ ...DEFAULT_SETTINGS, proxyUrl: 'wss://captions.example.com/v1/listen', token: 'stored-token-1' });
  await act(() => render(<OptionsApp />, host));
  await settle();
});

afterEach(() => render(null, host));

describe('options page', () => {
  it('shows the stored settings, with the token hidden until asked', async () => {
    expect(field('#proxy-url').value).toBe('wss://captions.example.com/v1/listen');
    expect(field('#token').value).toBe('stored-token-1');
    expect(field('#token').type).toBe('password');
    const show = [...host.querySelectorAll('button')].find((b) => b.textContent === 'Show')!;
    await act(() => show.click());
    expect(field('#token').type).toBe('text');
    expect(show.getAttribute('aria-pressed')).toBe('true');
  });

  it('marks every invalid field with its message, focuses the first one and saves nothing', async () => {
    await type('#proxy-url', 'http://captions.example.com');
    await type('#token', 'has a space');
    await type('#endpointing', '20000');
    await submit();

    expect(status()).toBe('Not saved: 3 fields need fixing. The first has the focus; each says what is wrong.');
    for (const id of ['proxy-url', 'token', 'endpointing']) {
      const input = field(`#${id}`);
      expect(input.getAttribute('aria-invalid')).toBe('true');
      const help = field(`#${input.getAttribute('aria-describedby')}`);
      expect(help.classList.contains('error')).toBe(true);
    }
    expect(field('#proxy-url-help').textContent).toMatch(/must start with wss:\/\//);
    expect(field('#token-help').textContent).toMatch(/cannot contain spaces/);
    expect(field('#endpointing-help').textContent).toBe('Enter a whole number of milliseconds from 10 to 5000.');
    expect(document.activeElement).toBe(field('#proxy-url'));
    expect((await fakeBrowser.storage.sync.get('settings')).settings).toMatchObject({ language: 'en' });
  });

  it('clears a message as soon as the field is fixed, then saves with "Saved", the token only locally', async () => {
    await type('#endpointing', '20000');
    await submit();
    expect(field('#endpointing').getAttribute('aria-invalid')).toBe('true');
    await type('#endpointing', '300');
    expect(field('#endpointing').getAttribute('aria-invalid')).toBe('false');
    await choose('#language', 'de');
    await type('#keyterms', 'Dana Scully\nCaptionist');
    await type('#token', 'new-token-2');
    await submit();

    expect(status()).toBe('Saved');
    const synced = (await fakeBrowser.storage.sync.get(null)) as Record<string, Record<string, unknown>>;
    expect(synced.settings).toMatchObject({ language: 'de', keyterms: ['Dana Scully', 'Captionist'] });
    expect(JSON.stringify(synced)).not.toContain('new-token-2');
    expect(await fakeBrowser.storage.local.get('proxyToken')).toEqual({ proxyToken: 'new-token-2' });
    expect(synced.overlayAppearance).toBeDefined();
    // History retention stays with the transcripts, on this computer (lib/persistence/retention-store.ts).
    expect(await fakeBrowser.storage.local.get('historyRetention')).toEqual({ historyRetention: { maxSessions: 50, maxDays: 30 } });
  });

  it('offers the languages by name, "Several languages" for multi, and stores the code', async () => {
    const menu = menuLabels('#language');
    expect(field<HTMLSelectElement>('#language').tagName).toBe('SELECT');
    expect(field<HTMLSelectElement>('#language').value).toBe(DEFAULT_SETTINGS.language);
    expect(menu[0]).toEqual(['multi', 'Several languages']);
    expect(menu).toContainEqual(['de', 'German']);
    expect(menu).toContainEqual(['en-GB', 'British English']);
    expect(menu).toContainEqual(['pt-BR', 'Brazilian Portuguese']);
    // By name after "Several languages", as a reader looks for them.
    const names = menu.slice(1).map(([, label]) => label ?? '');
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'en')));
    await choose('#language', 'multi');
    await submit();
    expect((await fakeBrowser.storage.sync.get('settings')).settings).toMatchObject({ language: 'multi' });
  });

  it('keeps a stored code the menu does not list selectable, and saves it unchanged', async () => {
    render(null, host);
    await saveSettings({ ...DEFAULT_SETTINGS, proxyUrl: 'wss://captions.example.com/v1/listen', token: 't', language: 'af' });
    await act(() => render(<OptionsApp />, host));
    await settle();
    expect(field<HTMLSelectElement>('#language').value).toBe('af');
    expect(menuLabels('#language')[0]).toEqual(['af', 'Afrikaans (not in this list)']);
    await submit();
    expect(status()).toBe('Saved');
    expect((await fakeBrowser.storage.sync.get('settings')).settings).toMatchObject({ language: 'af' });
  });

  it('refuses to test a connection with invalid fields and says so in the result', async () => {
    await type('#token', 'has a space');
    await act(() => field<HTMLButtonElement>('#test-connection').click());
    await settle();
    const result = field('[data-testid=connection-result]');
    expect(result.getAttribute('data-kind')).toBe('invalid-settings');
    expect(result.textContent).toContain('Fix the fields marked above first.');
    expect(field('#token-help').textContent).toMatch(/cannot contain spaces/);
  });

  it('keeps transcripts on the team\'s server only when asked, and says what the proxy\'s operator can then read', async () => {
    expect(field('#archive-transcripts').checked).toBe(false);
    expect(field('#archive-transcripts-help').textContent).toMatch(/whoever runs it can read it/);
    expect(field('#archive-transcripts-help').textContent).toMatch(/never audio/);
    await act(() => field('#archive-transcripts').click());
    await submit();
    expect((await fakeBrowser.storage.sync.get('settings')).settings).toMatchObject({ archiveTranscripts: true });
  });

  it('disables the filter strength while the silence filter is off', async () => {
    expect(field('#vad-sensitivity').disabled).toBe(false);
    await act(() => field('#vad-enabled').click());
    expect(field('#vad-sensitivity').disabled).toBe(true);
  });

  it('saves the microphone settings (all on by default) and the default source, each with its sentence', async () => {
    for (const id of ['mic-echo-cancellation', 'mic-noise-suppression', 'mic-auto-gain-control']) {
      expect(field(`#${id}`).checked, id).toBe(true);
      expect(field(`#${id}-help`).textContent, id).toMatch(/^[A-Z].+\.$/);
    }
    expect(field('#default-capture-source input[value=tab]').checked).toBe(true);
    expect([...host.querySelectorAll('#default-capture-source label')].map((label) => label.textContent)).toEqual([
      'This tab',
      'My microphone',
      'This tab and my microphone',
    ]);
    await act(() => field('#mic-echo-cancellation').click());
    await act(() => field('#default-capture-source input[value=tab-and-mic]').click());
    await submit();
    expect(status()).toBe('Saved');
    expect((await fakeBrowser.storage.sync.get('settings')).settings).toMatchObject({
      defaultCaptureSource: 'tab-and-mic',
      micEchoCancellation: false,
      micNoiseSuppression: true,
      micAutoGainControl: true,
    });
  });

  it('a new default source replaces the last source started; saving anything else keeps it', async () => {
    await fakeBrowser.storage.local.set({ lastCaptureSource: 'mic' });
    await choose('#language', 'de');
    await submit();
    expect(await fakeBrowser.storage.local.get('lastCaptureSource')).toEqual({ lastCaptureSource: 'mic' });
    await act(() => field('#default-capture-source input[value=tab-and-mic]').click());
    await submit();
    expect(await fakeBrowser.storage.local.get('lastCaptureSource')).toEqual({});
    // Saved once: saving the same default again is no new choice.
    await fakeBrowser.storage.local.set({ lastCaptureSource: 'tab' });
    await submit();
    expect(await fakeBrowser.storage.local.get('lastCaptureSource')).toEqual({ lastCaptureSource: 'tab' });
  });

  it('validates how much history is kept', async () => {
    await type('#keep-sessions', '0');
    await submit();
    expect(field('#keep-sessions-help').textContent).toBe('Enter a whole number of sessions from 1 to 1000.');
    expect(status()).toBe('Not saved: 1 field needs fixing. It has the focus and says what is wrong.');
    expect(document.activeElement).toBe(field('#keep-sessions'));
  });

  it('redraws the caption preview as the line count changes', async () => {
    const previewRoot = field('.caption-preview-host').shadowRoot!;
    const shown = () => previewRoot.querySelectorAll('.line').length;
    expect(shown()).toBeGreaterThan(0);
    const before = shown();
    const slider = field('#caption-lines');
    await act(() => {
      slider.value = '1';
      slider.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await settle();
    expect(shown()).toBeLessThan(before);
    expect(field('output[for=caption-lines]').textContent).toBe('1');
  });
});

describe('options pieces', () => {
  it('shows a failed connection test as title, what failed and what to do', () => {
    const box = document.createElement('div');
    render(
      <ConnectionResult
        result={{ ok: false, kind: 'unauthorized', status: 401, message: 'captions.example.com refused the token.', advice: 'Copy the token again.' }}
      />,
      box,
    );
    expect(box.textContent).toBe('✕Token refused (401): captions.example.com refused the token.Copy the token again.');
  });

  it('adds the accuracy note to a success on the local engine', () => {
    const box = document.createElement('div');
    render(<ConnectionResult result={{ ok: true, kind: 'ok', engine: 'local', message: 'Connected.' }} />, box);
    expect(box.textContent).toMatch(/much less accurate than Deepgram/);
  });

  it('shows a success that relays instead of going direct as a note, with its warning', () => {
    const box = document.createElement('div');
    render(<ConnectionResult result={{ ok: true, kind: 'ok', engine: 'deepgram', route: 'relay', message: 'Connected.', warning: 'Captions will go through the proxy.' }} />, box);
    expect(box.querySelector('.result')?.className).toBe('result result-ok result-note');
    expect(box.querySelector('[data-testid=connection-warning]')?.textContent).toBe('Captions will go through the proxy.');
    expect(box.textContent).toBe('!Connected.Captions will go through the proxy.');
    render(<ConnectionResult result={{ ok: true, kind: 'ok', engine: 'deepgram', route: 'direct', message: 'Works directly.' }} />, box);
    expect(box.querySelector('.result')?.className).toBe('result result-ok');
    expect(box.textContent).toBe('✓Works directly.');
  });

  it('titles the direct-mode failures', () => {
    const box = document.createElement('div');
    render(<ConnectionResult result={{ ok: false, kind: 'direct-only', status: 403, message: 'Relays nothing.', advice: 'Choose direct.' }} />, box);
    expect(box.textContent).toBe('✕Direct mode only (403): Relays nothing.Choose direct.');
    render(<ConnectionResult result={{ ok: false, kind: 'grant-refused', status: 502, message: 'No token.', advice: 'Ask.' }} />, box);
    expect(box.textContent).toBe('✕No direct-mode token: No token.Ask.');
    render(<ConnectionResult result={{ ok: false, kind: 'direct-refused', status: null, message: 'Not opened.', advice: 'Check.' }} />, box);
    expect(box.textContent).toBe('✕Direct connection failed: Not opened.Check.');
  });

  it('checks the retention numbers', () => {
    expect(retentionErrors({ maxSessions: '20', maxDays: '7' })).toEqual({ policy: { maxSessions: 20, maxDays: 7 }, errors: {} });
    expect(retentionErrors({ maxSessions: '2.5', maxDays: '4000' })).toMatchObject({ policy: null, errors: { maxSessions: expect.any(String), maxDays: expect.any(String) } });
  });

  it('previews as many sample lines as the setting, the newest with an interim tail', () => {
    expect(previewLines(3)).toHaveLength(3);
    expect(previewLines(9)).toHaveLength(5);
    expect(previewLines(1)[0]!.interimText).not.toBe('');
  });
});
