import { within } from '@testing-library/preact';
import type { ClientOptions } from '@threadline/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEmitter } from '../emitter.js';
import { createFakeClient, thread } from '../test/fake-client.js';
import { createWidget, type WidgetEventMap } from '../widget.js';
import type { PanelModule } from './context.js';
import { takeContinueToken } from './continue-link.js';

const TOKEN = `${'ab'.repeat(16)}.1893456000000.${'0c'.repeat(12)}`;

afterEach(() => {
  history.replaceState(null, '', '/');
  document.body.replaceChildren();
});

describe('takeContinueToken', () => {
  it('takes the token and removes it from the address bar, keeping the page’s own fragment and query', () => {
    history.replaceState({ keep: 1 }, '', `/product/7?colour=blue#reviews&tl-continue=${TOKEN}`);
    expect(takeContinueToken()).toBe(TOKEN);
    expect(location.pathname + location.search + location.hash).toBe('/product/7?colour=blue#reviews');
    expect(history.state).toEqual({ keep: 1 });
    expect(takeContinueToken()).toBeNull();
  });

  it('leaves no empty # behind and ignores pages without one', () => {
    history.replaceState(null, '', `/#tl-continue=${TOKEN}`);
    expect(takeContinueToken()).toBe(TOKEN);
    expect(location.href.endsWith('/')).toBe(true);
    history.replaceState(null, '', '/#section-2');
    expect(takeContinueToken()).toBeNull();
    expect(location.hash).toBe('#section-2');
  });
});

describe('a page opened from a continue link', () => {
  it('opens the widget on that thread, and the token is gone from the address bar', async () => {
    history.replaceState(null, '', `/shop#tl-continue=${TOKEN}`);
    const client = createFakeClient();
    vi.mocked(client.attachThread).mockImplementation(async () => {
      client.set({ threads: [thread({ id: 't-mail' })], messages: { 't-mail': [] } });
      return 't-mail';
    });
    const events = createEmitter<WidgetEventMap>(() => {});
    const widget = createWidget(
      { appId: 'demo', serverUrl: 'http://localhost:3000' },
      { createClient: (_o: ClientOptions) => client, loadPanel: () => import('./entry.js') as Promise<PanelModule>, events, report: vi.fn(), schedule: () => () => {}, pause: null },
    );
    const shadow = () => within(document.querySelector<HTMLElement>('[data-threadline]')!.shadowRoot! as unknown as HTMLElement);
    await vi.waitFor(() => expect(client.attachThread).toHaveBeenCalledWith(TOKEN), { timeout: 5000 });
    expect(location.hash).toBe('');
    await vi.waitFor(() => expect(client.openThread).toHaveBeenCalledWith('t-mail'), { timeout: 5000 });
    expect(shadow().getByRole('dialog')).toBeTruthy();
    widget.destroy();
  });

  it('does not open the widget on an ordinary page', async () => {
    history.replaceState(null, '', '/shop#size-guide');
    const client = createFakeClient();
    const events = createEmitter<WidgetEventMap>(() => {});
    const widget = createWidget(
      { appId: 'demo', serverUrl: 'http://localhost:3000' },
      { createClient: () => client, loadPanel: vi.fn(), events, report: vi.fn(), schedule: () => () => {}, pause: null },
    );
    await vi.waitFor(() => expect(document.querySelector('[data-threadline]')?.shadowRoot?.querySelector('button.launcher')).toBeTruthy());
    expect(client.attachThread).not.toHaveBeenCalled();
    expect(document.querySelector('[data-threadline]')!.shadowRoot!.querySelector('[role="dialog"]')).toBeNull();
    widget.destroy();
  });
});
