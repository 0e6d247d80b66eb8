import { describe, expect, it } from 'vitest';
import { setupNeeded } from '@/components/first-run';
import type { ConnectionTestResult } from '@/lib/connection-test';

const passed = { proxyUrl: 'wss://captions.example/v1/listen', ok: true, engine: 'deepgram', checkedAt: 1 };
const failed = { ...passed, ok: false, engine: null };
const freshOk: ConnectionTestResult = { ok: true, kind: 'ok', engine: 'deepgram', message: 'Connected.' };
const freshRefused = { ok: false, kind: 'unauthorized', status: 401, message: 'Token refused.', advice: 'Check the token.' } as ConnectionTestResult;

describe('setupNeeded', () => {
  it('asks for setup until a check of the proxy has passed once', () => {
    expect(setupNeeded(null, undefined)).toBe(true);
    expect(setupNeeded(null, null)).toBe(true); // nothing answered
    expect(setupNeeded(null, freshRefused)).toBe(true);
    expect(setupNeeded(failed, null)).toBe(true);
  });

  it('not once a check passed, stored or just now', () => {
    expect(setupNeeded(passed, undefined)).toBe(false);
    expect(setupNeeded(passed, null)).toBe(false); // set up before; a proxy down now is another matter
    expect(setupNeeded(null, freshOk)).toBe(false);
  });
});
