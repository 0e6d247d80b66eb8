/**
 * The archive's listen parameters (proxy/archive/archive-params.ts) as proxy/listen-params.ts reads
 * them: checked, kept apart, never part of the upstream query; and the archive's settings.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_ARCHIVE, loadArchiveConfig } from '@/proxy/archive/archive-config';
import { archiveOwner } from '@/proxy/archive/archive-owner';
import { archiveSessionId, finalRow, mayBeFinal } from '@/proxy/archive/archive-rows';
import { checkListenParams } from '@/proxy/listen-params';

const check = (query: string) => checkListenParams(new URLSearchParams(query));

describe('captionist_session and captionist_offset', () => {
  it('are taken out of the upstream query and returned apart', () => {
    const result = check('model=nova-3&captionist_session=meeting-42_x&encoding=linear16&sample_rate=16000&captionist_offset=12.345');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.params.query.toString()).toBe('model=nova-3&encoding=linear16&sample_rate=16000');
    expect(result.params.archive).toEqual({ session: 'meeting-42_x', offsetSeconds: 12.345 });
  });

  it('default to no session and offset 0', () => {
    const result = check('model=nova-3');
    expect(result.ok && result.params.archive).toEqual({ session: undefined, offsetSeconds: 0 });
  });

  it.each([
    ['captionist_session=eight-ch', undefined],
    ['captionist_session=abc', '8-128 letters'],
    ['captionist_session=has%20space1', '8-128 letters'],
    [`captionist_session=${'a'.repeat(129)}`, '8-128 letters'],
    ['captionist_offset=-1', 'seconds from 0 to 604800'],
    ['captionist_offset=1.2345', 'seconds from 0 to 604800'],
    ['captionist_offset=700000', 'seconds from 0 to 604800'],
    ['captionist_offset=NaN', 'seconds from 0 to 604800'],
    ['captionist_offset=1&captionist_offset=2', 'may appear only once'],
  ])('checks %s', (query, problem) => {
    const result = check(query);
    if (problem === undefined) expect(result.ok).toBe(true);
    else expect(result.ok ? '' : result.message).toContain(problem);
  });
});

describe('archive rows', () => {
  const final = JSON.stringify({
    type: 'Results',
    channel_index: [1, 2],
    start: 2,
    duration: 1.5,
    is_final: true,
    speech_final: true,
    channel: { alternatives: [{ transcript: 'Hi there.', words: [
      { word: 'hi', punctuated_word: 'Hi', start: 2, end: 2.4, confidence: 0.9, speaker: 3 },
      { word: 'there', punctuated_word: 'there.', start: 2.5, end: 3.4, confidence: 0.8, speaker: 3 },
    ] }] },
  });
  const key = { sessionId: 's', owner: 'o', tokenLabel: 'token#1', offsetSeconds: 100 };

  it('passes only messages that may be finals to the parser', () => {
    expect(mayBeFinal(final)).toBe(true);
    expect(mayBeFinal(Buffer.from(final))).toBe(true);
    expect(mayBeFinal(final.replace('"is_final":true', '"is_final":false'))).toBe(false);
  });

  it('turns a final into meeting time with its channel and speaker, and skips interims and empty finals', () => {
    const row = finalRow(final, key, 0);
    expect(row).toMatchObject({ channel: 1, startMs: 102_000, endMs: 103_500, startKey: 1020, speaker: 3, text: 'Hi there.' });
    expect(row?.words.map((w) => [w.text, w.start, w.end])).toEqual([['Hi', 102, 102.4], ['there.', 102.5, 103.4]]);
    expect(finalRow(final.replace('"is_final":true', '"is_final":false').replace('"speech_final":true', '"speech_final":false'), key, 0)).toBeUndefined();
    expect(finalRow(final.replace('Hi there.', '').replace(/"words":\[.*\]/, '"words":[]'), key, 0)).toBeUndefined();
    expect(finalRow('{"type":"Results"', key, 0)).toBeUndefined();
  });

  it('gives a replayed final the same key within 100 ms, and each token its own session id', () => {
    const again = finalRow(final.replace('"start":2,', '"start":2.03,'), key, 0);
    expect(again?.startKey).toBe(finalRow(final, key, 0)?.startKey);
    expect(archiveSessionId('owner-a', 'm')).not.toBe(archiveSessionId('owner-b', 'm'));
    expect(archiveSessionId('owner-a', 'm')).toMatch(/^[0-9a-f]{32}$/);
    expect(archiveOwner('a-token', true)).not.toBe(archiveOwner('b-token', true));
    expect(archiveOwner('a-token', true)).not.toContain('a-token');
    expect(archiveOwner('a-token', false)).toBe('anonymous');
  });
});

describe('archive settings', () => {
  it('are off without ARCHIVE_DATABASE_URL', () => {
    expect(loadArchiveConfig({})).toEqual({ ok: true, config: undefined });
  });

  it('read the URL, the buffer bound and the retention', () => {
    const loaded = loadArchiveConfig({ ARCHIVE_DATABASE_URL: 'postgres://u@db/x', ARCHIVE_BUFFER_ROWS: '500', ARCHIVE_RETENTION_DAYS: '0' });
    expect(loaded).toEqual({ ok: true, config: { ...DEFAULT_ARCHIVE, databaseUrl: 'postgres://u@db/x', bufferRows: 500, retentionDays: 0 } });
  });

  it('say what is wrong', () => {
    const loaded = loadArchiveConfig({ ARCHIVE_DATABASE_URL: 'mysql://x', ARCHIVE_BUFFER_ROWS: '0', ARCHIVE_RETENTION_DAYS: 'a week' });
    expect(loaded.ok ? [] : loaded.errors).toEqual([
      'ARCHIVE_DATABASE_URL must be a postgres:// or postgresql:// URL.',
      'ARCHIVE_BUFFER_ROWS must be a whole number from 1 to 10000000, not "0".',
      'ARCHIVE_RETENTION_DAYS must be a whole number from 0 to 36500, not "a week".',
    ]);
  });
});

describe('the relay-path test for finals', () => {
  it('finds is_final:true wherever it is and with a space after the colon, as text or bytes', () => {
    for (const message of ['{"is_final":true}', '{"channel":{},"is_final": true}', '{"type":"Results","is_final":false,"x":"\\"is_final\\":true"}']) {
      expect(mayBeFinal(message)).toBe(message.includes('"is_final":false') ? false : true);
      expect(mayBeFinal(Buffer.from(message))).toBe(mayBeFinal(message));
    }
    expect(mayBeFinal('{"type":"Metadata"}')).toBe(false);
  });
});
