import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import type { Message } from '@threadline/protocol';
import type { ApiClient } from '../api/api-client.js';
import { ApiError } from '../api/api-error.js';
import { message, thread, visitor } from '../test/fixtures.js';
import { Composer } from './Composer.js';
import { ServicesContext } from './context.js';
import { MessageText } from './MessageText.js';
import { ProactiveForm } from './ProactiveForm.js';
import { preview, ThreadList } from './ThreadList.js';
import { VisitorPanel } from './VisitorPanel.js';

const noop = () => undefined;

describe('MessageText', () => {
  it('renders markup as text and only safe links as anchors', () => {
    const { container } = render(<MessageText text={'<img src=x onerror=alert(1)> javascript:alert(1) https://shop.test/p'} />);
    expect(container.querySelector('img')).toBeNull();
    const links = container.querySelectorAll('a');
    expect(links).toHaveLength(1);
    expect(links[0]!.getAttribute('href')).toBe('https://shop.test/p');
    expect(links[0]!.getAttribute('rel')).toContain('noopener');
    expect(container.textContent).toContain('<img src=x onerror=alert(1)>');
  });

  it('keeps line breaks as newlines, for the pre-wrap message body', () => {
    const { container } = render(<MessageText text={'first line\r\nsecond www.shop.test'} />);
    expect(container.textContent).toBe('first line\nsecond www.shop.test');
    expect(container.querySelector('a')!.getAttribute('href')).toBe('https://www.shop.test/');
  });
});

describe('ThreadList', () => {
  const props = { visitors: {}, typing: {}, selectedId: null, filter: 'open' as const, loaded: true, hasMore: false, onFilter: noop, onLoadMore: noop };

  it('marks unread threads and shows the page the visitor is on', () => {
    const t = thread({ unread: 2, visitor: visitor({ name: 'Alice', context: { page: { url: 'http://shop.test/checkout' } } }) });
    render(<ThreadList {...props} threads={[t]} onSelect={noop} />);
    const item = screen.getByRole('button', { name: /Alice/ });
    expect(item.className).toContain('unread');
    expect(screen.getByLabelText('2 unread')).toBeTruthy();
    expect(screen.getByText('/checkout')).toBeTruthy();
  });

  it('previews the signed-in agent’s own last message as "You:", a colleague’s or a bot’s by their name', () => {
    const last = (author: Message['author']) => thread({ id: `t-${author.kind}-${author.name ?? ''}`, visitor: visitor({ name: `V ${author.name ?? author.kind}` }), lastMessage: message(1, { author, text: 'On its way' }) });
    render(
      <ThreadList
        {...props}
        agentName="Mia"
        threads={[last({ kind: 'agent', name: 'Mia' }), last({ kind: 'agent', name: 'Leo' }), last({ kind: 'bot', name: 'Order bot' }), last({ kind: 'bot' }), last({ kind: 'visitor' })]}
        onSelect={noop}
      />,
    );
    expect(screen.getAllByText(/On its way/).map((e) => e.textContent)).toEqual(['You: On its way', 'Leo: On its way', 'Order bot: On its way', 'Bot: On its way', 'On its way']);
    expect(preview(message(2, { author: { kind: 'agent', name: 'Leo' }, text: '', attachments: [{ id: 'a', name: 'p.png', mime: 'image/png', size: 1, url: '/f' }] }), 'Mia')).toBe('Leo: Photo');
  });

  it('keeps listing the other threads when one cannot be shown, and that one can still be opened', () => {
    const onSelect = vi.fn();
    const corrupt = thread({ id: 't-corrupt-0001', lastMessage: message(1, { text: null as unknown as string }) });
    const fine = thread({ id: 't2', visitor: visitor({ id: 'v2', name: 'Bob' }) });
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    render(<ThreadList {...props} threads={[corrupt, fine]} onSelect={onSelect} />);
    expect(screen.getByRole('button', { name: /Bob/ })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: /Conversation …0001/ }));
    expect(onSelect).toHaveBeenCalledWith('t-corrupt-0001');
    vi.restoreAllMocks();
  });

  it('shows typing in place of the preview and selects with the keyboard', () => {
    const onSelect = vi.fn();
    render(<ThreadList {...props} typing={{ t1: true }} threads={[thread({ lastMessage: message(1, { text: 'hello' }) })]} onSelect={onSelect} />);
    expect(screen.getByText('typing…')).toBeTruthy();
    const item = screen.getByRole('button', { name: /Visitor/ });
    item.focus();
    fireEvent.click(item);
    expect(onSelect).toHaveBeenCalledWith('t1');
  });
});

describe('Composer', () => {
  function setup(upload: ApiClient['upload'] = vi.fn()) {
    const onSend = vi.fn();
    const api = { upload } as unknown as ApiClient;
    render(
      <ServicesContext.Provider value={{ api, files: { get: vi.fn(), clear: noop } }}>
        <Composer threadId="t1" onSend={onSend} onTyping={noop} />
      </ServicesContext.Provider>,
    );
    return { onSend, box: screen.getByLabelText('Reply') as HTMLTextAreaElement };
  }

  it('sends on Enter and keeps Shift+Enter for new lines', () => {
    const { onSend, box } = setup();
    fireEvent.input(box, { target: { value: 'On its way' } });
    fireEvent.keyDown(box, { key: 'Enter', shiftKey: true });
    expect(onSend).not.toHaveBeenCalled();
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(onSend).toHaveBeenCalledWith('On its way', []);
  });

  it('waits for uploads and sends their ids with the text', async () => {
    const attachment = { id: 'f1', name: 'label.png', mime: 'image/png', size: 10, url: '/v1/files/f1' };
    let finish: (a: typeof attachment) => void = noop;
    const upload = vi.fn(() => ({ promise: new Promise<typeof attachment>((r) => (finish = r)), abort: noop }));
    const { onSend, box } = setup(upload as unknown as ApiClient['upload']);
    const input = document.querySelector('input[type=file]') as HTMLInputElement;
    fireEvent.change(input, { target: { files: [new File(['x'], 'label.png', { type: 'image/png' })] } });
    fireEvent.input(box, { target: { value: 'Label attached' } });
    expect((screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement).disabled).toBe(true);
    finish(attachment);
    await waitFor(() => expect((screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(onSend).toHaveBeenCalledWith('Label attached', [attachment]);
  });

  it('shows why an upload was refused and offers a retry', async () => {
    const upload = vi.fn(() => ({ promise: Promise.reject(new ApiError('payload_too_large', 'the file is larger than the 10 MB limit', 413)), abort: noop }));
    setup(upload as unknown as ApiClient['upload']);
    fireEvent.change(document.querySelector('input[type=file]')!, { target: { files: [new File(['x'], 'big.png')] } });
    expect(await screen.findByText('Too large. The file is larger than the 10 MB limit.')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Retry' })).toBeTruthy();
  });
});

describe('ProactiveForm', () => {
  it('pushes to the chosen online visitor and says it was delivered', async () => {
    const send = vi.fn(async () => ({ proactive: {} as never, delivered: 'live' as const, duplicate: false }));
    render(<ProactiveForm visitors={[visitor({ id: 'v9', name: 'Bob' })]} agentName="Sam" send={send} newId={() => 'k1'} />);
    fireEvent.input(screen.getByLabelText('Message'), { target: { value: 'Need help with sizes?' } });
    fireEvent.input(screen.getByLabelText(/Campaign/), { target: { value: 'size-help' } });
    fireEvent.click(screen.getByLabelText(/Open the messenger/));
    fireEvent.click(screen.getByRole('button', { name: 'Send now' }));
    expect(await screen.findByText('Delivered: Bob sees it now.')).toBeTruthy();
    expect(send).toHaveBeenCalledWith({ to: { visitorId: 'v9' }, text: 'Need help with sizes?', display: 'open', campaign: 'size-help', author: { kind: 'agent', name: 'Sam' } }, 'k1');
  });

  it('lists a visitor whose locale is broken, with the cart as a plain amount', () => {
    const broken = visitor({ id: 'v7', name: 'Eve', context: { locale: 'x!', cart: { value: 120, currency: 'EUR' } } });
    render(<ProactiveForm visitors={[broken, visitor({ id: 'v8', name: 'Bob' })]} agentName="Sam" send={vi.fn()} />);
    expect(screen.getByText('Eve')).toBeTruthy();
    expect(screen.getByText('Bob')).toBeTruthy();
    expect(screen.getByText(/cart .*120/)).toBeTruthy();
  });

  it('shows an API error readably', async () => {
    const send = vi.fn(async () => Promise.reject(new ApiError('not_found', 'visitor not found', 404)));
    render(<ProactiveForm visitors={[visitor()]} agentName="Sam" send={send} />);
    fireEvent.input(screen.getByLabelText('Message'), { target: { value: 'Hi' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send now' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/Not found.*Visitor not found/);
  });
});

describe('VisitorPanel', () => {
  it('shows a visitor whose stored locale is broken instead of throwing', async () => {
    const v = visitor({ name: 'Eve', context: { locale: 'x!', cart: { value: 120, currency: 'EUR', items: 2 } } });
    const api = { getVisitor: vi.fn(async () => ({ ...v, events: [] })) } as unknown as ApiClient;
    render(
      <ServicesContext.Provider value={{ api, files: { get: vi.fn(), clear: noop } }}>
        <VisitorPanel visitor={v} onProactive={noop} />
      </ServicesContext.Provider>,
    );
    expect(screen.getByRole('complementary', { name: 'Visitor details' })).toBeTruthy();
    expect(screen.getByText(/120/).textContent).toMatch(/120/);
    expect(screen.getByText('Language: x!')).toBeTruthy();
    await waitFor(() => expect(api.getVisitor).toHaveBeenCalled());
  });
});
