import { describe, expect, it } from 'vitest';
import type { ExportDocument } from '@/lib/transcript/export-document';
import { exportFileName, FALLBACK_FILE_TITLE, sanitizeFileTitle } from '@/lib/transcript/export-file-name';
import { EXPORT_FORMATS, renderExport } from '@/lib/transcript/export-formats';
import { JSON_EXPORT_FORMAT, transcriptToJsonObject, type JsonExport } from '@/lib/transcript/export-json';
import { escapeMarkdown, transcriptToMarkdown } from '@/lib/transcript/export-markdown';
import { transcriptToTxt } from '@/lib/transcript/export-text';
import { fromWords, spoken } from './export-test-data';

// Local time, so the date in names and headers is the user's day whatever the machine's zone.
const STARTED = new Date(2026, 10, 25, 14, 3, 0).getTime();
/** Without a page's locale (Node, the proxy) dates are written the English way, by Intl. */
const WHEN = 'Nov 25, 2026, 2:03 PM';
/** Newer ICU puts a narrow no-break space before "PM": the same text to a reader. */
const plainSpaces = (text: string) => text.replace(/\u202f/g, ' ');

const doc = (overrides: Partial<ExportDocument> = {}): ExportDocument => ({
  title: 'Weekly sync',
  startedAt: STARTED,
  utterances: [spoken('Good morning everyone.', 1.2, 0), spoken('The *budget* is <ready> & # 1.', 62, 1)],
  names: { 0: 'Dana' },
  ...overrides,
});

describe('TXT export', () => {
  it('writes the title, the date and one "[hh:mm:ss] Name: text" line per utterance', () => {
    expect(plainSpaces(transcriptToTxt(doc()))).toBe(
      ['Weekly sync', WHEN, '', '[00:00:01] Dana: Good morning everyone.', '[00:01:02] Speaker 2: The *budget* is <ready> & # 1.', ''].join('\n'),
    );
  });
});

describe('Markdown export', () => {
  it('escapes formatting, HTML and block markers so text reads as it was said', () => {
    expect(escapeMarkdown('*really* _so_ `code` [link](x) <b> & ~x~ | y')).toBe(
      '\\*really\\* \\_so\\_ \\`code\\` \\[link\\](x) &lt;b&gt; &amp; \\~x\\~ \\| y',
    );
    expect(escapeMarkdown('# not a heading')).toBe('\\# not a heading');
    expect(escapeMarkdown('- not a list')).toBe('\\- not a list');
    expect(escapeMarkdown('1. not a list')).toBe('1\\. not a list');
    expect(escapeMarkdown('Ends well. 3.5 - fine')).toBe('Ends well. 3.5 - fine');
  });

  it('writes a heading, the date, and a paragraph per utterance with name and time', () => {
    const md = plainSpaces(transcriptToMarkdown(doc({ names: { 0: 'Dana', 1: 'Lee_the_*great*' } })));
    expect(md).toBe(
      [
        '# Weekly sync',
        '',
        `Recorded ${WHEN}`,
        '',
        '**Dana** `00:00:01`  ',
        'Good morning everyone.',
        '',
        '**Lee\\_the\\_\\*great\\*** `00:01:02`  ',
        'The \\*budget\\* is &lt;ready&gt; &amp; # 1.',
        '',
      ].join('\n'),
    );
  });
});

describe('JSON export', () => {
  it('keeps words with times, confidences and speakers, and the names the user gave', () => {
    const utterance = fromWords([['Hello', 0.5, 0.9], ['there', 1.0, 1.3333333]], 0);
    const parsed = JSON.parse(JSON.stringify(transcriptToJsonObject(doc({ utterances: [utterance] }), new Date(0)))) as JsonExport;
    expect(parsed).toMatchObject({
      format: JSON_EXPORT_FORMAT,
      version: 1,
      title: 'Weekly sync',
      startedAt: new Date(STARTED).toISOString(),
      exportedAt: '1970-01-01T00:00:00.000Z',
      speakers: [{ speaker: 0, label: 'Dana', named: true }],
    });
    expect(parsed.utterances).toEqual([
      {
        id: utterance.id,
        channel: 0,
        speaker: 0,
        speakerLabel: 'Dana',
        start: 0.5,
        end: 1.333,
        text: 'Hello there',
        words: [
          { text: 'Hello', start: 0.5, end: 0.9, confidence: 0.8, speaker: 0 },
          { text: 'there', start: 1, end: 1.333, confidence: 0.8, speaker: 0 },
        ],
      },
    ]);
  });

  it('writes null for unknown start and speaker, and never NaN', () => {
    const odd = { ...fromWords([['x', Number.NaN, 1]], null), start: Number.NaN };
    const text = renderExport(doc({ startedAt: null, utterances: [odd] }), 'json').content;
    expect(text).not.toMatch(/NaN|Infinity/);
    const parsed = JSON.parse(text) as JsonExport;
    expect(parsed.startedAt).toBeNull();
    expect(parsed.utterances[0]).toMatchObject({ speaker: null, speakerLabel: null, start: 0 });
  });
});

describe('file names', () => {
  it('are the page title and the local date: "Weekly sync 2026-11-25.srt"', () => {
    expect(exportFileName('Weekly sync', STARTED, 'srt')).toBe('Weekly sync 2026-11-25.srt');
    expect(exportFileName('Weekly sync', null, 'vtt')).toBe('Weekly sync.vtt');
  });

  it.each([
    ['a/b\\c:d*e?f"g<h>i|j', 'a b c d e f g h i j'],
    ['  ..hidden.. ', 'hidden'],
    ['line\nbreak\ttab\u0000nul', 'line break tab nul'],
    ['right-to-left \u202eexe.txt', 'right-to-left exe.txt'],
    ['CON', FALLBACK_FILE_TITLE],
    ['', FALLBACK_FILE_TITLE],
    ['???', FALLBACK_FILE_TITLE],
    ['x'.repeat(300), 'x'.repeat(80)],
  ])('sanitizes %j to %j', (title, expected) => {
    expect(sanitizeFileTitle(title)).toBe(expected);
  });

  it('give every format its own extension and MIME type', () => {
    const files = EXPORT_FORMATS.map((f) => renderExport(doc(), f.id));
    expect(files.map((f) => f.fileName)).toEqual([
      'Weekly sync 2026-11-25.txt',
      'Weekly sync 2026-11-25.md',
      'Weekly sync 2026-11-25.srt',
      'Weekly sync 2026-11-25.vtt',
      'Weekly sync 2026-11-25.json',
    ]);
    for (const file of files) expect(file.mime).toMatch(/charset=utf-8$/);
    for (const file of files) expect(file.content).toContain('Dana');
  });
});
