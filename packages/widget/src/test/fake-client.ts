import type { Client, ClientEventMap, ClientEventName, MessageView, NotifyEmailResult, ProactivePrompt, Snapshot, ThreadView } from '@threadline/core';
import type { Availability } from '@threadline/protocol';
import { vi } from 'vitest';

/**
 * A stand-in for the core's Client in component tests: a settable snapshot, recorded calls, and
 * an `emit` to fire events. It knows nothing of storage or sockets.
 */
export function emptySnapshot(): Snapshot {
  return {
    status: 'ready',
    connection: 'connected',
    connectionError: null,
    storage: 'indexeddb',
    role: 'solo',
    session: { visitorId: 'v1', userId: null, maxUploadBytes: 10 * 1024 * 1024 },
    threads: [],
    messages: {},
    uploads: {},
    typing: {},
    proactive: [],
    totalUnread: 0,
  };
}

export type FakeClient = Client & {
  set(patch: Partial<Snapshot>): void;
  emit<K extends ClientEventName>(event: K, payload: ClientEventMap[K]): void;
};

export function createFakeClient(initial: Partial<Snapshot> = {}): FakeClient {
  let snapshot: Snapshot = { ...emptySnapshot(), ...initial };
  const listeners = new Set<() => void>();
  const handlers = new Map<string, Set<(p: unknown) => void>>();
  let threadSeq = 0;
  const client = {
    subscribe(l: () => void) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    getSnapshot: () => snapshot,
    on<K extends ClientEventName>(event: K, l: (p: ClientEventMap[K]) => void) {
      const listener = l as (p: unknown) => void;
      if (!handlers.has(event)) handlers.set(event, new Set());
      handlers.get(event)!.add(listener);
      return () => handlers.get(event)!.delete(listener);
    },
    set(patch: Partial<Snapshot>) {
      snapshot = { ...snapshot, ...patch };
      listeners.forEach((l) => l());
    },
    emit(event: string, payload: unknown) {
      handlers.get(event)?.forEach((h) => h(payload));
    },
    whenReady: vi.fn(async () => {}),
    start: vi.fn(async () => {}),
    startThread: vi.fn(() => `t-new-${++threadSeq}`),
    send: vi.fn(() => 'c-sent'),
    retry: vi.fn(),
    discard: vi.fn(),
    openThread: vi.fn(async () => {}),
    loadOlder: vi.fn(async () => false),
    markRead: vi.fn(),
    setTyping: vi.fn(),
    identify: vi.fn(async () => {}),
    updateContext: vi.fn(),
    track: vi.fn(),
    rate: vi.fn(),
    setNotifyEmail: vi.fn(async (email: string | null): Promise<NotifyEmailResult> => ({ ok: true, email })),
    availability: vi.fn(async (): Promise<Availability | null> => null),
    attachThread: vi.fn(async (): Promise<string | null> => null),
    reportProactive: vi.fn(),
    replyProactive: vi.fn(() => 't-from-prompt'),
    attachmentUrl: vi.fn(async () => 'blob:fake'),
    pendingFileUrl: vi.fn(async (): Promise<string | null> => null),
    shutdown: vi.fn(async () => {}),
    destroy: vi.fn(),
  } satisfies FakeClient;
  return client;
}

const T0 = Date.parse('2026-03-02T10:00:00Z');
let n = 0;

export function message(over: Partial<MessageView> = {}): MessageView {
  const i = ++n;
  return {
    key: `k${i}`,
    id: `m${i}`,
    clientId: over.own ? `c${i}` : null,
    threadId: 't1',
    seq: i,
    author: over.own ? { kind: 'visitor' } : { kind: 'agent', name: 'Mia' },
    text: `Message ${i}`,
    attachments: [],
    pendingFiles: [],
    kind: 'text',
    createdAt: new Date(T0 + i * 60_000).toISOString(),
    state: 'sent',
    error: null,
    own: false,
    ...over,
  };
}

export function thread(over: Partial<ThreadView> = {}): ThreadView {
  return {
    id: 't1',
    status: 'open',
    lastSeq: 1,
    lastMessage: null,
    unread: 0,
    visitorReadSeq: 0,
    agentReadSeq: 0,
    campaign: null,
    rating: null,
    createdAt: new Date(T0).toISOString(),
    updatedAt: new Date(T0).toISOString(),
    local: false,
    hasOlder: false,
    loadingOlder: false,
    ...over,
  };
}

export function prompt(over: Partial<ProactivePrompt> = {}): ProactivePrompt {
  return {
    id: 'p1',
    text: 'Need help choosing a size? We reply in minutes.',
    display: 'toast',
    campaign: 'checkout',
    author: { kind: 'agent', name: 'Mia' },
    expiresAt: null,
    createdAt: new Date(T0).toISOString(),
    shown: false,
    ...over,
  };
}

/** Ids of the prompts the widget reported `shown`, in order. */
export function shownIds(client: { reportProactive: Client['reportProactive'] }): string[] {
  return vi.mocked(client.reportProactive).mock.calls.filter(([, event]) => event === 'shown').map(([id]) => id);
}
