/**
 * With the German locale, what lib/transcript writes itself is German: "Sprecher 2", the export
 * headings and the recording date as German writes it (through lib/i18n.ts's registry,
 * lib/transcript/transcript-labels.ts); the language menu names languages in German. Without a
 * registered page (the proxy under Node) the same modules write English.
 */
import { afterEach, describe, expect, it } from 'vitest';
import '@/lib/i18n';
import { languageChoices } from '@/lib/recognition-languages';
import type { ExportDocument } from '@/lib/transcript/export-document';
import { exportFileName } from '@/lib/transcript/export-file-name';
import { transcriptToMarkdown } from '@/lib/transcript/export-markdown';
import { transcriptToTxt } from '@/lib/transcript/export-text';
import { speakerLabel } from '@/lib/transcript/speaker-colors';
import { YOU_SPEAKER } from '@/lib/transcript/speaker-names';
import { localizeTranscriptLabels, transcriptLabel, transcriptLocale } from '@/lib/transcript/transcript-labels';
import { installEnglishMessages, installLocaleMessages } from '../settings-english-messages';
import { spoken } from './export-test-data';

const STARTED = new Date(2026, 10, 25, 14, 3, 0).getTime();
const doc: ExportDocument = { title: '', startedAt: STARTED, utterances: [spoken('Guten Morgen.', 1.2, 1)], names: {} };

afterEach(installEnglishMessages);

describe('German transcript words', () => {
  it('labels speakers, headings and dates in German', () => {
    installLocaleMessages('de');
    expect(speakerLabel(1)).toBe('Sprecher 2');
    expect(speakerLabel(YOU_SPEAKER)).toBe('Sie');
    expect(transcriptToTxt(doc)).toBe(['Transkript', '25.11.2026, 14:03', '', '[00:00:01] Sprecher 2: Guten Morgen.', ''].join('\n'));
    expect(transcriptToMarkdown(doc).split('\n').slice(0, 3)).toEqual(['# Transkript', '', 'Aufgenommen am 25.11.2026, 14:03']);
    // File names keep year-month-day digits, so a folder of exports sorts by date in any language.
    expect(exportFileName('', STARTED, 'md')).toBe('Captionist-Transkript 2026-11-25.md');
  });

  it('names the languages of the menu in German, in German order, multi as "Mehrere Sprachen"', () => {
    const choices = languageChoices('de', { uiLanguage: 'de', multi: 'Mehrere Sprachen', unknown: (name) => `${name} (nicht in dieser Liste)` });
    expect(choices[0]).toEqual({ code: 'multi', label: 'Mehrere Sprachen', unknown: false });
    const label = (code: string) => choices.find((choice) => choice.code === code)?.label;
    expect(label('de')).toBe('Deutsch');
    expect(label('de-CH')).toBe('Schweizer Hochdeutsch');
    expect(label('fr')).toBe('Französisch');
    const names = choices.slice(1).map((choice) => choice.label);
    expect(names).toEqual([...names].sort(new Intl.Collator('de').compare));
    // German order files "Ä"/"Ö"/"Ü" with their letters, not after "Z".
    expect(names.indexOf('Türkisch')).toBeLessThan(names.indexOf('Ukrainisch'));
  });

  it('writes English where no page registered its messages (Node, the proxy)', () => {
    // Undoes what importing lib/i18n.ts registered (this is the file's last test).
    localizeTranscriptLabels(null);
    expect(transcriptLabel('speakerNumber', '3')).toBe('Speaker 3');
    expect(transcriptLocale()).toBe('en');
    expect(speakerLabel(0)).toBe('Speaker 1');
  });
});
