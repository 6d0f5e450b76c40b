// @testing-library/preact re-exports @testing-library/dom's queries and events; no Preact here.
import { fireEvent, screen } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { LAUNCHER_STRINGS } from '../i18n/launcher-strings.js';
import { createUiStore } from '../state/ui.js';
import { createFakeClient, prompt, shownIds } from '../test/fake-client.js';
import { createLauncherRoot } from './launcher-root.js';
import * as toastModule from './toast.js';

function setup(over: Partial<Parameters<typeof createLauncherRoot>[1]> = {}) {
  const client = createFakeClient();
  const ui = createUiStore();
  const container = document.body.appendChild(document.createElement('div'));
  const onIntent = vi.fn();
  const onToggle = vi.fn(() => ui.dispatch({ type: ui.getSnapshot().open ? 'close' : 'open' }));
  // The toast's module handed over synchronously: these tests are about what is shown, not loading.
  const root = createLauncherRoot(container, { client, ui, strings: LAUNCHER_STRINGS.en, locale: 'en', brandName: 'Acme', onIntent, onToggle, loadToast: () => toastModule, ...over });
  return { client, ui, container, root, onIntent, onToggle };
}

describe('launcher root', () => {
  it('puts the toast above the launcher in one corner box', () => {
    const { client, root, container } = setup();
    client.set({ proactive: [prompt()] });
    expect(container.firstElementChild).toBe(root.corner);
    expect([...root.corner.children].map((el) => el.className)).toEqual(['toast', 'launcher-wrap']);
    expect(root.button).toBe(screen.getByRole('button', { name: 'Open messages' }));
  });

  it('shows the unread count from the client while the panel is closed', () => {
    const { client, ui, container } = setup();
    client.set({ totalUnread: 2 });
    expect(container.querySelector('.badge')?.textContent).toBe('2');
    expect(container.querySelector('#tl-unread')?.textContent).toBe('2 unread');
    ui.dispatch({ type: 'open' });
    expect(container.querySelector('.badge')).toBeNull();
    expect(screen.getByRole('button', { name: 'Close messages' }).getAttribute('aria-expanded')).toBe('true');
  });

  it('toggles and reports the intent to open through its props', () => {
    const { onIntent, onToggle } = setup();
    fireEvent.focus(screen.getByRole('button', { name: 'Open messages' }));
    expect(onIntent).toHaveBeenCalledOnce();
    fireEvent.click(screen.getByRole('button', { name: 'Open messages' }));
    expect(onToggle).toHaveBeenCalledOnce();
  });

  it('shows the first toast prompt, named after its author or the brand, and never an "open" prompt', () => {
    const { client } = setup({ brandAvatarUrl: 'https://cdn.example/acme.png' });
    client.set({ proactive: [prompt({ id: 'p0', display: 'open' }), prompt({ author: { kind: 'bot' } })] });
    const toast = screen.getByRole('status', { name: 'Message from Acme' });
    expect(toast.querySelector('img.avatar')?.getAttribute('src')).toBe('https://cdn.example/acme.png');
    client.set({ proactive: [prompt({ id: 'p0', display: 'open' })] });
    expect(screen.queryByRole('status')).toBeNull();
  });

  it('hides the toast while the panel is open and brings it back on close', () => {
    const { client, ui } = setup();
    client.set({ proactive: [prompt()] });
    ui.dispatch({ type: 'open' });
    expect(screen.queryByRole('status')).toBeNull();
    ui.dispatch({ type: 'close' });
    expect(screen.getByRole('status', { name: 'Message from Mia' })).toBeTruthy();
  });

  it('marks a prompt shown once, when it is on screen with the panel closed', () => {
    const { client, ui } = setup();
    ui.dispatch({ type: 'open' });
    client.set({ proactive: [prompt()] });
    expect(shownIds(client)).toEqual([]);
    ui.dispatch({ type: 'close' });
    expect(client.reportProactive).toHaveBeenCalledWith('p1', 'shown');
    client.set({ proactive: [prompt({ shown: true })], totalUnread: 1 });
    ui.dispatch({ type: 'open' });
    ui.dispatch({ type: 'close' });
    expect(shownIds(client)).toHaveLength(1);
    client.set({ proactive: [prompt({ id: 'p2' })] });
    expect(shownIds(client).at(-1)).toBe('p2');
  });

  it('marks a prompt already waiting at mount', () => {
    const client = createFakeClient({ proactive: [prompt()] });
    const container = document.body.appendChild(document.createElement('div'));
    createLauncherRoot(container, { client, ui: createUiStore(), strings: LAUNCHER_STRINGS.en, locale: 'en', brandName: 'Acme', onIntent() {}, onToggle() {}, loadToast: () => toastModule });
    expect(client.reportProactive).toHaveBeenCalledWith('p1', 'shown');
  });

  it('dismisses a prompt through the client', () => {
    const { client } = setup();
    client.set({ proactive: [prompt()] });
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(client.reportProactive).toHaveBeenCalledWith('p1', 'dismissed');
  });

  it('answers "Reply" by opening the panel on a new conversation for the prompt', () => {
    const { client, ui } = setup();
    client.set({ proactive: [prompt()] });
    fireEvent.click(screen.getByRole('button', { name: 'Reply' }));
    expect(client.reportProactive).toHaveBeenCalledWith('p1', 'opened');
    expect(client.replyProactive).not.toHaveBeenCalled();
    expect(ui.getSnapshot()).toMatchObject({ open: true, route: { name: 'compose', promptId: 'p1' } });
  });

  it('sends a quick reply and opens the panel on its thread', () => {
    const { client, ui } = setup();
    client.set({ proactive: [prompt({ quickReplies: [{ label: 'Yes please' }] })] });
    fireEvent.click(screen.getByRole('button', { name: 'Yes please' }));
    expect(client.reportProactive).toHaveBeenCalledWith('p1', 'opened');
    expect(client.replyProactive).toHaveBeenCalledWith('p1', { text: 'Yes please', quickReply: 'Yes please' });
    expect(ui.getSnapshot()).toMatchObject({ open: true, route: { name: 'thread', threadId: 't-from-prompt' } });
  });

  it('falls back to a new conversation when the quick reply could not be queued', () => {
    const { client, ui } = setup();
    vi.mocked(client.replyProactive).mockReturnValueOnce(null);
    client.set({ proactive: [prompt({ quickReplies: [{ label: 'Yes please' }] })] });
    fireEvent.click(screen.getByRole('button', { name: 'Yes please' }));
    expect(ui.getSnapshot()).toMatchObject({ open: true, route: { name: 'compose', promptId: 'p1' } });
  });

  it('leaves the DOM alone when nothing it shows has changed', () => {
    const { client, container } = setup();
    client.set({ proactive: [prompt()], totalUnread: 1 });
    const seen: MutationRecord[] = [];
    const observer = new MutationObserver((records) => seen.push(...records));
    observer.observe(container, { subtree: true, childList: true, attributes: true, characterData: true });
    client.set({ typing: { t1: { author: { kind: 'agent', name: 'Mia' }, until: 0 } } });
    client.set({ proactive: [prompt({ shown: true })] });
    seen.push(...observer.takeRecords());
    observer.disconnect();
    expect(seen).toEqual([]);
  });

  it('destroy unsubscribes and removes every node', () => {
    const { client, ui, root, container } = setup();
    client.set({ proactive: [prompt()], totalUnread: 3 });
    root.destroy();
    expect(container.innerHTML).toBe('');
    client.set({ proactive: [prompt({ id: 'p2' })], totalUnread: 4 });
    ui.dispatch({ type: 'open' });
    expect(container.innerHTML).toBe('');
    expect(shownIds(client)).toHaveLength(1);
  });

  describe('loading the toast on demand', () => {
    const deferred = () => {
      let resolve!: (m: typeof toastModule) => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<typeof toastModule>((res, rej) => ((resolve = res), (reject = rej)));
      return { promise, resolve, reject };
    };

    it('loads the toast for the first prompt only, adds its styles once and counts it shown once it is on screen', async () => {
      const load = deferred();
      const loadToast = vi.fn(() => load.promise);
      const addStyles = vi.fn();
      const { client } = setup({ loadToast, addStyles });
      expect(loadToast).not.toHaveBeenCalled();
      client.set({ proactive: [prompt()] });
      client.set({ totalUnread: 1 });
      expect(loadToast).toHaveBeenCalledOnce();
      expect(screen.queryByRole('status')).toBeNull();
      expect(shownIds(client)).toEqual([]);
      load.resolve(toastModule);
      await screen.findByRole('status', { name: /^Message from/ });
      expect(shownIds(client)).toEqual(['p1']);
      expect(addStyles).toHaveBeenCalledExactlyOnceWith(toastModule.toastCss);
      client.set({ proactive: [] });
      client.set({ proactive: [prompt({ id: 'p2' })] });
      expect(loadToast).toHaveBeenCalledOnce();
      expect(screen.getByRole('status')).toBeTruthy();
    });

    it('reports a toast that cannot be loaded and tries again when the prompts change', async () => {
      const first = deferred();
      const loadToast = vi.fn().mockReturnValueOnce(first.promise).mockResolvedValue(toastModule);
      const onError = vi.fn();
      const { client } = setup({ loadToast, onError });
      client.set({ proactive: [prompt()] });
      first.reject(new Error('chunk failed'));
      await vi.waitFor(() => expect(onError).toHaveBeenCalledOnce());
      expect(shownIds(client)).toEqual([]);
      client.set({ proactive: [prompt({ id: 'p2' })] });
      await screen.findByRole('status');
      expect(loadToast).toHaveBeenCalledTimes(2);
      expect(shownIds(client)).toEqual(['p2']);
    });

    it('shows nothing when the toast arrives after destroy', async () => {
      const load = deferred();
      const { client, root, container } = setup({ loadToast: () => load.promise });
      client.set({ proactive: [prompt()] });
      root.destroy();
      load.resolve(toastModule);
      await load.promise;
      await Promise.resolve();
      expect(container.childElementCount).toBe(0);
      expect(shownIds(client)).toEqual([]);
    });
  });
});
