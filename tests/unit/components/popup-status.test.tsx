// @vitest-environment happy-dom
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { localEngineNotice, noteBesidesError, noteFromCheck } from '@/components/popup-proxy-note';
import { describeStatus, formatElapsed, StatusLine } from '@/components/status-line';
import { peakToFraction } from '@/components/level-meter';
import { IDLE_STATE, type SessionState } from '@/lib/contract/messages';
import { installEnglishMessages } from '../settings-english-messages';

beforeAll(installEnglishMessages);

const NOW = 1_700_000_000_000;
const state = (patch: Partial<SessionState>): SessionState => ({ ...IDLE_STATE, ...patch });

describe('formatElapsed', () => {
  it.each([
    [0, '0:00'],
    [999, '0:00'],
    [65_000, '1:05'],
    [3_725_000, '1:02:05'],
    [-5_000, '0:00'],
  ])('%i ms reads %s', (ms, text) => expect(formatElapsed(ms)).toBe(text));
});

describe('describeStatus', () => {
  it('shows live with the time since capture began', () => {
    expect(describeStatus(state({ phase: 'live', startedAt: NOW - 125_000 }), NOW)).toMatchObject({ status: 'live', label: 'Live', elapsed: '2:05' });
  });

  it('tells a first connection from a reconnection, and gives the reason for the latter', () => {
    expect(describeStatus(state({ phase: 'connecting', startedAt: NOW }), NOW)).toMatchObject({
      status: 'connecting',
      label: 'Connecting to the proxy…',
      reason: null,
    });
    const lost = { code: 'proxy-closed' as const, message: 'The connection to the proxy was lost (1006)' };
    expect(describeStatus(state({ phase: 'connecting', startedAt: NOW - 61_000, error: lost }), NOW)).toMatchObject({
      status: 'reconnecting',
      label: 'Reconnecting…',
      reason: lost.message,
      advice: 'Captions resume on their own when the connection works again.',
      action: null,
      elapsed: '1:01',
    });
  });

  it('says what stopped captions, what to do, and points to Settings for proxy problems', () => {
    const view = describeStatus(state({ phase: 'error', error: { code: 'proxy-rejected', message: 'The proxy refused the token (HTTP 401).' } }), NOW);
    expect(view).toMatchObject({ status: 'error', label: 'Stopped', reason: 'The proxy refused the token (HTTP 401).', action: 'settings', elapsed: null });
    expect(view.advice).toMatch(/Test connection/);
  });

  it('gives advice without a Settings button where Settings cannot help', () => {
    const view = describeStatus(state({ phase: 'error', error: { code: 'tab-not-capturable', message: 'Chrome pages cannot be captured.' } }), NOW);
    expect(view).toMatchObject({ action: null, advice: expect.stringMatching(/Open the page that plays the sound/) });
  });

  it('is plain "Not captioning" when idle without an error', () => {
    expect(describeStatus(IDLE_STATE, NOW)).toMatchObject({ status: 'idle', label: 'Not captioning', reason: null, advice: null });
  });
});

describe('StatusLine', () => {
  const host = document.createElement('div');
  afterEach(() => render(null, host));

  it('keeps data-phase as the session phase and adds the derived status', () => {
    const lost = { code: 'proxy-unreachable' as const, message: 'Could not connect' };
    act(() => render(<StatusLine state={state({ phase: 'connecting', startedAt: Date.now(), error: lost })} />, host));
    const status = host.querySelector('[data-testid=status]')!;
    expect(status.getAttribute('data-phase')).toBe('connecting');
    expect(status.getAttribute('data-status')).toBe('reconnecting');
    expect(status.getAttribute('role')).toBe('status');
    expect(status.textContent).toContain('Reconnecting…');
    expect(status.textContent).toContain('Could not connect');
  });

  it('keeps the ticking clock out of the live region, so screen readers are not read the time every second', () => {
    act(() => render(<StatusLine state={state({ phase: 'live', startedAt: Date.now() - 5_000 })} />, host));
    const elapsed = host.querySelector('[data-testid=elapsed]')!;
    expect(elapsed.textContent).toMatch(/0:0[56]/);
    expect(elapsed.closest('[role=status]')).toBeNull();
  });

  it('offers an Open settings button that calls back when the advice points there', () => {
    const onOpenSettings = vi.fn();
    const error = { code: 'no-proxy-configured' as const, message: 'No proxy.' };
    act(() => render(<StatusLine state={state({ phase: 'error', error })} onOpenSettings={onOpenSettings} />, host));
    const button = [...host.querySelectorAll('button')].find((b) => b.textContent === 'Open settings')!;
    act(() => button.click());
    expect(onOpenSettings).toHaveBeenCalledOnce();
    expect(host.querySelector('[data-testid=status-advice]')!.textContent).toContain("Enter your proxy's address in Settings.");
  });
});

describe('local engine note and level', () => {
  const check = { proxyUrl: 'ws://localhost:8787/v1/listen', ok: true, engine: 'local', checkedAt: NOW };

  it('shows the local-engine note only for the proxy URL that was tested', () => {
    expect(localEngineNotice('ws://localhost:8787/v1/listen', check)).toBe(true);
    expect(localEngineNotice('wss://other.example.com/v1/listen', check)).toBe(false);
    expect(localEngineNotice('ws://localhost:8787/v1/listen', { ...check, engine: 'deepgram' })).toBe(false);
    expect(localEngineNotice('ws://localhost:8787/v1/listen', null)).toBe(false);
  });

  it('warns before Start about refusals Start would meet, but not about a full stream count', () => {
    expect(noteFromCheck({ ok: true, kind: 'ok', engine: 'local', message: '' })).toEqual({ kind: 'local-engine' });
    expect(noteFromCheck({ ok: true, kind: 'ok', engine: 'deepgram', message: '' })).toBeNull();
    const refusal = { ok: false as const, status: 401, message: 'x refused the token.', advice: 'Copy it again.' };
    expect(noteFromCheck({ ...refusal, kind: 'unauthorized' })).toEqual({ kind: 'problem', message: refusal.message, advice: refusal.advice });
    expect(noteFromCheck({ ...refusal, kind: 'rate-limited', status: 429 })).toBeNull();
    expect(noteFromCheck({ ...refusal, kind: 'daily-quota', status: 429 })).toMatchObject({ kind: 'problem', message: refusal.message });
    expect(noteFromCheck({ ...refusal, kind: 'upstream-full', status: 429 })).toMatchObject({ kind: 'problem', message: refusal.message });
  });

  it('maps the peak from -60..0 dBFS onto the meter', () => {
    expect(peakToFraction(0)).toBe(0);
    expect(peakToFraction(1)).toBe(1);
    expect(peakToFraction(0.001)).toBeCloseTo(0, 5);
    expect(peakToFraction(Math.pow(10, -30 / 20))).toBeCloseTo(0.5, 5);
  });
});

describe('noteBesidesError', () => {
  const refused = { kind: 'problem' as const, message: '127.0.0.1:8787 refused the token.', advice: 'Copy the token again.' };
  it('drops the box when the status line already says the same refusal', () => {
    expect(noteBesidesError(refused, { code: 'proxy-rejected', message: '127.0.0.1:8787 refused the token. Copy the token again.' })).toBeNull();
  });
  it('keeps it beside another error, no error, and keeps the local-engine note', () => {
    expect(noteBesidesError(refused, { code: 'proxy-unreachable', message: 'Could not connect to the captions proxy at 127.0.0.1:8787.' })).toBe(refused);
    expect(noteBesidesError(refused, null)).toBe(refused);
    const local = { kind: 'local-engine' as const };
    expect(noteBesidesError(local, { code: 'proxy-rejected', message: 'x' })).toBe(local);
  });
});
