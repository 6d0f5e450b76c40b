import { act, fireEvent, screen, waitFor, within } from '@testing-library/preact';
import type { ClientOptions } from '@threadline/core';
import { describe, expect, it, vi } from 'vitest';
import { createEmitter } from './emitter.js';
import type { PanelModule } from './panel/context.js';
import { axeViolations } from './test/axe.js';
import { createFakeClient, prompt, shownIds, type FakeClient } from './test/fake-client.js';
import { createWidget, type WidgetEventMap } from './widget.js';

function setup(options: Record<string, unknown> = {}) {
  const client = createFakeClient();
  const createClient = vi.fn((_options: ClientOptions) => client);
  let idle: (() => void) | null = null;
  const loadPanel = vi.fn(() => import('./panel/entry.js') as Promise<PanelModule>);
  const report = vi.fn();
  const events = createEmitter<WidgetEventMap>(() => {});
  // The launcher is plain DOM and subscribes as it mounts: no act() needed until the panel opens.
  const widget = createWidget(
    { appId: 'demo', serverUrl: 'http://localhost:3000', ...options },
    { createClient, loadPanel, events, report, schedule: (fn) => ((idle = fn), () => {}), pause: null },
  );
  const host = document.querySelector<HTMLElement>('[data-threadline]')!;
  const shadow = within(host.shadowRoot! as unknown as HTMLElement);
  return { widget, client: client as FakeClient, createClient, loadPanel, host, shadow, runIdle: () => idle?.(), report };
}

describe('widget', () => {
  it('mounts in steps that each wait for a pause: the client, the shadow root, then the launcher', async () => {
    const client = createFakeClient();
    const createClient = vi.fn((_options: ClientOptions) => client);
    const resumes: (() => void)[] = [];
    const pause = () => new Promise<void>((resolve) => resumes.push(resolve));
    const step = async () => {
      await vi.waitFor(() => expect(resumes).toHaveLength(1));
      resumes.shift()!();
      await new Promise((r) => setTimeout(r, 0));
    };
    const events = createEmitter<WidgetEventMap>(() => {});
    const widget = createWidget({ appId: 'demo', serverUrl: 'http://localhost:3000' }, { createClient, loadPanel: vi.fn(), events, report: vi.fn(), schedule: () => () => {}, pause });
    expect(createClient).not.toHaveBeenCalled();
    expect(document.querySelector('[data-threadline]')).toBeNull();
    await step();
    expect(createClient).toHaveBeenCalledOnce();
    expect(document.querySelector('[data-threadline]')).toBeNull();
    await step();
    const host = document.querySelector<HTMLElement>('[data-threadline]')!;
    expect(host.shadowRoot!.querySelector('button.launcher')).toBeNull();
    await step();
    expect(host.shadowRoot!.querySelector('button.launcher')).not.toBeNull();
    widget.destroy();
  });

  it('imports the panel in a task after the hover or click that asks for it, not in the input’s own task', async () => {
    const resumes: (() => void)[] = [];
    const pause = () => new Promise<void>((resolve) => resumes.push(resolve));
    const loadPanel = vi.fn(() => import('./panel/entry.js') as Promise<PanelModule>);
    const events = createEmitter<WidgetEventMap>(() => {});
    const widget = createWidget(
      { appId: 'demo', serverUrl: 'http://localhost:3000' },
      { createClient: () => createFakeClient(), loadPanel, events, report: vi.fn(), schedule: () => () => {}, pause },
    );
    const host = () => document.querySelector<HTMLElement>('[data-threadline]');
    const launcher = () => host()?.shadowRoot?.querySelector<HTMLButtonElement>('button.launcher');
    while (!launcher()) {
      await vi.waitFor(() => expect(resumes.length).toBeGreaterThan(0));
      resumes.shift()!();
      await new Promise((r) => setTimeout(r, 0));
    }
    fireEvent.pointerEnter(launcher()!);
    fireEvent.click(launcher()!);
    expect(loadPanel).not.toHaveBeenCalled();
    expect(resumes).toHaveLength(1);
    resumes.shift()!();
    await vi.waitFor(() => expect(loadPanel).toHaveBeenCalledOnce());
    widget.destroy();
  });

  it('creates the client at once for a method called before the mount’s first step, and only once', () => {
    const client = createFakeClient();
    const createClient = vi.fn((_options: ClientOptions) => client);
    const events = createEmitter<WidgetEventMap>(() => {});
    const widget = createWidget(
      { appId: 'demo', serverUrl: 'http://localhost:3000' },
      { createClient, loadPanel: vi.fn(), events, report: vi.fn(), schedule: () => () => {}, pause: () => new Promise(() => {}) },
    );
    widget.track('viewed');
    expect(createClient).toHaveBeenCalledOnce();
    expect(client.track).toHaveBeenCalledWith('viewed', undefined);
    expect(widget.client).toBe(client);
    expect(createClient).toHaveBeenCalledOnce();
    widget.destroy();
  });

  it('mounts in an element [data-threadline] with an open shadow root and its styles', () => {
    const { host } = setup();
    expect(host.shadowRoot).toBeTruthy();
    expect(host.shadowRoot!.mode).toBe('open');
    // jsdom has no constructable stylesheets, so this exercises the <style> fallback.
    const css = [...host.shadowRoot!.querySelectorAll('style')].map((s) => s.textContent).join('');
    expect(css).toContain('.launcher');
    expect(css).toContain(':host{--tl-brand:#2456d6;');
  });

  it('passes only the core’s options to the client and starts it when idle', () => {
    const { createClient, client, runIdle } = setup({ brandColor: '#0a7d45', locale: 'zh-TW', position: 'left' });
    const passed = createClient.mock.calls[0]![0];
    expect(passed).toMatchObject({ appId: 'demo', serverUrl: 'http://localhost:3000', locale: 'zh-TW' });
    expect(passed).not.toHaveProperty('brandColor');
    expect(passed.consent).toBe(false);
    expect(client.start).not.toHaveBeenCalled();
    runIdle();
    expect(client.start).toHaveBeenCalled();
  });

  it('waits for consent: no start at idle, but opening the panel starts the client', () => {
    const { client, runIdle, widget } = setup({ consent: false });
    runIdle();
    expect(client.start).not.toHaveBeenCalled();
    act(() => widget.open());
    expect(client.start).toHaveBeenCalled();
  });

  it('loads the panel on first open only, emits open and close, and Escape returns focus', async () => {
    const { shadow, loadPanel, widget, host } = setup();
    const onOpen = vi.fn();
    const onClose = vi.fn();
    widget.on('open', onOpen);
    widget.on('close', onClose);
    expect(loadPanel).not.toHaveBeenCalled();
    const launcher = shadow.getByRole('button', { name: 'Open messages' });
    fireEvent.click(launcher);
    await waitFor(() => expect(shadow.getByRole('dialog')).toBeTruthy());
    expect(onOpen).toHaveBeenCalledOnce();
    // Focus moves into the panel, on the message field (drawn in the slice after the shell).
    const box = await waitFor(() => shadow.getByRole('textbox', { name: 'Message' }));
    await waitFor(() => expect(host.shadowRoot!.activeElement).toBe(box));
    expect(document.activeElement).toBe(host);
    fireEvent.keyDown(box, { key: 'Escape' });
    await waitFor(() => expect(shadow.queryByRole('dialog')).toBeNull());
    expect(onClose).toHaveBeenCalledOnce();
    expect(host.shadowRoot!.activeElement).toBe(shadow.getByRole('button', { name: 'Open messages' }));
    fireEvent.click(shadow.getByRole('button', { name: 'Open messages' }));
    await waitFor(() => expect(shadow.getByRole('dialog')).toBeTruthy());
    expect(loadPanel).toHaveBeenCalledOnce();
  });

  it('shows the unread badge and a proactive toast; replying opens the panel on the prompt', async () => {
    const { client, shadow } = setup();
    act(() => client.set({ totalUnread: 2, proactive: [prompt()] }));
    expect(shadow.getByText('2')).toBeTruthy();
    // The toast's code is a chunk of its own, loaded for the first prompt; shown means on screen.
    await waitFor(() => expect(shadow.getByRole('status', { name: /^Message from/ })).toBeTruthy());
    expect(client.reportProactive).toHaveBeenCalledWith('p1', 'shown');
    act(() => client.set({ totalUnread: 3 }));
    expect(shownIds(client)).toHaveLength(1);
    fireEvent.click(shadow.getByRole('button', { name: 'Reply' }));
    expect(client.reportProactive).toHaveBeenCalledWith('p1', 'opened');
    await waitFor(() => expect(shadow.getByRole('dialog')).toBeTruthy());
    // The panel's body comes in the slices after its shell.
    await waitFor(() => expect(shadow.getAllByText('Need help choosing a size? We reply in minutes.').length).toBeGreaterThan(0));
  });

  it('opens the panel by itself for a prompt whose display hint is "open"', async () => {
    const { client, shadow, widget } = setup();
    const onProactive = vi.fn();
    widget.on('proactive', onProactive);
    const p = prompt({ display: 'open' });
    act(() => {
      client.set({ proactive: [p] });
      client.emit('proactive', { prompt: p });
    });
    expect(onProactive).toHaveBeenCalledWith({ prompt: p });
    await waitFor(() => expect(shadow.getByRole('dialog')).toBeTruthy());
  });

  it('forwards the core’s events to on() handlers', () => {
    const { client, widget } = setup();
    const seen: string[] = [];
    for (const name of ['ready', 'unreadChange', 'message', 'storageFallback', 'error'] as const) widget.on(name, () => seen.push(name));
    client.emit('ready', { snapshot: client.getSnapshot() });
    client.emit('unreadChange', { total: 1, byThread: { t1: 1 } });
    client.emit('storageFallback', { reason: 'unavailable', error: { code: 'storage_failed', message: '' } });
    client.emit('error', { code: 'network', message: 'lost' });
    expect(seen).toEqual(['ready', 'unreadChange', 'storageFallback', 'error']);
  });

  it('reports the page with update(), and identifies with attributes', () => {
    const { client, widget } = setup();
    widget.update({ cart: { value: 99, currency: 'EUR' } });
    expect(client.updateContext).toHaveBeenCalledWith({ cart: { value: 99, currency: 'EUR' }, page: expect.objectContaining({ url: 'http://localhost:3000/' }) });
    widget.identify({ userId: 'u1', userHash: 'h', attributes: { plan: 'gold' } });
    expect(client.identify).toHaveBeenCalledWith({ userId: 'u1', userHash: 'h' });
    expect(client.updateContext).toHaveBeenCalledWith({ attributes: { plan: 'gold' } });
  });

  it('shutdown removes the widget, erases drafts and shuts the client down', async () => {
    localStorage.setItem('threadline:demo:draft:t1', 'secret');
    const { widget, client } = setup();
    await widget.shutdown();
    expect(document.querySelector('[data-threadline]')).toBeNull();
    expect(localStorage.getItem('threadline:demo:draft:t1')).toBeNull();
    expect(client.shutdown).toHaveBeenCalled();
  });

  it('destroy removes the widget and keeps local data', () => {
    localStorage.setItem('threadline:demo:draft:t1', 'kept');
    const { widget, client } = setup();
    widget.destroy();
    expect(document.querySelector('[data-threadline]')).toBeNull();
    expect(client.destroy).toHaveBeenCalled();
    expect(localStorage.getItem('threadline:demo:draft:t1')).toBe('kept');
  });

  it('reuses an empty [data-threadline] element the page provides', () => {
    const mine = document.createElement('aside');
    mine.setAttribute('data-threadline', '');
    document.body.appendChild(mine);
    const { host } = setup();
    expect(host).toBe(mine);
  });

  it('has no axe violations on the launcher', async () => {
    const { host, client } = setup();
    act(() => client.set({ totalUnread: 3 }));
    expect(await axeViolations(host.shadowRoot!.querySelector('.root')!)).toEqual([]);
  });
});

describe('widget theme', () => {
  it('puts the launcher on the left and applies brand colour, offset and z-index', () => {
    const { host } = setup({ position: 'left', brandColor: '#0a7d45', offset: { x: 24, y: 96 }, zIndex: 50 });
    expect(host.shadowRoot!.querySelector('.root')!.classList.contains('left')).toBe(true);
    const css = [...host.shadowRoot!.querySelectorAll('style')].map((s) => s.textContent).join('');
    expect(css).toContain(':host{--tl-brand:#0a7d45;--tl-offset-x:24px;--tl-offset-y:96px;--tl-z:50}');
  });
});

describe('right-to-left languages', () => {
  const rootOf = (host: HTMLElement) => host.shadowRoot!.querySelector<HTMLElement>('.root')!;

  it('an Arabic widget is right to left with lang="ar", in Arabic from the launcher to the panel, and axe finds nothing', async () => {
    const { host, shadow, widget } = setup({ locale: 'ar', brandName: 'متجر الشمال' });
    const root = rootOf(host);
    expect(root.dir).toBe('rtl');
    expect(root.lang).toBe('ar');
    // The launcher stays in the page's right corner: the inline start of a right-to-left root.
    expect(root.classList.contains('left')).toBe(true);
    fireEvent.click(shadow.getByRole('button', { name: 'فتح الرسائل' }));
    // The Arabic words are a chunk of their own, loaded before the panel draws.
    const field = await waitFor(() => shadow.getByRole('textbox', { name: 'رسالة' }));
    expect(field.getAttribute('dir')).toBe('auto');
    expect(shadow.getByRole('heading', { name: 'متجر الشمال' }).firstElementChild?.tagName).toBe('BDI');
    expect(await axeViolations(root)).toEqual([]);
    widget.destroy();
  });

  it('a right-to-left page moves the corner, not the text direction of an English widget', () => {
    document.documentElement.dir = 'rtl';
    try {
      const { host, widget } = setup({ locale: 'en' });
      expect(rootOf(host).dir).toBe('ltr');
      expect(rootOf(host).lang).toBe('en');
      expect(rootOf(host).classList.contains('left')).toBe(true);
      widget.destroy();
      const hebrew = setup({ locale: 'he' });
      expect(rootOf(hebrew.host).dir).toBe('rtl');
      // Right to left on both sides: position 'right' is the inline end, as on a left-to-right page.
      expect(rootOf(hebrew.host).classList.contains('left')).toBe(false);
      hebrew.widget.destroy();
    } finally {
      document.documentElement.dir = '';
    }
  });
});
