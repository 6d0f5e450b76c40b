import { waitFor } from '@testing-library/preact';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createFakeClient } from '../test/fake-client.js';

const client = createFakeClient();
vi.mock('@threadline/core', () => ({ createClient: vi.fn(() => client) }));

type Api = ((...args: unknown[]) => void) & { q?: unknown[][]; loaded?: boolean };
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

describe('script-tag bundle', () => {
  it('replays the queued calls in order once the browser is idle, and runs later calls directly', async () => {
    let idle: (() => void) | null = null;
    win.requestIdleCallback = (fn: () => void) => ((idle = fn), 1);
    // jsdom cannot import the panel chunk over http: that failure must be reported, not thrown.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const T = snippet();
    const opened = vi.fn();
    T('on', 'open', opened);
    T('boot', { appId: 'demo', serverUrl: 'http://localhost:3000' });
    T('open');
    await import('./entry.js');
    expect(win.Threadline!.loaded).toBe(true);
    // Nothing is mounted before idle.
    expect(document.querySelector('[data-threadline]')).toBeNull();
    win.Threadline!('track', 'after_load');
    idle!();
    expect(document.querySelector('[data-threadline]')).not.toBeNull();
    expect(opened).toHaveBeenCalledOnce();
    expect(client.track).toHaveBeenCalledWith('after_load', undefined);
    await waitFor(() => expect(warn).toHaveBeenCalledWith(expect.stringContaining('panel_failed')));
    warn.mockRestore();
    delete win.requestIdleCallback;
  });

  it('reports a bad call from the queue without throwing into the page', async () => {
    win.requestIdleCallback = (fn: () => void) => (fn(), 1);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const T = snippet();
    T('frobnicate');
    T('boot', { appId: 'demo' });
    await import('./entry.js');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('unknown command "frobnicate"'));
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('serverUrl'));
    expect(document.querySelector('[data-threadline]')).toBeNull();
    warn.mockRestore();
    delete win.requestIdleCallback;
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
