/**
 * A live preview of the caption box on the options page: the real overlay component, with the
 * overlay's own stylesheet, in a shadow root over a mock page, redrawn as the sliders move.
 * It is a picture of the settings (inert, hidden from screen readers): the fields are the controls.
 */
import { render } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { t } from '@/lib/i18n';
import type { CaptionLine } from '@/lib/overlay/caption-lines';
import type { OverlayAppearance } from '@/lib/overlay-settings';
import { CaptionsOverlay } from './captions-overlay';
import { CAPTIONS_OVERLAY_CSS } from './captions-overlay-styles';

const PREVIEW_SIZE = { width: 560, height: 260 };
const PREVIEW_PLACEMENT = { x: 0.5, y: 0.92, width: 520 };

/** The newest line last; the box shows as many as the Lines setting allows. */
export function previewLines(count: number): CaptionLine[] {
  const samples: CaptionLine[] = [
    { key: 's1', speaker: 0, label: t('optionsPreviewSpeaker', 1), finalText: t('optionsPreviewLine1'), interimText: '' },
    { key: 's2', speaker: 1, label: t('optionsPreviewSpeaker', 2), finalText: t('optionsPreviewLine2'), interimText: '' },
    { key: 's3', speaker: 0, label: t('optionsPreviewSpeaker', 1), finalText: t('optionsPreviewLine3'), interimText: '' },
    { key: 's4', speaker: 2, label: t('optionsPreviewSpeaker', 3), finalText: t('optionsPreviewLine4'), interimText: '' },
    { key: 's5', speaker: 1, label: t('optionsPreviewSpeaker', 2), finalText: t('optionsPreviewLine5'), interimText: t('optionsPreviewInterim') },
  ];
  return samples.slice(-Math.max(1, Math.min(samples.length, count)));
}

const PREVIEW_CSS = `
:host { display: block; position: relative; transform: translateZ(0); overflow: hidden; }
.box { cursor: default; }
`;

const noop = () => undefined;

export function CaptionPreview({ appearance }: { appearance: OverlayAppearance }) {
  const host = useRef<HTMLDivElement>(null);
  const root = useRef<ShadowRoot | null>(null);

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    if (!root.current) {
      root.current = element.attachShadow({ mode: 'open' });
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(CAPTIONS_OVERLAY_CSS + PREVIEW_CSS);
      root.current.adoptedStyleSheets = [sheet];
    }
    render(
      <CaptionsOverlay
        lines={previewLines(appearance.lines)}
        notice={null}
        placeholder={null}
        appearance={{ ...appearance, locked: true }}
        placement={PREVIEW_PLACEMENT}
        viewport={PREVIEW_SIZE}
        onAppearance={noop}
        onPlacement={noop}
        onHide={noop}
      />,
      root.current,
    );
  }, [appearance]);

  useEffect(
    () => () => {
      if (root.current) render(null, root.current);
    },
    [],
  );

  return (
    <div class="caption-preview" data-testid="caption-preview" aria-hidden="true">
      <div class="mock-page">
        <div class="mock-video">
          <span class="mock-title">{t('optionsPreviewPage')}</span>
        </div>
        <p class="mock-text" />
        <p class="mock-text short" />
      </div>
      <div
        ref={host}
        class="caption-preview-host"
        // inert: nothing in the picture takes focus or clicks.
        {...{ inert: true }}
        style={{ width: `${PREVIEW_SIZE.width}px`, height: `${PREVIEW_SIZE.height}px` }}
      />
    </div>
  );
}
