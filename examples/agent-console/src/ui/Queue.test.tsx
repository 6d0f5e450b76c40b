import { fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import type { AgentThread, Message } from '@threadline/protocol';
import type { ApiClient } from '../api/api-client.js';
import type { AgentChannel } from '../inbox/agent-channel.js';
import { agentId } from '../inbox/inbox-controller.js';
import { initialInboxState, queuedThreads, inboxReducer } from '../inbox/inbox-state.js';
import { assignmentLine, waitedFor } from '../text/format.js';
import { message, thread, visitor } from '../test/fixtures.js';
import { Console } from './Console.js';

const NOW = Date.parse('2025-03-10T13:00:00.000Z');
const queued = (id: string, since: string, name: string) =>
  thread({ id, visitor: visitor({ id: `v-${id}`, name }), assignee: { kind: 'queue', since }, updatedAt: since });
const event = (seq: number, meta: Record<string, unknown>, threadId = 'q1'): Message =>
  message(seq, { threadId, author: { kind: 'system' }, kind: 'event', text: 'Waiting for a person', meta: { event: 'thread.assigned', ...meta } });

describe('the queue', () => {
  it('lists open threads waiting for a person, longest waiting first', () => {
    let s = initialInboxState;
    for (const t of [
      queued('q2', '2025-03-10T12:50:00.000Z', 'Bo'),
      thread({ id: 'bot', assignee: { kind: 'bot', since: '2025-03-10T12:00:00.000Z' } }),
      queued('q1', '2025-03-10T12:10:00.000Z', 'Ann'),
      thread({ id: 'mine', assignee: { kind: 'agent', id: 'sam', name: 'Sam', since: '2025-03-10T12:00:00.000Z' } }),
      { ...queued('done', '2025-03-10T11:00:00.000Z', 'Cy'), status: 'resolved' as const },
    ]) {
      s = inboxReducer(s, { type: 'thread.received', thread: t });
    }
    expect(queuedThreads(s).map((t) => t.id)).toEqual(['q1', 'q2']);
    expect(waitedFor(Date.parse('2025-03-10T12:10:00.000Z'), NOW)).toBe('Waiting 50 min');
    expect(waitedFor(Date.parse('2025-03-10T10:55:00.000Z'), NOW)).toBe('Waiting 2 h 5 min');
  });

  it('says in words why a thread changed hands', () => {
    expect(assignmentLine({ event: 'thread.assigned', from: { kind: 'bot' }, to: { kind: 'queue' }, by: { kind: 'system' }, reason: 'bot_limit' })).toBe(
      'Waiting for a person — the bot had answered twice without solving it',
    );
    expect(assignmentLine({ event: 'thread.assigned', from: { kind: 'queue' }, to: { kind: 'agent', name: 'Maya' }, by: { kind: 'agent', name: 'Sam' }, reason: 'assigned' })).toBe(
      'Maya took the conversation (assigned by Sam)',
    );
    expect(agentId('Maya Chen')).toBe('maya-chen');
  });

  it('shows the queue with each wait, the bot’s part of the conversation, and takes a thread', async () => {
    vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
    const threads: AgentThread[] = [queued('q1', '2025-03-10T12:10:00.000Z', 'Ann'), queued('q2', '2025-03-10T12:50:00.000Z', 'Bo')];
    const transcript = [
      message(1, { threadId: 'q1', text: 'where is my order?' }),
      message(2, { threadId: 'q1', author: { kind: 'bot', name: 'Order bot' }, text: 'Which order number?' }),
      message(3, { threadId: 'q1', text: 'human' }),
      event(4, { from: { kind: 'bot' }, to: { kind: 'queue' }, by: { kind: 'visitor' }, reason: 'handoff_words' }),
    ];
    const taken = { ...threads[0]!, assignee: { kind: 'agent' as const, id: 'sam', name: 'Sam', since: new Date(NOW).toISOString() } };
    const api = {
      listThreads: vi.fn(async () => ({ items: threads, next: null })),
      listOnlineVisitors: vi.fn(async () => ({ items: [] })),
      listQueue: vi.fn(async () => ({ items: threads })),
      listTeam: vi.fn(async () => [{ name: 'Sam' }, { name: 'Maya' }]),
      getBot: vi.fn(async () => ({ enabled: true })),
      getThread: vi.fn(async (id: string) => threads.find((t) => t.id === id)!),
      listMessages: vi.fn(async () => ({ items: transcript, more: false })),
      markRead: vi.fn(async () => threads[0]),
      getVisitor: vi.fn(async (id: string) => ({ ...visitor({ id }), events: [] })),
      assign: vi.fn(async () => ({ thread: taken, message: event(5, { from: { kind: 'queue' }, to: { kind: 'agent', name: 'Sam' }, by: { kind: 'agent', name: 'Sam' }, reason: 'assigned' }) })),
    } as unknown as ApiClient;
    const channel = { connected: true, on: () => undefined, onStatus: () => undefined, typing: vi.fn(), read: vi.fn(async () => undefined), close: vi.fn() } as unknown as AgentChannel;
    history.replaceState(null, '', '/agent/');
    render(<Console credentials={{ apiKey: 'tl_sk_test', name: 'Sam' }} api={api} channel={() => channel} onSignOut={() => undefined} />);

    const queue = await screen.findByRole('radio', { name: /Queue/ });
    fireEvent.click(queue);
    const list = screen.getByRole('navigation', { name: 'Conversations' });
    await waitFor(() => expect(within(list).getAllByRole('button').map((b) => b.textContent)).toEqual([expect.stringContaining('Ann'), expect.stringContaining('Bo')]));
    expect(within(list).getByText('Waiting 50 min')).toBeTruthy();
    expect(within(list).getByText('Waiting 10 min')).toBeTruthy();

    fireEvent.click(within(list).getAllByRole('button')[0]!);
    const log = await screen.findByRole('log', { name: 'Messages' });
    await within(log).findByText('Which order number?');
    expect(within(log).getByText('Order bot')).toBeTruthy();
    expect(within(log).getByText(/Waiting for a person — the shopper asked for a person/)).toBeTruthy();
    const bar = screen.getByRole('group', { name: 'Who handles this conversation' });
    expect(within(bar).getByText('Waiting for a person · 50 min')).toBeTruthy();
    expect(within(bar).getByRole('option', { name: 'Maya' })).toBeTruthy();
    expect(within(bar).getByRole('button', { name: 'Hand back to bot' })).toBeTruthy();

    fireEvent.click(within(bar).getByRole('button', { name: 'Assign to me' }));
    await waitFor(() => expect(api.assign).toHaveBeenCalledWith('q1', { to: { agent: { id: 'sam', name: 'Sam' } }, by: { kind: 'agent', name: 'Sam' } }));
    await within(bar).findByText('Assigned to you');
    await within(log).findByText(/Sam took the conversation/);
    // Taken: it leaves the queue.
    expect(within(list).getAllByRole('button').map((b) => b.textContent)).toEqual([expect.stringContaining('Bo')]);
    vi.useRealTimers();
  });
});
