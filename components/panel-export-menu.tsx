/**
 * The Export menu: a disclosure (keyboard-operable as it is) with one button per format.
 */
import { useRef } from 'preact/hooks';
import { t, type MessageKey } from '@/lib/i18n';
import { EXPORT_FORMATS, type ExportFormatId } from '@/lib/transcript/export-formats';

const FORMAT_LABELS: Record<ExportFormatId, MessageKey> = {
  txt: 'panelExportTxt',
  md: 'panelExportMd',
  srt: 'panelExportSrt',
  vtt: 'panelExportVtt',
  json: 'panelExportJson',
};

export interface PanelExportMenuProps {
  onExport(format: ExportFormatId): void;
  disabled?: boolean;
  /** Distinguishes several menus on one page (test ids and labels). */
  idSuffix?: string;
}

export function PanelExportMenu({ onExport, disabled = false, idSuffix = '' }: PanelExportMenuProps) {
  const details = useRef<HTMLDetailsElement>(null);
  const choose = (format: ExportFormatId) => {
    onExport(format);
    if (details.current) details.current.open = false;
    details.current?.querySelector('summary')?.focus();
  };
  return (
    <details
      class="menu"
      ref={details}
      data-testid={`export-menu${idSuffix}`}
      onKeyDown={(event) => {
        if (event.key !== 'Escape' || !details.current?.open) return;
        event.stopPropagation();
        details.current.open = false;
        details.current.querySelector('summary')?.focus();
      }}
    >
      <summary class="secondary-like" aria-disabled={disabled ? 'true' : undefined}>
        {t('panelExport')}
      </summary>
      <div class="menu-items">
        {EXPORT_FORMATS.map((format) => (
          <button
            key={format.id}
            type="button"
            class="menu-item"
            data-testid={`export-${format.id}${idSuffix}`}
            disabled={disabled}
            onClick={() => choose(format.id)}
          >
            {t(FORMAT_LABELS[format.id])}
          </button>
        ))}
      </div>
    </details>
  );
}
