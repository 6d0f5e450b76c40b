import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAttention } from './attention.js';
import { createUiStore } from './state/ui.js';
import { createFakeClient, message } from './test/fake-client.js';

function hidden(value: boolean) {
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => value });
}

class FakeNotification {
  static permission: NotificationPermission = 'granted';
  static requestPermission = vi.fn(async () => 'granted' as NotificationPermission);
  static made: FakeNotification[] = [];
  onclick: (() => void) | null = null;
  onclose: (() => void) | null = null;
  closed = false;
  constructor(
    readonly title: string,
    readonly options: NotificationOptions,
  ) {
    FakeNotification.made.push(this);
  }
  close() {
    this.closed = true;
  }
}

afterEach(() => {
  hidden(false);
  document.title = '';
  vi.unstubAllGlobals();
  FakeNotification.made = [];
  FakeNotification.permission = 'granted';
});

describe('attention', () => {
  it('counts the unread brand messages in the title while the tab is hidden, and gives the title back once read', () => {
    document.title = 'Trail Runner Jacket';
    const client = createFakeClient({ totalUnread: 1 });
    const a = createAttention(client, document, { appId: 'demo', serverUrl: 'http://x' }, 'en', createUiStore());
    hidden(true);
    a.heard(message({ text: 'Yes, in stock' }));
    expect(document.title).toBe('(1) Trail Runner Jacket');
    client.set({ totalUnread: 2 });
    expect(document.title).toBe('(2) Trail Runner Jacket');
    // The page renamed itself meanwhile: its new title is kept under the count.
    document.title = '(2) Checkout';
    hidden(false);
    client.set({ totalUnread: 0 });
    expect(document.title).toBe('Checkout');
    a.destroy();
  });

  it('leaves the title alone while the tab is visible', () => {
    document.title = 'Shop';
    const client = createFakeClient({ totalUnread: 1 });
    const a = createAttention(client, document, { appId: 'demo', serverUrl: 'http://x' }, 'en', createUiStore());
    a.heard(message());
    expect(document.title).toBe('Shop');
    a.destroy();
  });

  it('shows a browser notification when opted in and allowed; a click opens that conversation', () => {
    vi.stubGlobal('Notification', FakeNotification);
    const ui = createUiStore();
    const client = createFakeClient({ totalUnread: 1 });
    const a = createAttention(client, document, { appId: 'demo', serverUrl: 'http://x', notifications: true, brandName: 'Northwind' }, 'en', ui);
    hidden(true);
    a.heard(message({ threadId: 't9', author: { kind: 'agent', name: 'Mia' }, text: 'Your parcel left today' }));
    a.heard(message({ threadId: 't9', author: { kind: 'bot' }, text: '', attachments: [] }));
    expect(FakeNotification.made.map((n) => [n.title, n.options.body, n.options.tag])).toEqual([
      ['Mia', 'Your parcel left today', 'threadline:t9'],
      ['Northwind', 'Attachment', 'threadline:t9'],
    ]);
    FakeNotification.made[0]!.onclick!();
    expect(ui.getSnapshot()).toMatchObject({ open: true, route: { name: 'thread', threadId: 't9' } });
    expect(FakeNotification.made[0]!.closed).toBe(true);
    a.destroy();
  });

  it('shows none without the option or without permission, and asks permission only when opted in and not yet asked', () => {
    vi.stubGlobal('Notification', FakeNotification);
    hidden(true);
    const off = createAttention(createFakeClient(), document, { appId: 'demo', serverUrl: 'http://x' }, 'en', createUiStore());
    off.heard(message());
    off.ask();
    FakeNotification.permission = 'default';
    const on = createAttention(createFakeClient(), document, { appId: 'demo', serverUrl: 'http://x', notifications: true }, 'zh-CN', createUiStore());
    on.heard(message());
    expect(FakeNotification.made).toEqual([]);
    expect(FakeNotification.requestPermission).not.toHaveBeenCalled();
    on.ask();
    expect(FakeNotification.requestPermission).toHaveBeenCalledOnce();
    off.destroy();
    on.destroy();
  });
});
