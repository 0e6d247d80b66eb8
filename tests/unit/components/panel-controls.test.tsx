// @vitest-environment happy-dom
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { closeMenus, dismissMenusOnOutsideAction, PanelExportMenu } from '@/components/panel-export-menu';
import { PanelHistory } from '@/components/panel-history';
import { PanelSearch } from '@/components/panel-search';
import { PanelSpeakers } from '@/components/panel-speakers';
import { EMPTY_HISTORY, type SessionHistory, type SessionSummary } from '@/lib/views/session-history';

// In unit tests t() has no browser messages and answers with the key (and its arguments).
let root: HTMLElement;
beforeEach(() => {
  // Dates follow the UI language; pinned so the test does not depend on the machine's.
  Object.assign(fakeBrowser.i18n, { getUILanguage: () => 'en-US' });
  root = document.createElement('div');
  document.body.append(root);
});
afterEach(() => {
  render(null, root);
  root.remove();
});

const key = (target: Element, init: KeyboardEventInit) => {
  act(() => {
    target.dispatchEvent(new KeyboardEvent('keydown', { bubbles: true, cancelable: true, ...init }));
  });
};

describe('PanelSearch', () => {
  it('shows "n of N", and Enter / Shift+Enter / the buttons step through matches', () => {
    const onStep = vi.fn<(direction: 1 | -1) => void>();
    act(() => render(<PanelSearch query="budget" count={5} current={1} onQuery={() => undefined} onStep={onStep} />, root));
    expect(root.querySelector('[data-testid=search-count]')?.textContent).toBe('panelSearchCount(2, 5)');
    const input = root.querySelector<HTMLInputElement>('[data-testid=search]')!;
    key(input, { key: 'Enter' });
    key(input, { key: 'Enter', shiftKey: true });
    act(() => root.querySelector<HTMLButtonElement>('[data-testid=search-previous]')!.click());
    act(() => root.querySelector<HTMLButtonElement>('[data-testid=search-next]')!.click());
    expect(onStep.mock.calls.map((c) => c[0])).toEqual([1, -1, -1, 1]);
  });

  it('says there are no matches, disables the buttons, and Escape clears the query', () => {
    const onQuery = vi.fn();
    act(() => render(<PanelSearch query="zzz" count={0} current={-1} onQuery={onQuery} onStep={() => undefined} />, root));
    expect(root.querySelector('[data-testid=search-count]')?.textContent).toBe('panelSearchNone');
    expect(root.querySelector<HTMLButtonElement>('[data-testid=search-next]')!.disabled).toBe(true);
    key(root.querySelector('[data-testid=search]')!, { key: 'Escape' });
    expect(onQuery).toHaveBeenCalledWith('');
  });
});

describe('PanelSpeakers', () => {
  it('lists speakers by name and renames one through its form (Enter saves)', () => {
    const onRename = vi.fn();
    let editing: number | null = null;
    const draw = () =>
      render(
        <PanelSpeakers
          speakers={[0, 1]}
          names={{ 1: 'Lee' }}
          theme="light"
          editing={editing}
          onEdit={(speaker) => {
            editing = speaker;
            draw();
          }}
          onRename={onRename}
          canRename
        />,
        root,
      );
    act(draw);
    expect([...root.querySelectorAll('[data-testid=speaker-name]')].map((n) => n.textContent)).toEqual(['Speaker 1', 'Lee']);
    act(() => root.querySelector<HTMLButtonElement>('[data-testid=rename-speaker][data-speaker="0"]')!.click());
    const input = root.querySelector<HTMLInputElement>('[data-testid=speaker-name-input]')!;
    expect(document.activeElement).toBe(input);
    act(() => {
      input.value = '  Dana  ';
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    act(() => root.querySelector<HTMLFormElement>('[data-testid=rename-form]')!.requestSubmit());
    expect(onRename).toHaveBeenCalledWith(0, '  Dana  ');
    expect(root.querySelector('[data-testid=rename-form]')).toBeNull();
  });

  it('cancels with Escape, and cannot rename without a session', () => {
    const onEdit = vi.fn();
    act(() => render(<PanelSpeakers speakers={[0]} names={{}} theme="dark" editing={0} onEdit={onEdit} onRename={() => undefined} canRename />, root));
    key(root.querySelector('[data-testid=speaker-name-input]')!, { key: 'Escape' });
    expect(onEdit).toHaveBeenCalledWith(null);
    act(() => render(<PanelSpeakers speakers={[0]} names={{}} theme="dark" editing={null} onEdit={onEdit} onRename={() => undefined} canRename={false} />, root));
    expect(root.querySelector<HTMLButtonElement>('[data-testid=rename-speaker]')!.disabled).toBe(true);
  });
});

describe('PanelExportMenu and menus', () => {
  it('offers the five formats and reports the one chosen', () => {
    const onExport = vi.fn();
    act(() => render(<PanelExportMenu onExport={onExport} />, root));
    const buttons = [...root.querySelectorAll<HTMLButtonElement>('.menu-item')];
    expect(buttons.map((b) => b.dataset.testid)).toEqual(['export-txt', 'export-md', 'export-srt', 'export-vtt', 'export-json']);
    act(() => buttons[3]!.click());
    expect(onExport).toHaveBeenCalledWith('vtt');
  });

  it('closes open menus on Escape and on a press outside them', () => {
    act(() => render(<PanelExportMenu onExport={() => undefined} />, root));
    const menu = root.querySelector<HTMLDetailsElement>('details.menu')!;
    const stop = dismissMenusOnOutsideAction(document);
    try {
      menu.open = true;
      key(document.body, { key: 'Escape' });
      expect(menu.open).toBe(false);
      menu.open = true;
      act(() => {
        document.body.dispatchEvent(new Event('pointerdown', { bubbles: true }));
      });
      expect(menu.open).toBe(false);
      menu.open = true;
      closeMenus(menu);
      expect(menu.open).toBe(true);
    } finally {
      stop();
    }
  });
});

describe('PanelHistory', () => {
  const summary = (id: string, title: string): SessionSummary => ({
    id,
    startedAt: new Date(2026, 10, 25, 14, 3).getTime(),
    endedAt: null,
    title,
    url: 'https://meet.example',
    durationSeconds: 3725,
    wordCount: 9000,
    preview: 'Good morning everyone',
  });

  function fakeHistory(sessions: SessionSummary[]): SessionHistory & { deleted: string[] } {
    const deleted: string[] = [];
    return {
      ...EMPTY_HISTORY,
      deleted,
      listSessions: async () => sessions.filter((s) => !deleted.includes(s.id)),
      loadSession: async () => null,
      deleteSession: async (id) => {
        deleted.push(id);
      },
    };
  }

  const settle = () => act(async () => new Promise((r) => setTimeout(r, 0)));

  it('lists each session with its page, date, length and words, and opens one', async () => {
    const onOpen = vi.fn();
    act(() => render(<PanelHistory history={fakeHistory([summary('a', 'Weekly sync'), summary('b', '')])} onOpen={onOpen} onExport={() => undefined} />, root));
    await settle();
    const items = [...root.querySelectorAll('[data-testid=history-item]')];
    expect(items).toHaveLength(2);
    expect(items[0]!.textContent).toContain('Weekly sync');
    // The date as the UI language writes it (Intl), not hand-made digits.
    expect(items[0]!.textContent.replace(/\u202f/g, ' ')).toContain('Nov 25, 2026, 2:03 PM');
    expect(items[0]!.textContent).toContain('1:02:05');
    expect(items[0]!.textContent).toContain('panelHistoryWords(9000)');
    expect(items[1]!.textContent).toContain('panelHistoryUntitled');
    act(() => items[0]!.querySelector<HTMLButtonElement>('[data-testid=history-open]')!.click());
    expect(onOpen).toHaveBeenCalledWith(expect.objectContaining({ id: 'a' }));
  });

  it('deletes a session only after confirming, then shows the list without it', async () => {
    const history = fakeHistory([summary('a', 'Weekly sync')]);
    const onDeleted = vi.fn();
    act(() => render(<PanelHistory history={history} onOpen={() => undefined} onExport={() => undefined} onDeleted={onDeleted} />, root));
    await settle();
    act(() => root.querySelector<HTMLButtonElement>('[data-testid=history-delete]')!.click());
    expect(history.deleted).toEqual([]);
    act(() => root.querySelector<HTMLButtonElement>('[data-testid=history-delete-confirm]')!.click());
    await settle();
    expect(history.deleted).toEqual(['a']);
    expect(onDeleted).toHaveBeenCalledTimes(1);
    expect(root.querySelector('[data-testid=history-empty]')).not.toBeNull();
  });

  it('says so when the saved sessions cannot be read', async () => {
    const broken: SessionHistory = { ...fakeHistory([]), listSessions: () => Promise.reject(new Error('IndexedDB is closed')) };
    act(() => render(<PanelHistory history={broken} onOpen={() => undefined} onExport={() => undefined} />, root));
    await settle();
    expect(root.textContent).toBe('panelHistoryFailed(IndexedDB is closed)');
  });
});
