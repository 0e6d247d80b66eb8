// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { followFullscreen, fullscreenMode } from '@/lib/overlay/fullscreen-follower';

let fullscreenElement: Element | null = null;
Object.defineProperty(document, 'fullscreenElement', { configurable: true, get: () => fullscreenElement });

function enterFullscreen(element: Element | null) {
  fullscreenElement = element;
  document.dispatchEvent(new Event('fullscreenchange'));
}

afterEach(() => {
  fullscreenElement = null;
  document.body.replaceChildren();
  hosts.forEach((el) => el.remove());
  hosts.length = 0;
});

/** Hosts appended to <html>, as the content script's is (entrypoints/captions.content/mount.tsx). */
const hosts: HTMLElement[] = [];

function setup() {
  const host = document.createElement('div');
  hosts.push(host);
  document.documentElement.append(host);
  const stop = followFullscreen(host, document);
  return { host, stop };
}

describe('fullscreenMode', () => {
  it('moves inside elements that draw their children, and uses the top layer for the rest', () => {
    expect(fullscreenMode(null)).toBe('none');
    expect(fullscreenMode(document.createElement('div'))).toBe('inside');
    expect(fullscreenMode(document.createElement('section'))).toBe('inside');
    for (const tag of ['video', 'iframe', 'canvas', 'img']) expect(fullscreenMode(document.createElement(tag))).toBe('top-layer');
  });
});

describe('followFullscreen', () => {
  it('moves the host into the fullscreen element and back to <html> afterwards', () => {
    const { host, stop } = setup();
    const player = document.createElement('div');
    document.body.append(player);
    enterFullscreen(player);
    expect(host.parentElement).toBe(player);
    enterFullscreen(null);
    expect(host.parentElement).toBe(document.documentElement);
    stop();
  });

  it('shows the host as a manual popover over a fullscreen <video>, and closes it after', () => {
    const { host, stop } = setup();
    let open = false;
    const show = vi.fn(() => (open = true));
    const hide = vi.fn(() => (open = false));
    Object.assign(host, { showPopover: show, hidePopover: hide });
    const matches = host.matches.bind(host);
    host.matches = (selector: string) => (selector === ':popover-open' ? open : matches(selector));
    const video = document.createElement('video');
    document.body.append(video);
    enterFullscreen(video);
    expect(host.parentElement).toBe(document.documentElement);
    expect(host.getAttribute('popover')).toBe('manual');
    expect(show).toHaveBeenCalledOnce();
    enterFullscreen(null);
    expect(hide).toHaveBeenCalledOnce();
    expect(host.hasAttribute('popover')).toBe(false);
    stop();
  });

  it('stops following when asked, putting the host back home', () => {
    const { host, stop } = setup();
    const player = document.createElement('div');
    document.body.append(player);
    enterFullscreen(player);
    stop();
    expect(host.parentElement).toBe(document.documentElement);
    const other = document.createElement('div');
    document.body.append(other);
    enterFullscreen(other);
    expect(host.parentElement).toBe(document.documentElement);
  });
});
