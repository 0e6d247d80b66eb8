// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { relayFullscreenPresses } from '@/lib/overlay/fullscreen-presses';
import { followPointer } from '@/lib/overlay/pointer-drag';

/** The box at 400..800 x 500..580, its grip along the right edge; a fullscreen <video> below it. */
let video: HTMLVideoElement;
let host: HTMLElement;
let box: HTMLElement;
let grip: HTMLElement;
let fullscreen: Element | null;
let stop: (() => void) | undefined;
let pageSaw: string[];

function placeAt(element: Element, left: number, top: number, width: number, height: number): void {
  element.getBoundingClientRect = () => DOMRect.fromRect({ x: left, y: top, width, height });
}

beforeEach(() => {
  video = document.createElement('video');
  host = document.createElement('div');
  // Closed, as the content script mounts it (entrypoints/captions.content/mount.tsx).
  const shadow = host.attachShadow({ mode: 'closed' });
  box = document.createElement('div');
  grip = document.createElement('div');
  grip.className = 'grip';
  box.append(grip);
  shadow.append(box);
  document.body.append(video, host);
  placeAt(box, 400, 500, 400, 80);
  placeAt(grip, 796, 500, 12, 80);
  fullscreen = video;
  Object.defineProperty(document, 'fullscreenElement', { configurable: true, get: () => fullscreen });
  pageSaw = [];
  for (const type of ['pointerdown', 'pointermove', 'pointerup', 'click', 'dblclick']) video.addEventListener(type, () => pageSaw.push(type));
});
afterEach(() => {
  stop?.();
  document.body.replaceChildren();
});

const pointer = (type: string, x: number, y: number, button = 0) =>
  new PointerEvent(type, { clientX: x, clientY: y, button, pointerId: 1, bubbles: true, composed: true, cancelable: true });
const mouse = (type: string, x: number, y: number) => new MouseEvent(type, { clientX: x, clientY: y, bubbles: true, composed: true, cancelable: true });

describe('relayFullscreenPresses', () => {
  it('gives the box a press the fullscreen video got at the box, and keeps it and its click from the page', () => {
    const onPress = vi.fn();
    stop = relayFullscreenPresses(window, () => box, onPress);
    const down = pointer('pointerdown', 600, 540);
    video.dispatchEvent(down);
    expect(onPress).toHaveBeenCalledWith(down, box);
    expect(down.defaultPrevented).toBe(true);
    // The click that ends the press lands wherever the drag ended; it is still the box's.
    video.dispatchEvent(mouse('click', 100, 100));
    expect(pageSaw).toEqual([]);
  });

  it('names the grip when the press is on it (a resize)', () => {
    const onPress = vi.fn();
    stop = relayFullscreenPresses(window, () => box, onPress);
    video.dispatchEvent(pointer('pointerdown', 800, 540));
    expect(onPress.mock.calls[0]?.[1]).toBe(grip);
  });

  it('keeps a double click on the box from the video (it would leave fullscreen)', () => {
    stop = relayFullscreenPresses(window, () => box, vi.fn());
    video.dispatchEvent(mouse('dblclick', 600, 540));
    expect(pageSaw).toEqual([]);
  });

  it('leaves the page everything away from the box, without fullscreen, and other buttons', () => {
    const onPress = vi.fn();
    stop = relayFullscreenPresses(window, () => box, onPress);
    video.dispatchEvent(pointer('pointerdown', 100, 100));
    video.dispatchEvent(mouse('click', 100, 100));
    video.dispatchEvent(pointer('pointerdown', 600, 540, 2));
    fullscreen = null;
    video.dispatchEvent(pointer('pointerdown', 600, 540));
    video.dispatchEvent(mouse('click', 600, 540));
    expect(onPress).not.toHaveBeenCalled();
    expect(pageSaw).toEqual(['pointerdown', 'click', 'pointerdown', 'pointerdown', 'click']);
  });

  it('leaves alone a press the box got itself (fullscreen elements that hold the overlay)', () => {
    const onPress = vi.fn();
    fullscreen = document.body;
    stop = relayFullscreenPresses(window, () => box, onPress);
    box.dispatchEvent(pointer('pointerdown', 600, 540));
    expect(onPress).not.toHaveBeenCalled();
  });

  it("leaves alone a press the box got itself, though the window sees it as a press on the closed root's host", () => {
    // In Chromium a window listener's composedPath() leaves out the nodes inside a closed shadow
    // root: a press on the box reads as one on its host. (happy-dom lists them all, so the event
    // is dispatched on the host to give the path Chromium gives.)
    const onPress = vi.fn();
    fullscreen = document.body;
    stop = relayFullscreenPresses(window, () => box, onPress);
    const down = pointer('pointerdown', 600, 540);
    host.dispatchEvent(down);
    expect(onPress).not.toHaveBeenCalled();
    expect(down.defaultPrevented).toBe(false);
  });

  it('stops when asked', () => {
    const onPress = vi.fn();
    relayFullscreenPresses(window, () => box, onPress)();
    video.dispatchEvent(pointer('pointerdown', 600, 540));
    expect(onPress).not.toHaveBeenCalled();
    expect(pageSaw).toEqual(['pointerdown']);
  });
});

describe('followPointer, relayed', () => {
  it('takes the moves and the release from the window before the page sees them', () => {
    const move = vi.fn();
    const end = vi.fn();
    const down = pointer('pointerdown', 600, 540);
    followPointer(down, box, { move, end }, true);
    video.dispatchEvent(pointer('pointermove', 550, 440));
    video.dispatchEvent(pointer('pointerup', 500, 400));
    expect(move).toHaveBeenCalledWith(-50, -100);
    expect(end).toHaveBeenCalledWith(-50, -100, true);
    expect(pageSaw).toEqual([]);
    // Over: later moves are the page's again.
    video.dispatchEvent(pointer('pointermove', 10, 10));
    expect(move).toHaveBeenCalledTimes(1);
    expect(pageSaw).toEqual(['pointermove']);
  });
});
