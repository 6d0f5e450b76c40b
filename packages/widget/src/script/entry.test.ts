import { waitFor } from '@testing-library/preact';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createFakeClient } from '../test/fake-client.js';
import { installBootstrap, type MainModule } from './bootstrap.js';

const client = createFakeClient();
vi.mock('@threadline/core/bare', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@threadline/core/bare')>()),
  createBareClient: vi.fn(() => client),
  lazyTransport: vi.fn(() => () => ({})),
}));

type Api = ((...args: unknown[]) => void) & { q?: unknown[][]; loaded?: true };
const win = window as unknown as { Threadline?: Api; requestIdleCallback?: unknown };

beforeEach(() => {
  vi.resetModules();
  delete win.Threadline;
});

/** The inline snippet from the docs, as a page would run it. */
function snippet(): Api {
  win.Threadline =
    win.Threadline ||
    function (...args: unknown[]) {
      // eslint-disable-next-line prefer-rest-params
      (win.Threadline!.q = win.Threadline!.q || []).push(args);
    };
  return win.Threadline;
}

/** What threadline.js does, with the main module imported from source instead of a URL. */
async function loadBundle(): Promise<void> {
  let loaded!: Promise<MainModule>;
  installBootstrap(win, () => (loaded = import('./main.js')));
  await loaded;
}

describe('script-tag bundle', () => {
  it('replays the queued calls in order once the browser is idle, and runs later calls directly', async () => {
    let idle: (() => void) | null = null;
    win.requestIdleCallback = (fn: () => void) => ((idle = fn), 1);
    const T = snippet();
    const opened = vi.fn();
    T('on', 'open', opened);
    T('boot', { appId: 'demo', serverUrl: 'http://localhost:3000' });
    T('open');
    await loadBundle();
    expect(win.Threadline!.loaded).toBe(true);
    // Nothing is mounted before idle.
    expect(document.querySelector('[data-threadline]')).toBeNull();
    win.Threadline!('track', 'after_load');
    idle!();
    // The mount's steps run in tasks of their own, after the idle callback.
    await waitFor(() => expect(document.querySelector('[data-threadline]')?.shadowRoot?.querySelector('button.launcher')).toBeTruthy());
    expect(opened).toHaveBeenCalledOnce();
    expect(client.track).toHaveBeenCalledWith('after_load', undefined);
    // `open` was queued: the panel chunk is imported and drawn in the shadow root.
    const shadow = document.querySelector('[data-threadline]')!.shadowRoot!;
    await waitFor(() => expect(shadow.querySelector('section.panel[role="dialog"]')).not.toBeNull());
    delete win.requestIdleCallback;
  });

  it('keeps the order of calls the page makes while the queued ones are still running', async () => {
    let idle: (() => void) | null = null;
    win.requestIdleCallback = (fn: () => void) => ((idle = fn), 1);
    vi.mocked(client.track).mockClear();
    const T = snippet();
    T('boot', { appId: 'demo', serverUrl: 'http://localhost:3000' });
    T('track', 'queued_1');
    T('track', 'queued_2');
    await loadBundle();
    idle!();
    // The queued calls run one per task: this one comes while they are running.
    win.Threadline!('track', 'later');
    await waitFor(() => expect(client.track).toHaveBeenCalledTimes(3));
    expect(vi.mocked(client.track).mock.calls.map((c) => c[0])).toEqual(['queued_1', 'queued_2', 'later']);
    delete win.requestIdleCallback;
  });

  it('reports a bad call from the queue without throwing into the page', async () => {
    win.requestIdleCallback = (fn: () => void) => (fn(), 1);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const T = snippet();
    T('frobnicate');
    T('boot', { appId: 'demo' });
    await loadBundle();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('unknown command "frobnicate"'));
    // The queued calls run one per task.
    await waitFor(() => expect(warn).toHaveBeenCalledWith(expect.stringContaining('serverUrl')));
    expect(document.querySelector('[data-threadline]')).toBeNull();
    warn.mockRestore();
    delete win.requestIdleCallback;
  });
});

describe('bootstrap', () => {
  it('keeps the queue and warns when the widget cannot be loaded, and retries on the next call', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const T = snippet();
    T('boot', { appId: 'demo', serverUrl: 'http://localhost:3000' });
    const started: unknown[][][] = [];
    let attempts = 0;
    installBootstrap(win, async () => {
      attempts++;
      if (attempts === 1) throw new Error('network down');
      return { start: (queue) => started.push(queue.map((c) => Array.from(c))) };
    });
    await waitFor(() => expect(warn).toHaveBeenCalledWith(expect.stringContaining('could not load the widget: Error: network down')));
    expect(started).toEqual([]);
    win.Threadline!('open');
    await waitFor(() => expect(started).toHaveLength(1));
    expect(started[0]).toEqual([['boot', { appId: 'demo', serverUrl: 'http://localhost:3000' }], ['open']]);
    warn.mockRestore();
  });

  it('installs once: a second copy of threadline.js on the page changes nothing', () => {
    const load = vi.fn(() => new Promise<MainModule>(() => {}));
    installBootstrap(win, load);
    const api = win.Threadline;
    installBootstrap(win, load);
    expect(win.Threadline).toBe(api);
    expect(load).toHaveBeenCalledOnce();
  });
});

describe('loader stub', () => {
  it('queues calls and loads threadline.js from the configured place', async () => {
    (window as unknown as { ThreadlineSettings?: { src: string } }).ThreadlineSettings = { src: 'http://localhost:3000/widget/threadline.js' };
    await import('./loader.js');
    win.Threadline!('boot', { appId: 'demo', serverUrl: 'http://localhost:3000' });
    expect(win.Threadline!.q).toEqual([['boot', { appId: 'demo', serverUrl: 'http://localhost:3000' }]]);
    const tag = document.head.querySelector<HTMLScriptElement>('script[src="http://localhost:3000/widget/threadline.js"]');
    expect(tag?.async).toBe(true);
  });
});
