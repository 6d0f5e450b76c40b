import { fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AgentThread, AgentVisitor } from '@threadline/protocol';
import type { ApiClient } from '../api/api-client.js';
import type { AgentChannel } from '../inbox/agent-channel.js';
import { message, thread, visitor } from '../test/fixtures.js';
import { Console } from './Console.js';

// A pane that throws on data it cannot show, to prove the others keep working. The real panes
// render every other visitor and thread.
vi.mock('./VisitorPanel.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('./VisitorPanel.js')>();
  return {
    VisitorPanel: (props: Parameters<typeof real.VisitorPanel>[0]) => {
      if (props.visitor.id === 'v-corrupt') throw new Error('visitor data is corrupt');
      return <real.VisitorPanel {...props} />;
    },
  };
});
vi.mock('./ThreadView.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('./ThreadView.js')>();
  return {
    ...real,
    ThreadView: (props: Parameters<typeof real.ThreadView>[0]) => {
      if (props.thread.id === 't-corrupt') throw new Error('thread data is corrupt');
      return <real.ThreadView {...props} />;
    },
  };
});

function fakeChannel(): AgentChannel {
  return { connected: true, on: () => undefined, onStatus: () => undefined, typing: vi.fn(), read: vi.fn(async () => undefined), close: vi.fn() };
}

function fakeApi(threads: AgentThread[], online: AgentVisitor[] = []): ApiClient {
  return {
    listThreads: vi.fn(async () => ({ items: threads, next: null })),
    listOnlineVisitors: vi.fn(async () => ({ items: online })),
    getThread: vi.fn(async (id: string) => threads.find((t) => t.id === id)!),
    listMessages: vi.fn(async (threadId: string) => ({ items: [message(1, { threadId, text: `hello from ${threadId}` })], more: false })),
    getVisitor: vi.fn(async (id: string) => ({ ...(threads.find((t) => t.visitor.id === id)?.visitor ?? visitor({ id })), events: [] })),
    upload: vi.fn(),
    fetchFile: vi.fn(),
    listQueue: vi.fn(async () => ({ items: threads.filter((t) => t.assignee?.kind === 'queue') })),
    listTeam: vi.fn(async () => []),
    getBot: vi.fn(async () => ({ enabled: false })),
  } as unknown as ApiClient;
}

function open(api: ApiClient, threadId: string | null) {
  history.replaceState(null, '', threadId ? `/agent/#thread=${threadId}` : '/agent/');
  render(<Console credentials={{ apiKey: 'tl_sk_test', name: 'Sam' }} api={api} channel={fakeChannel} onSignOut={() => undefined} />);
}

const broken = visitor({ id: 'v-broken', name: 'Eve', context: { locale: 'x!', cart: { value: 120, currency: 'EUR' } } });

beforeEach(() => {
  // Errors caught by the boundaries are still logged; keep the test output readable.
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(() => vi.restoreAllMocks());

describe('Console', () => {
  it('shows the conversation and the visitor panel for a visitor whose stored locale is broken', async () => {
    open(fakeApi([thread({ id: 't1', visitor: broken })], [broken]), 't1');
    const log = await screen.findByRole('log', { name: 'Messages' });
    await waitFor(() => expect(within(log).getByText('hello from t1')).toBeTruthy());
    const panel = screen.getByRole('complementary', { name: 'Visitor details' });
    expect(within(panel).getByText('Language: x!')).toBeTruthy();
    expect(within(panel).getByText(/120/)).toBeTruthy();
  });

  it('lists a visitor whose stored locale is broken on the proactive tab', async () => {
    open(fakeApi([thread({ id: 't1', visitor: broken })], [broken]), null);
    fireEvent.click(await screen.findByRole('button', { name: /Proactive message/ }));
    expect(await screen.findByText('Eve')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Send now' })).toBeTruthy();
  });

  it('shows why in the visitor pane when it cannot render, and keeps the conversation and the list working', async () => {
    const corrupt = visitor({ id: 'v-corrupt', name: 'Mallory' });
    const other = visitor({ id: 'v-ok', name: 'Bob' });
    open(fakeApi([thread({ id: 't1', visitor: corrupt }), thread({ id: 't2', visitor: other })]), 't1');
    const pane = await screen.findByRole('alert', { name: /visitor details/i });
    expect(pane.textContent).toMatch(/could not be shown/i);
    expect(pane.textContent).toMatch(/visitor data is corrupt/i);
    await waitFor(() => expect(screen.getByText('hello from t1')).toBeTruthy());
    expect(screen.getByRole('textbox', { name: 'Reply' })).toBeTruthy();
    // Another thread, another visitor: that pane works again.
    fireEvent.click(screen.getByRole('button', { name: /Bob/ }));
    await waitFor(() => expect(screen.getByRole('complementary', { name: 'Visitor details' })).toBeTruthy());
    expect(screen.queryByRole('alert', { name: /visitor details/i })).toBeNull();
  });

  it('shows why in the conversation pane when a thread cannot render, and keeps the inbox working', async () => {
    const other = visitor({ id: 'v-ok', name: 'Bob' });
    open(fakeApi([thread({ id: 't-corrupt', visitor: visitor({ id: 'v2', name: 'Trudy' }) }), thread({ id: 't2', visitor: other })]), 't-corrupt');
    const pane = await screen.findByRole('alert', { name: /conversation/i });
    expect(pane.textContent).toMatch(/thread data is corrupt/i);
    expect(screen.getByRole('complementary', { name: 'Visitor details' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: /Bob/ }));
    await waitFor(() => expect(screen.getByText('hello from t2')).toBeTruthy());
  });

  it('offers a way back to the list from a conversation that cannot render (on a phone the list is hidden)', async () => {
    open(fakeApi([thread({ id: 't-corrupt', visitor: visitor({ id: 'v2', name: 'Trudy' }) })]), 't-corrupt');
    const pane = await screen.findByRole('alert', { name: /conversation/i });
    fireEvent.click(within(pane).getByRole('button', { name: /Back to conversations/ }));
    await waitFor(() => expect(screen.queryByRole('alert', { name: /conversation/i })).toBeNull());
    expect(location.hash).toBe('');
  });
});
