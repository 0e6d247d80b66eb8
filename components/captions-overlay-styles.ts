/**
 * The overlay's styles, applied with a constructed stylesheet: page CSP (style-src) does not apply
 * to constructed sheets, and the shadow root keeps page styles out.
 *
 * Only the box (and its toolbar while shown) takes pointer events; the host has no size.
 * Per-user values come in as custom properties on the box: --font-size, --lines, --bg-opacity.
 *
 * No caption text can be selected, the box's nor the screen readers' live region's: the page's
 * window.find() reaches into closed shadow roots and selects what it finds, and extending that
 * selection by a line would hand the page the rest of the caption
 * (tests/e2e/overlay-page-isolation.spec.ts). Comments inside the CSS string ship in the content
 * script, which has a 20 KB budget; keep them short.
 */
export const CAPTIONS_OVERLAY_CSS = `
:host { all: initial; }
.box {
  position: fixed; z-index: 2147483647; box-sizing: border-box;
  display: flex; flex-direction: column;
  max-height: calc(100vh - 16px);
  padding: 0.3em 0.7em; border-radius: 10px;
  background: rgba(0, 0, 0, var(--bg-opacity, 0.8)); color: #ffffff;
  font: 500 var(--font-size, 24px)/1.35 system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif;
  text-align: start; letter-spacing: 0.01em;
  text-shadow: 0 1px 2px rgba(0, 0, 0, 0.6);
  pointer-events: auto; cursor: move; user-select: none; -webkit-user-select: none;
  touch-action: none; outline: none;
}
.box.locked { cursor: default; }
.box:focus-visible { box-shadow: 0 0 0 3px #8ab4f8; }
.box.dragging { box-shadow: 0 0 0 2px rgba(138, 180, 248, 0.9); }
/* A see-through background needs an edge on the letters to stay readable over bright pages. */
.box.edged { text-shadow: -1px -1px 0 #000, 1px -1px 0 #000, -1px 1px 0 #000, 1px 1px 0 #000, 0 0 4px #000; }

.text {
  height: calc(var(--lines, 3) * 1.35em); min-height: 1.35em; flex: 0 1 auto;
  overflow: hidden; display: flex; flex-direction: column; justify-content: flex-end;
}
.scroller { will-change: transform; }
.line { margin: 0; overflow-wrap: anywhere; word-break: normal; }
.speaker { font-weight: 700; }
.interim { font-style: italic; opacity: 0.85; }
.placeholder { color: #d0d4da; font-style: italic; font-size: 0.8em; }
.notice { font-size: max(14px, 0.6em); line-height: 1.3; margin: 0.1em 0 0.25em; color: #ffd27a; }
.notice.warning { color: #e0e4ea; }

.tools {
  position: absolute; right: 0; bottom: 100%;
  display: flex; flex-direction: column; align-items: flex-end; gap: 4px; padding-bottom: 4px;
  opacity: 0; pointer-events: none; transition: opacity 120ms ease-out;
  font: 500 14px/1.3 system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif;
  text-shadow: none; cursor: default;
}
.box.tools-below .tools { bottom: auto; top: 100%; flex-direction: column-reverse; padding: 4px 0 0; }
.box:hover .tools, .box:focus-within .tools, .box.dragging .tools, .tools.open {
  opacity: 1; pointer-events: auto;
}
.toolbar, .panel {
  display: flex; gap: 2px; padding: 3px; border-radius: 8px;
  background: rgba(24, 25, 28, 0.96); box-shadow: 0 2px 8px rgba(0, 0, 0, 0.4);
}
.toolbar button {
  all: unset; box-sizing: border-box; min-width: 32px; height: 32px; padding: 0 6px;
  display: inline-flex; align-items: center; justify-content: center;
  border-radius: 6px; color: #ffffff; cursor: pointer; font-weight: 700; font-size: 14px;
}
.toolbar button:hover { background: rgba(255, 255, 255, 0.16); }
.toolbar button:focus-visible { outline: 2px solid #8ab4f8; outline-offset: 1px; }
.toolbar button[aria-pressed='true'] { background: rgba(138, 180, 248, 0.32); }
.toolbar button:disabled { opacity: 0.4; cursor: default; }
.toolbar svg { width: 18px; height: 18px; fill: none; stroke: currentColor; stroke-width: 2; stroke-linecap: round; stroke-linejoin: round; }
.panel { flex-direction: column; gap: 6px; padding: 10px 12px; color: #ffffff; min-width: 220px; }
.panel label { display: grid; grid-template-columns: 1fr auto; gap: 2px 10px; align-items: center; }
.panel input[type='range'] { grid-column: 1 / -1; width: 100%; margin: 0; accent-color: #8ab4f8; }
.panel input[type='range']:focus-visible { outline: 2px solid #8ab4f8; outline-offset: 2px; }
.panel output { font-variant-numeric: tabular-nums; color: #d0d4da; }

.grip {
  position: absolute; top: 0; right: -4px; bottom: 0; width: 12px; cursor: ew-resize; touch-action: none;
}
.grip::after {
  content: ''; position: absolute; right: 6px; bottom: 6px; width: 8px; height: 8px;
  border-right: 2px solid rgba(255, 255, 255, 0.55); border-bottom: 2px solid rgba(255, 255, 255, 0.55);
  opacity: 0; transition: opacity 120ms ease-out;
}
.box:hover .grip::after, .box:focus-within .grip::after { opacity: 1; }

/* Read by screen readers, never seen, never selectable (see the top of this file). */
.sr-only {
  position: fixed; left: 0; top: 0; width: 1px; height: 1px; overflow: hidden;
  clip-path: inset(50%); white-space: nowrap; pointer-events: none;
  user-select: none; -webkit-user-select: none;
}
@media (prefers-reduced-motion: reduce) {
  .tools, .grip::after { transition: none; }
}
`;
