import type { ExportFile } from '@/lib/transcript/export-formats';

/** Saves a file through a Blob URL and an <a download> (no downloads permission needed). */
export function downloadFile(file: ExportFile): void {
  const url = URL.createObjectURL(new Blob([file.content], { type: file.mime }));
  const link = document.createElement('a');
  link.href = url;
  link.download = file.fileName;
  link.rel = 'noopener';
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started by the next task; keep the URL a while for slow disks.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
