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

/** Closes every open drop-down menu of the page except `keep` (one menu open at a time). */
export function closeMenus(keep?: Element | null): void {
  for (const menu of document.querySelectorAll<HTMLDetailsElement>('details.menu[open]')) if (menu !== keep) menu.open = false;
}

/** For a menu's onToggle: opening it closes the others. */
export function onMenuToggle(event: Event): void {
  const menu = event.currentTarget as HTMLDetailsElement;
  if (menu.open) closeMenus(menu);
}

/**
 * Closes menus on a press outside them and on Escape (focus goes back to the menu's button).
 * Returns the function that removes the listeners.
 */
export function dismissMenusOnOutsideAction(doc: Document): () => void {
  const onPointer = (event: PointerEvent) => {
    const target = event.target as Node | null;
    for (const menu of doc.querySelectorAll<HTMLDetailsElement>('details.menu[open]')) if (!target || !menu.contains(target)) menu.open = false;
  };
  const onKey = (event: KeyboardEvent) => {
    if (event.key !== 'Escape') return;
    const open = [...doc.querySelectorAll<HTMLDetailsElement>('details.menu[open]')];
    if (open.length === 0) return;
    // A form inside a menu (rename) handles its own Escape first.
    if (event.defaultPrevented) return;
    event.preventDefault();
    for (const menu of open) {
      menu.open = false;
      if (menu.contains(doc.activeElement)) menu.querySelector('summary')?.focus();
    }
  };
  doc.addEventListener('pointerdown', onPointer);
  doc.addEventListener('keydown', onKey);
  return () => {
    doc.removeEventListener('pointerdown', onPointer);
    doc.removeEventListener('keydown', onKey);
  };
}

export interface PanelExportMenuProps {
  onExport: (format: ExportFormatId) => void;
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
      onToggle={onMenuToggle}
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
