import type { AgentThread, AgentVisitor, Message } from '@threadline/protocol';

export function visitor(patch: Partial<AgentVisitor> = {}): AgentVisitor {
  return { id: 'v1', userId: null, name: null, email: null, context: {}, online: true, lastSeenAt: null, ...patch };
}

export function message(seq: number, patch: Partial<Message> = {}): Message {
  return {
    id: `m${seq}`,
    clientId: null,
    threadId: 't1',
    seq,
    author: { kind: 'visitor' },
    text: `message ${seq}`,
    attachments: [],
    kind: 'text',
    createdAt: new Date(Date.UTC(2025, 2, 10, 12, seq)).toISOString(),
    ...patch,
  };
}

export function thread(patch: Partial<AgentThread> = {}): AgentThread {
  return {
    id: 't1',
    status: 'open',
    lastSeq: 1,
    lastMessage: message(1),
    unread: 1,
    visitorReadSeq: 0,
    agentReadSeq: 0,
    campaign: null,
    rating: null,
    createdAt: '2025-03-10T12:00:00.000Z',
    updatedAt: '2025-03-10T12:01:00.000Z',
    visitor: visitor(),
    ...patch,
  };
}
