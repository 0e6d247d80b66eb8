/**
 * The overlay's styles, applied with a constructed stylesheet: page CSP (style-src) does not apply
 * to constructed sheets, and the shadow root keeps page styles out.
 */
export const CAPTIONS_OVERLAY_CSS = `
:host { all: initial; }
.captions {
  position: fixed; left: 50%; bottom: 6vh; transform: translateX(-50%);
  width: min(880px, 92vw); max-height: 40vh; overflow: hidden;
  z-index: 2147483647; pointer-events: auto;
  padding: 10px 16px; border-radius: 10px;
  background: rgba(0, 0, 0, 0.82); color: #ffffff;
  font: 500 24px/1.35 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
  text-shadow: 0 1px 2px rgba(0, 0, 0, 0.6);
}
.line { margin: 2px 0; overflow-wrap: anywhere; }
.line.interim { opacity: 0.78; font-style: italic; }
.speaker { font-weight: 700; }
.notice { font-size: 15px; color: #ffd27a; margin-bottom: 4px; }
`;
