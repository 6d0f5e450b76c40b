import { act, fireEvent, render, screen, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import type { Block } from '@threadline/protocol';
import { createDrafts } from '../drafts.js';
import type { Locale } from '../i18n/locale.js';
import { createUiStore } from '../state/ui.js';
import { axeViolations } from '../test/axe.js';
import { createFakeClient, message, prompt, thread, type FakeClient } from '../test/fake-client.js';
import type { PanelContext } from './context.js';
import { Panel } from './Panel.js';
import { createPreviews } from './previews.js';

function setup(client: FakeClient = createFakeClient(), over: Partial<PanelContext> & { locale?: Locale } = {}) {
  const ui = createUiStore();
  ui.dispatch({ type: 'open' });
  const ctx: PanelContext = {
    client,
    ui,
    locale: 'en',
    brandName: 'Acme',
    drafts: createDrafts(`test-${Math.random()}`),
    addStyles: () => () => {},
    close: vi.fn(() => ui.dispatch({ type: 'close' })),
    recorder: undefined,
    ...over,
  };
  const view = render(<Panel ctx={ctx} />);
  return { ctx, ui, client, ...view };
}

describe('Panel', () => {
  it('opens on a new conversation when there is no thread, and creates it on send', () => {
    const { client, ui } = setup();
    expect(screen.getByRole('dialog', { name: 'Acme' })).toBeTruthy();
    const box = screen.getByRole('textbox', { name: 'Message' });
    expect(document.activeElement).toBe(box);
    fireEvent.input(box, { target: { value: 'Where is my order #1042?' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(client.startThread).toHaveBeenCalledWith({ text: 'Where is my order #1042?', files: [], durations: {} });
    expect(ui.getSnapshot().route).toEqual({ name: 'thread', threadId: 't-new-1' });
  });

  it('shows the inbox when threads exist and opens one', () => {
    const client = createFakeClient({ threads: [thread({ id: 't1', lastMessage: message({ text: 'Parcel shipped' }) })] });
    const { ui } = setup(client);
    expect(screen.getByRole('list', { name: 'Conversations' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: /Parcel shipped/ }));
    expect(ui.getSnapshot().route).toEqual({ name: 'thread', threadId: 't1' });
    expect(client.openThread).toHaveBeenCalledWith('t1');
    fireEvent.click(screen.getByRole('button', { name: 'Back to conversations' }));
    expect(ui.getSnapshot().route).toEqual({ name: 'inbox' });
  });

  it('sends in an open thread, marks it read and reports typing', () => {
    const client = createFakeClient({
      threads: [thread({ id: 't1', unread: 1 })],
      messages: { t1: [message({ text: 'Any photos of the damage?' })] },
    });
    const { ui } = setup(client);
    act(() => ui.dispatch({ type: 'navigate', route: { name: 'thread', threadId: 't1' } }));
    expect(client.markRead).toHaveBeenCalledWith('t1');
    const box = screen.getByRole('textbox', { name: 'Message' });
    fireEvent.input(box, { target: { value: 'Yes' } });
    expect(client.setTyping).toHaveBeenCalledWith('t1', true);
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(client.send).toHaveBeenCalledWith('t1', { text: 'Yes', files: [], durations: {} });
    expect((box as HTMLTextAreaElement).value).toBe('');
  });

  it('keeps a draft per thread across a reload', () => {
    const client = createFakeClient({ threads: [thread({ id: 't1' })], messages: { t1: [] } });
    const drafts = createDrafts('draft-test');
    const first = setup(client, { drafts });
    act(() => first.ui.dispatch({ type: 'navigate', route: { name: 'thread', threadId: 't1' } }));
    fireEvent.input(screen.getByRole('textbox', { name: 'Message' }), { target: { value: 'half-written' } });
    first.unmount();
    const second = setup(client, { drafts: createDrafts('draft-test') });
    act(() => second.ui.dispatch({ type: 'navigate', route: { name: 'thread', threadId: 't1' } }));
    expect((screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement).value).toBe('half-written');
  });

  it('puts showNewMessage text in the composer of a new conversation', () => {
    const client = createFakeClient({ threads: [thread()] });
    const ui = createUiStore();
    ui.dispatch({ type: 'compose', text: 'About my return' });
    render(<Panel ctx={{ client, ui, locale: 'en', drafts: createDrafts('x'), addStyles: () => () => {}, close: () => {} }} />);
    expect((screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement).value).toBe('About my return');
    expect(ui.getSnapshot().prefill).toBeNull();
  });

  it('refuses a file over the server’s upload cap with a clear error', () => {
    const client = createFakeClient({ session: { visitorId: 'v', userId: null, maxUploadBytes: 1000 } });
    const { container } = setup(client);
    const input = container.querySelector<HTMLInputElement>('input[type=file]')!;
    fireEvent.change(input, { target: { files: [new File([new Uint8Array(5000)], 'video.mov', { type: 'video/quicktime' })] } });
    expect(screen.getByRole('alert').textContent).toBe('video.mov is too large (limit 1 KB).');
    expect((screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('shows the photo being uploaded from the device while it uploads', () => {
    // jsdom has no object URLs.
    let n = 0;
    URL.createObjectURL = vi.fn(() => `blob:local-${++n}`);
    URL.revokeObjectURL = vi.fn();
    const client = createFakeClient({ threads: [thread({ id: 't1' })], messages: { t1: [] } });
    const { ui, container } = setup(client, { previews: createPreviews() });
    act(() => ui.dispatch({ type: 'navigate', route: { name: 'thread', threadId: 't1' } }));
    const photo = new File(['x'], 'sole.jpg', { type: 'image/jpeg' });
    fireEvent.change(container.querySelector<HTMLInputElement>('input[type=file]')!, { target: { files: [photo] } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(client.send).toHaveBeenCalledWith('t1', { text: '', files: [photo], durations: {} });
    act(() =>
      client.set({
        messages: {
          t1: [
            message({
              own: true,
              author: { kind: 'visitor' },
              clientId: 'c-sent',
              text: '',
              state: 'sending',
              pendingFiles: [{ index: 0, name: 'sole.jpg', mime: 'image/jpeg', size: 1, attachment: null }],
            }),
          ],
        },
      }),
    );
    const img = within(screen.getByRole('log')).getByRole('img', { name: 'Image: sole.jpg' });
    expect(img.getAttribute('src')).toMatch(/^blob:local-/);
  });

  it('sends a quick reply as text with its value', () => {
    const client = createFakeClient({
      threads: [thread({ id: 't1' })],
      messages: { t1: [message({ text: 'What can I do?', quickReplies: [{ label: 'Track my order', value: 'track' }] })] },
    });
    const { ui } = setup(client);
    act(() => ui.dispatch({ type: 'navigate', route: { name: 'thread', threadId: 't1' } }));
    fireEvent.click(screen.getByRole('button', { name: 'Track my order' }));
    expect(client.send).toHaveBeenCalledWith('t1', { text: 'Track my order', quickReply: 'track' });
  });

  it('sends a handoff button of a rich message with handoff: true, and a form with its values, in the thread', async () => {
    const client = createFakeClient({
      threads: [thread({ id: 't1' })],
      messages: {
        t1: [
          message({
            id: 'm-bot',
            text: 'Which order?',
            blocks: [
              { type: 'buttons', buttons: [{ type: 'handoff', label: 'Talk to a person' }] },
              { type: 'form', fields: [{ name: 'order', label: 'Order number', pattern: 'A-\\d{4}', required: true }] },
            ],
          }),
        ],
      },
    });
    const { ui } = setup(client);
    act(() => ui.dispatch({ type: 'navigate', route: { name: 'thread', threadId: 't1' } }));
    const log = screen.getByRole('log');
    fireEvent.click(await within(log).findByRole('button', { name: 'Talk to a person' }));
    expect(client.send).toHaveBeenCalledWith('t1', { text: 'Talk to a person', handoff: true });
    fireEvent.input(within(log).getByRole('textbox', { name: /^Order number/ }), { target: { value: 'A-1001' } });
    fireEvent.click(within(log).getByRole('button', { name: 'Send' }));
    expect(client.send).toHaveBeenLastCalledWith('t1', { text: 'Order number: A-1001', form: { messageId: 'm-bot', values: { order: 'A-1001' } } });
  });

  it('answers a proactive prompt by starting a thread from it', () => {
    const client = createFakeClient({ threads: [thread()], proactive: [prompt()] });
    const { ui } = setup(client);
    act(() => ui.dispatch({ type: 'navigate', route: { name: 'compose', promptId: 'p1' } }));
    expect(screen.getByText('Need help choosing a size? We reply in minutes.')).toBeTruthy();
    fireEvent.input(screen.getByRole('textbox', { name: 'Message' }), { target: { value: 'Size M or L?' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(client.replyProactive).toHaveBeenCalledWith('p1', { text: 'Size M or L?', files: [], durations: {} });
    expect(ui.getSnapshot().route).toEqual({ name: 'thread', threadId: 't-from-prompt' });
  });

  it('draws a prompt’s blocks above the new conversation, and a button or its form starts the thread from the prompt', async () => {
    const blocks: Block[] = [
      { type: 'card', title: 'Free shipping over €50', buttons: [{ type: 'url', label: 'See the rules', url: 'https://shop.example/shipping' }] },
      { type: 'buttons', buttons: [{ type: 'reply', label: 'Add a gift card', value: 'gift' }, { type: 'handoff', label: 'Talk to a person' }] },
    ];
    const form: Block[] = [{ type: 'form', fields: [{ name: 'order', label: 'Order number', required: true }] }];
    const client = createFakeClient({ threads: [thread()], proactive: [prompt({ text: 'Almost free shipping', blocks }), prompt({ id: 'p2', blocks: form })] });
    const { ui } = setup(client);
    act(() => ui.dispatch({ type: 'navigate', route: { name: 'compose', promptId: 'p1' } }));
    expect(screen.getByText('Almost free shipping')).toBeTruthy();
    expect((await screen.findByText('Free shipping over €50')).className).toBe('rich-title');
    expect(screen.getByRole('link', { name: /See the rules/ }).getAttribute('href')).toBe('https://shop.example/shipping');
    fireEvent.click(screen.getByRole('button', { name: 'Add a gift card' }));
    expect(client.replyProactive).toHaveBeenLastCalledWith('p1', { text: 'Add a gift card', quickReply: 'gift' });
    expect(ui.getSnapshot().route).toEqual({ name: 'thread', threadId: 't-from-prompt' });

    act(() => ui.dispatch({ type: 'navigate', route: { name: 'compose', promptId: 'p2' } }));
    fireEvent.input(await screen.findByRole('textbox', { name: /^Order number/ }), { target: { value: 'A-1001' } });
    fireEvent.click(screen.getAllByRole('button', { name: 'Send' })[0]!);
    expect(client.replyProactive).toHaveBeenLastCalledWith('p2', { text: 'Order number: A-1001', form: { messageId: 'p2', values: { order: 'A-1001' } } });
  });

  it('tags a proactive prompt from a bot "Bot" above the new conversation, as its other messages, and not one from a person', () => {
    const client = createFakeClient({ threads: [thread()], proactive: [prompt({ author: { kind: 'bot', name: 'Order bot' } }), prompt({ id: 'p2' })] });
    const { ui, container } = setup(client);
    act(() => ui.dispatch({ type: 'navigate', route: { name: 'compose', promptId: 'p1' } }));
    expect(container.querySelector('.log .author')?.textContent).toBe('Order botBot');
    act(() => ui.dispatch({ type: 'navigate', route: { name: 'compose', promptId: 'p2' } }));
    expect(container.querySelector('.log .author')?.textContent).toBe('Mia');
    expect(container.querySelector('.bot-tag')).toBeNull();
  });

  it('asks for a rating when the thread is resolved', () => {
    const client = createFakeClient({ threads: [thread({ id: 't1', status: 'resolved' })], messages: { t1: [message()] } });
    const { ui } = setup(client);
    act(() => ui.dispatch({ type: 'navigate', route: { name: 'thread', threadId: 't1' } }));
    fireEvent.click(screen.getByRole('button', { name: '5 of 5' }));
    fireEvent.click(screen.getByRole('button', { name: 'Send rating' }));
    expect(client.rate).toHaveBeenCalledWith('t1', 5, undefined);
  });

  it('shows who is typing, and the offline banner', () => {
    const client = createFakeClient({
      connection: 'offline',
      threads: [thread({ id: 't1' })],
      messages: { t1: [message()] },
      typing: { t1: { author: { kind: 'agent', name: 'Mia' }, until: Date.now() + 5000 } },
    });
    const { ui } = setup(client);
    act(() => ui.dispatch({ type: 'navigate', route: { name: 'thread', threadId: 't1' } }));
    expect(screen.getByText('\u2068Mia\u2069 is typing…')).toBeTruthy();
    expect(screen.getByText(/You're offline/)).toBeTruthy();
  });

  it('closes with its close button', () => {
    const { ctx } = setup();
    fireEvent.click(screen.getByRole('button', { name: 'Close messages' }));
    expect(ctx.close).toHaveBeenCalled();
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('speaks Simplified and Traditional Chinese', () => {
    setup(createFakeClient(), { locale: 'zh-CN', brandName: undefined });
    expect(screen.getByRole('textbox', { name: '消息' })).toBeTruthy();
    expect(screen.getByRole('button', { name: '发送' })).toBeTruthy();
    expect(screen.getByRole('dialog', { name: '消息' })).toBeTruthy();
    setup(createFakeClient(), { locale: 'zh-TW' });
    expect(screen.getByRole('textbox', { name: '訊息' })).toBeTruthy();
    expect(screen.getByRole('button', { name: '傳送' })).toBeTruthy();
  });

  it('has no axe violations on the inbox and on a thread with its composer', async () => {
    const client = createFakeClient({
      threads: [thread({ id: 't1', unread: 1, lastMessage: message({ text: 'Hello' }) })],
      messages: { t1: [message({ text: 'Hello' }), message({ own: true, author: { kind: 'visitor' }, state: 'read' })] },
    });
    const { ui, container } = setup(client);
    expect(await axeViolations(container)).toEqual([]);
    act(() => ui.dispatch({ type: 'navigate', route: { name: 'thread', threadId: 't1' } }));
    expect(within(container as HTMLElement).getByRole('log')).toBeTruthy();
    expect(await axeViolations(container)).toEqual([]);
  });
});
