import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AgentServerEvents } from '@threadline/protocol';
import type { ApiClient } from '../api/api-client.js';
import { ApiError } from '../api/api-error.js';
import { message, thread } from '../test/fixtures.js';
import type { AgentChannel } from './agent-channel.js';
import type { Connection } from './inbox-state.js';
import { InboxController } from './inbox-controller.js';

function fakeChannel() {
  const handlers: Partial<Record<keyof AgentServerEvents, (arg: never) => void>> = {};
  let status: (s: Connection) => void = () => undefined;
  const channel = {
    connected: true,
    on: (e: keyof AgentServerEvents, l: (arg: never) => void) => void (handlers[e] = l),
    onStatus: (l: (s: Connection) => void) => void (status = l),
    typing: vi.fn(),
    read: vi.fn(async () => undefined),
    close: vi.fn(),
  };
  return { channel: channel as unknown as AgentChannel & typeof channel, emit: (e: keyof AgentServerEvents, arg: unknown) => handlers[e]!(arg as never), status: (s: Connection) => status(s) };
}

function fakeApi(patch: Partial<ApiClient> = {}): ApiClient {
  return {
    listThreads: vi.fn(async () => ({ items: [thread({ lastSeq: 2, unread: 2 })], next: null })),
    listOnlineVisitors: vi.fn(async () => ({ items: [] })),
    listQueue: vi.fn(async () => ({ items: [] })),
    listMessages: vi.fn(async () => ({ items: [message(1), message(2)], more: false })),
    postMessage: vi.fn(async (threadId: string, body: { text: string }, key: string) => ({ message: message(3, { clientId: key, text: body.text, author: { kind: 'agent' } }), duplicate: false })),
    ...patch,
  } as unknown as ApiClient;
}

let controller: InboxController | undefined;
afterEach(() => controller?.stop());

describe('InboxController', () => {
  it('marks an opened thread read up to its newest message over the socket', async () => {
    const { channel } = fakeChannel();
    controller = new InboxController({ api: fakeApi(), channel, agentName: 'Sam', isVisible: () => true });
    await controller.start();
    await controller.open('t1');
    expect(channel.read).toHaveBeenCalledWith('t1', 2);
    expect(controller.store.getSnapshot().threads.t1!.unread).toBe(0);
  });

  it('does not mark read while the console tab is hidden', async () => {
    const { channel } = fakeChannel();
    controller = new InboxController({ api: fakeApi(), channel, agentName: 'Sam', isVisible: () => false });
    await controller.start();
    await controller.open('t1');
    expect(channel.read).not.toHaveBeenCalled();
  });

  it('retries a failed reply with the same idempotency key', async () => {
    const { channel } = fakeChannel();
    const postMessage = vi.fn().mockRejectedValueOnce(new ApiError('network', 'down', 0)).mockImplementation(async (_t: string, body: { text: string }, key: string) => ({ message: message(3, { clientId: key, text: body.text, author: { kind: 'agent' } }), duplicate: false }));
    controller = new InboxController({ api: fakeApi({ postMessage }), channel, agentName: 'Sam', newId: () => 'key-1', isVisible: () => true });
    await controller.start();
    await controller.open('t1');
    await controller.reply('t1', 'hello', []);
    expect(controller.store.getSnapshot().pending[0]).toMatchObject({ status: 'failed' });
    await controller.retry('key-1');
    expect(postMessage.mock.calls.map((c) => c[2])).toEqual(['key-1', 'key-1']);
    expect(postMessage.mock.calls[0]![1]).toMatchObject({ author: { kind: 'agent', name: 'Sam' } });
    const s = controller.store.getSnapshot();
    expect(s.pending).toEqual([]);
    expect(s.messages.t1!.items.at(-1)).toMatchObject({ seq: 3, text: 'hello' });
  });

  it('fetches the missing messages when a live message skips a seq', async () => {
    const { channel, emit } = fakeChannel();
    const listMessages = vi.fn().mockResolvedValueOnce({ items: [message(1), message(2)], more: false }).mockResolvedValueOnce({ items: [message(3), message(4)], more: false });
    controller = new InboxController({ api: fakeApi({ listMessages }), channel, agentName: 'Sam', isVisible: () => true });
    await controller.start();
    await controller.open('t1');
    emit('message', { message: message(4), thread: thread({ lastSeq: 4 }) });
    await vi.waitFor(() => expect(controller!.store.getSnapshot().messages.t1!.items.map((m) => m.seq)).toEqual([1, 2, 3, 4]));
    expect(listMessages).toHaveBeenLastCalledWith('t1', { after: 2, limit: 200 });
  });

  it('shows visitor typing and drops it when no follow-up comes', async () => {
    vi.useFakeTimers();
    try {
      const { channel, emit } = fakeChannel();
      controller = new InboxController({ api: fakeApi(), channel, agentName: 'Sam' });
      await controller.start();
      emit('typing', { threadId: 't1', author: { kind: 'visitor' }, typing: true });
      expect(controller.store.getSnapshot().typing.t1).toBe(true);
      vi.advanceTimersByTime(9000);
      expect(controller.store.getSnapshot().typing.t1).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it('throttles its own typing events and sends "stopped" after a pause', async () => {
    vi.useFakeTimers();
    try {
      const { channel } = fakeChannel();
      controller = new InboxController({ api: fakeApi(), channel, agentName: 'Sam' });
      await controller.start();
      controller.typing('t1');
      controller.typing('t1');
      controller.typing('t1');
      expect(channel.typing.mock.calls).toEqual([['t1', true]]);
      vi.advanceTimersByTime(5000);
      expect(channel.typing.mock.calls).toEqual([['t1', true], ['t1', false]]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('reports a refused key', async () => {
    const { channel, status } = fakeChannel();
    const onUnauthorized = vi.fn();
    controller = new InboxController({ api: fakeApi(), channel, agentName: 'Sam', onUnauthorized });
    await controller.start();
    status('refused');
    expect(onUnauthorized).toHaveBeenCalled();
    expect(controller.store.getSnapshot().connection).toBe('refused');
  });
});
