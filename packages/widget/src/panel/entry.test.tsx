import { act, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createUiStore } from '../state/ui.js';
import { createFakeClient } from '../test/fake-client.js';
import type { PanelInit } from './context.js';
import { renderPanel } from './entry.js';

function init(over: Partial<PanelInit> = {}): PanelInit {
  const ui = createUiStore();
  ui.dispatch({ type: 'open' });
  return { client: createFakeClient(), ui, locale: 'en', appId: `test-${Math.random()}`, addStyles: () => () => {}, close: vi.fn(), recorder: undefined, ...over };
}

function mount(over: Partial<PanelInit> = {}) {
  const container = document.body.appendChild(document.createElement('div'));
  const unmount = renderPanel(container, init(over));
  return { container, unmount, view: within(container) };
}

afterEach(() => {
  vi.unstubAllGlobals();
  document.body.replaceChildren();
});

describe('renderPanel', () => {
  it('draws nothing in the call itself: the styles now, the panel in later tasks', async () => {
    const addStyles = vi.fn(() => () => {});
    const { container, view, unmount } = mount({ addStyles });
    expect(addStyles).toHaveBeenCalled();
    expect(container.childElementCount).toBe(0);
    await waitFor(() => expect(view.getByRole('dialog')).toBeTruthy());
    await waitFor(() => expect(view.getByRole('textbox', { name: 'Message' })).toBeTruthy());
    act(() => unmount());
    expect(container.childElementCount).toBe(0);
  });

  it('draws nothing once unmounted before its slices have run', async () => {
    const early = mount();
    early.unmount();
    // Slices run in order: by the time a panel mounted after it is drawn, the first one's have run.
    const later = mount();
    await waitFor(() => expect(later.view.getByRole('dialog')).toBeTruthy());
    expect(early.container.childElementCount).toBe(0);
    act(() => later.unmount());
  });

  it('reads from the browser in a task of its own before the first render: the drafts’ storage and the pointer’s kind', async () => {
    const container = document.body.appendChild(document.createElement('div'));
    const drawnAt: Record<string, number> = {};
    const getItem = vi.spyOn(Storage.prototype, 'getItem').mockImplementation(function (this: Storage) {
      drawnAt.storage ??= container.childElementCount;
      return null;
    });
    const matchMedia = vi.fn((query: string) => {
      drawnAt.pointer ??= container.childElementCount;
      const list = { matches: query === '(pointer: coarse)', media: query, onchange: null, addEventListener() {}, removeEventListener() {}, addListener() {}, removeListener() {} };
      return list as unknown as MediaQueryList;
    });
    vi.stubGlobal('matchMedia', matchMedia);
    const unmount = renderPanel(container, init());
    const view = within(container);
    // A touch screen: the camera is offered and the field is not focused (no keyboard popping up).
    await waitFor(() => expect(view.getByRole('button', { name: 'Take a photo' })).toBeTruthy());
    await waitFor(() => expect(document.activeElement).toBe(view.getByRole('dialog')));
    expect(drawnAt).toEqual({ storage: 0, pointer: 0 });
    expect(matchMedia.mock.calls.filter(([q]) => q === '(pointer: coarse)')).toHaveLength(1);
    getItem.mockRestore();
    act(() => unmount());
  });
});
