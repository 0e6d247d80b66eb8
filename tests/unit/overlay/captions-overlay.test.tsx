// @vitest-environment happy-dom
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CaptionsOverlay, type CaptionsOverlayProps } from '@/components/captions-overlay';
import { OverlayLiveRegion } from '@/components/overlay-live-region';
import { captionLines } from '@/lib/overlay/caption-lines';
import { DEFAULT_PLACEMENT, placeBox } from '@/lib/overlay/placement';
import { DEFAULT_OVERLAY_APPEARANCE } from '@/lib/overlay-settings';
import { SPEAKER_PALETTES, NEUTRAL_TEXT } from '@/lib/transcript/speaker-colors';
import type { Utterance } from '@/lib/transcript/types';

const VIEWPORT = { width: 1280, height: 720 };
let container: HTMLElement;

beforeEach(() => {
  container = document.createElement('div');
  document.body.append(container);
});
afterEach(() => {
  render(null, container);
  container.remove();
});

function utterance(id: string, speaker: number | null, text: string, closed = true): Utterance {
  return { id, speaker, text, start: 0, end: 1, words: [], channel: 0, closed };
}

function show(overrides: Partial<CaptionsOverlayProps> = {}) {
  const props: CaptionsOverlayProps = {
    lines: [],
    notice: null,
    placeholder: null,
    appearance: DEFAULT_OVERLAY_APPEARANCE,
    placement: DEFAULT_PLACEMENT,
    viewport: VIEWPORT,
    onAppearance: vi.fn(),
    onPlacement: vi.fn(),
    onHide: vi.fn(),
    ...overrides,
  };
  act(() => render(<CaptionsOverlay {...props} />, container));
  const box = container.querySelector<HTMLElement>('[data-testid=captions]')!;
  return { props, box };
}

/** The colour as the DOM reports it: happy-dom keeps hex, browsers give rgb(). */
const sameColor = (css: string | undefined, hex: string) => {
  const n = parseInt(hex.slice(1), 16);
  return css === hex || css === `rgb(${n >> 16}, ${(n >> 8) & 255}, ${n & 255})`;
};

describe('CaptionsOverlay', () => {
  it('shows HTML and script from the server as text, creating no elements from it', () => {
    const html = '<img src=x onerror=alert(1)> <script>alert(2)</script>';
    const lines = captionLines(
      { utterances: [utterance('a', 0, html, false)], interims: [{ text: '<b>bold</b>', words: [], start: 1, end: 2, speaker: 0, channel: 0 }] },
      3,
    );
    const { box } = show({ lines });
    expect(box.querySelector('[data-testid=caption-line]')?.textContent).toBe(html);
    expect(box.querySelector('[data-testid=caption-interim]')?.textContent).toBe('<b>bold</b>');
    expect(container.querySelectorAll('img, script, b')).toHaveLength(0);
  });

  it('marks finals and the interim tail apart, with the speaker on each', () => {
    const lines = captionLines(
      { utterances: [utterance('a', 0, 'good morning'), utterance('b', 1, 'the budget is', false)], interims: [{ text: 'ready', words: [], start: 2, end: 3, speaker: 1, channel: 0 }] },
      3,
    );
    const { box } = show({ lines });
    const finals = [...box.querySelectorAll('[data-testid=caption-line]')];
    const interim = box.querySelector('[data-testid=caption-interim]');
    expect(finals.map((el) => [el.getAttribute('data-speaker'), el.getAttribute('data-final'), el.textContent])).toEqual([
      ['0', 'true', 'good morning'],
      ['1', 'true', 'the budget is'],
    ]);
    expect([interim?.getAttribute('data-final'), interim?.getAttribute('data-speaker'), interim?.className]).toEqual(['false', '1', 'interim']);
    // Each speaker's line in their colour, the name where their turn starts.
    const paragraphs = [...box.querySelectorAll<HTMLElement>('p.line')];
    expect(paragraphs.map((p, i) => sameColor(p.style.color, SPEAKER_PALETTES.dark[i]!))).toEqual([true, true]);
    expect(paragraphs.map((p) => p.querySelector('.speaker')?.textContent)).toEqual(['Speaker 1: ', 'Speaker 2: ']);
  });

  it('uses the neutral colour and no names without diarization', () => {
    const { box } = show({ lines: captionLines({ utterances: [utterance('a', null, 'plain')], interims: [] }, 3) });
    expect(sameColor(box.querySelector<HTMLElement>('p.line')?.style.color, NEUTRAL_TEXT.dark)).toBe(true);
    expect(box.querySelector('.speaker')).toBeNull();
  });

  it('applies the appearance as custom properties and edges letters on a see-through background', () => {
    const { box } = show({ appearance: { lines: 5, fontSize: 40, backgroundOpacity: 0.5, locked: false } });
    expect(box.style.getPropertyValue('--font-size')).toBe('40px');
    expect(box.style.getPropertyValue('--lines')).toBe('5');
    expect(box.style.getPropertyValue('--bg-opacity')).toBe('0.5');
    expect(box.classList.contains('edged')).toBe(true);
  });

  it('shows the placeholder only while there are no lines, and the notice', () => {
    const { box } = show({ placeholder: 'Listening…', notice: { text: 'The proxy refused the token.', kind: 'error' } });
    expect(box.querySelector('.placeholder')?.textContent).toBe('Listening…');
    expect(box.querySelector('[data-testid=caption-notice]')?.textContent).toBe('The proxy refused the token.');
    const again = show({ placeholder: 'Listening…', lines: captionLines({ utterances: [utterance('a', 0, 'hi')], interims: [] }, 3) });
    expect(again.box.querySelector('.placeholder')).toBeNull();
  });

  it('drags: the pointer movement becomes a placement, remembered when the pointer is released', () => {
    const { box, props } = show();
    const start = placeBox(DEFAULT_PLACEMENT, VIEWPORT, box.offsetHeight || Math.round(24 * 1.35 * 3.6));
    act(() => {
      box.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true, button: 0, pointerId: 1, clientX: 600, clientY: 600 }));
      box.dispatchEvent(new PointerEvent('pointermove', { bubbles: true, pointerId: 1, clientX: 500, clientY: 400 }));
      box.dispatchEvent(new PointerEvent('pointerup', { bubbles: true, pointerId: 1, clientX: 500, clientY: 400 }));
    });
    const calls = vi.mocked(props.onPlacement).mock.calls;
    expect(calls.map((call) => call[1])).toEqual([false, true]);
    const [placement] = calls[1]!;
    expect(placeBox(placement, VIEWPORT, 0).left).toBe(start.left - 100);
  });

  it('does not move when locked, and has no resize grip then', () => {
    const { box, props } = show({ appearance: { ...DEFAULT_OVERLAY_APPEARANCE, locked: true } });
    act(() => {
      box.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true, button: 0, pointerId: 1, clientX: 600, clientY: 600 }));
      box.dispatchEvent(new PointerEvent('pointermove', { bubbles: true, pointerId: 1, clientX: 100, clientY: 100 }));
      box.dispatchEvent(new PointerEvent('pointerup', { bubbles: true, pointerId: 1, clientX: 100, clientY: 100 }));
      box.dispatchEvent(new KeyboardEvent('keydown', { bubbles: true, key: 'ArrowLeft' }));
    });
    expect(props.onPlacement).not.toHaveBeenCalled();
    expect(box.querySelector('[data-testid=caption-resize]')).toBeNull();
  });

  it('moves with the arrow keys and changes the text size with + and -', () => {
    const { box, props } = show();
    act(() => {
      box.dispatchEvent(new KeyboardEvent('keydown', { bubbles: true, key: 'ArrowUp' }));
      box.dispatchEvent(new KeyboardEvent('keydown', { bubbles: true, key: '+' }));
    });
    expect(vi.mocked(props.onPlacement).mock.calls[0]?.[1]).toBe(true);
    expect(props.onAppearance).toHaveBeenCalledWith({ fontSize: 26 });
  });

  it('has buttons for text size, lock and hide', () => {
    const { box, props } = show();
    const click = (id: string) => {
      act(() => box.querySelector<HTMLButtonElement>(`[data-testid=${id}]`)!.click());
    };
    click('caption-font-larger');
    click('caption-font-smaller');
    click('caption-lock');
    click('caption-hide');
    expect(vi.mocked(props.onAppearance).mock.calls).toEqual([[{ fontSize: 26 }], [{ fontSize: 22 }], [{ locked: true }]]);
    expect(props.onHide).toHaveBeenCalledOnce();
    expect(box.querySelector('[data-testid=caption-lock]')?.getAttribute('aria-pressed')).toBe('false');
  });

  it('opens a settings panel whose sliders change lines, size and background', () => {
    const { box, props } = show();
    act(() => box.querySelector<HTMLButtonElement>('[data-testid=caption-settings]')!.click());
    const slider = (id: string, value: string) => {
      act(() => {
        const input = box.querySelector<HTMLInputElement>(`[data-testid=${id}]`)!;
        input.value = value;
        input.dispatchEvent(new Event('input', { bubbles: true }));
      });
    };
    slider('caption-lines-input', '5');
    slider('caption-font-input', '40');
    slider('caption-opacity-input', '0.6');
    expect(vi.mocked(props.onAppearance).mock.calls).toEqual([[{ lines: 5 }], [{ fontSize: 40 }], [{ backgroundOpacity: 0.6 }]]);
  });
});

describe('CaptionsOverlay: the settings panel and the keyboard', () => {
  const panel = (box: HTMLElement) => box.querySelector('[data-testid=caption-settings-panel]');
  const openPanel = (box: HTMLElement) => {
    act(() => box.querySelector<HTMLButtonElement>('[data-testid=caption-settings]')!.click());
    expect(panel(box)).not.toBeNull();
  };
  const key = (target: Element, name: string) => {
    act(() => {
      target.dispatchEvent(new KeyboardEvent('keydown', { bubbles: true, cancelable: true, key: name }));
    });
  };

  it('Escape closes the panel and puts focus on its button; a second Escape gives focus back to the page', () => {
    const pageButton = document.createElement('button');
    document.body.append(pageButton);
    pageButton.focus();
    const onFocused = vi.fn();
    const { box } = show({ focusRequested: true, onFocused });
    expect(document.activeElement).toBe(box);
    expect(onFocused).toHaveBeenCalledOnce();
    openPanel(box);
    key(box.querySelector('[data-testid=caption-lines-input]')!, 'Escape');
    expect(panel(box)).toBeNull();
    expect(document.activeElement).toBe(box.querySelector('[data-testid=caption-settings]'));
    key(document.activeElement!, 'Escape');
    expect(document.activeElement).toBe(pageButton);
    pageButton.remove();
  });

  it('closes the panel when the session stops, the window is resized or fullscreen changes', () => {
    const { box, props } = show();
    openPanel(box);
    act(() => render(<CaptionsOverlay {...props} ended />, container));
    expect(panel(box)).toBeNull();
    act(() => render(<CaptionsOverlay {...props} />, container));
    for (const [target, type] of [[window, 'resize'], [document, 'fullscreenchange']] as const) {
      openPanel(box);
      act(() => {
        target.dispatchEvent(new Event(type));
      });
      expect(panel(box), type).toBeNull();
    }
  });

  it('without a place of the user\'s, sits above the controls of the playing video', () => {
    const video = document.createElement('video');
    document.body.append(video);
    Object.defineProperties(video, {
      paused: { value: false },
      readyState: { value: 4 },
      getBoundingClientRect: { value: () => ({ left: 40, top: 40, width: 960, height: 540, right: 1000, bottom: 580 }) },
    });
    try {
      const { box } = show({ placement: null });
      const bottom = parseFloat(box.style.top) + (box.offsetHeight || Math.round(24 * 1.35 * 3.6));
      expect(bottom).toBeLessThanOrEqual(580 - 64);
      expect(parseFloat(box.style.left) + parseFloat(box.style.width) / 2).toBeCloseTo(520, -1);
    } finally {
      video.remove();
    }
  });
});

describe('OverlayLiveRegion', () => {
  it('is a polite log with one paragraph per announcement', () => {
    act(() =>
      render(
        <OverlayLiveRegion
          announcements={[
            { id: 1, text: 'Speaker 1: hello' },
            { id: 2, text: '<img src=x>' },
          ]}
        />,
        container,
      ),
    );
    const region = container.querySelector('[data-testid=caption-live-region]')!;
    expect([region.getAttribute('role'), region.getAttribute('aria-live')]).toEqual(['log', 'polite']);
    expect([...region.querySelectorAll('p')].map((p) => p.textContent)).toEqual(['Speaker 1: hello', '<img src=x>']);
    expect(region.querySelector('img')).toBeNull();
  });
});
