/** JSON Schemas of the HTTP API: they validate requests and generate /v1/openapi.json. */
import { LIMITS } from '@threadline/protocol';

const str = { type: 'string' } as const;
const nullableStr = { type: ['string', 'null'] } as const;

export const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: str, message: str, retryAfterMs: { type: 'integer' } },
      required: ['code', 'message'],
    },
  },
} as const;

export const authorSchema = {
  type: 'object',
  properties: { kind: { type: 'string', enum: ['visitor', 'agent', 'bot', 'system'] }, name: str, avatarUrl: str },
  required: ['kind'],
} as const;

export const attachmentSchema = {
  type: 'object',
  properties: {
    id: str,
    name: str,
    mime: str,
    size: { type: 'integer' },
    url: str,
    width: { type: 'integer' },
    height: { type: 'integer' },
    durationMs: { type: 'integer' },
  },
  required: ['id', 'name', 'mime', 'size', 'url'],
} as const;

const quickReplySchema = { type: 'object', properties: { label: str, value: str }, required: ['label'] } as const;

/**
 * A rich content block (protocol `Block`). Described, not checked, here: the route checks blocks
 * with the protocol's validators, whose errors name the field; `additionalProperties` lets the
 * response carry every part of a block.
 */
export const blockSchema = {
  type: 'object',
  description:
    'One of: `{ type: "buttons", buttons }`, `{ type: "card", title, subtitle?, image?: { url, alt? }, fields?: [{ label, value }], buttons? }`, `{ type: "carousel", cards }`, `{ type: "form", fields: [{ name, label, type?: "text"|"email", pattern?, hint?, required? }], submitLabel? }`. A button is `{ type: "reply", label, value }`, `{ type: "url", label, url }` (http/https) or `{ type: "handoff", label }`. Limits and rules: docs/protocol.md, "Rich messages".',
  properties: { type: { type: 'string', enum: ['buttons', 'card', 'carousel', 'form'] } },
  required: ['type'],
  additionalProperties: true,
} as const;

export const messageSchema = {
  type: 'object',
  properties: {
    id: str,
    clientId: nullableStr,
    threadId: str,
    seq: { type: 'integer' },
    author: authorSchema,
    text: str,
    attachments: { type: 'array', items: attachmentSchema },
    kind: { type: 'string', enum: ['text', 'proactive', 'rating', 'event'] },
    quickReplies: { type: 'array', items: quickReplySchema },
    blocks: { type: 'array', items: blockSchema, description: 'Rich content; `text` is its fallback (docs/protocol.md, "Rich messages").' },
    meta: { type: 'object', additionalProperties: true },
    createdAt: { type: 'string', format: 'date-time' },
  },
  required: ['id', 'clientId', 'threadId', 'seq', 'author', 'text', 'attachments', 'kind', 'createdAt'],
} as const;

export const visitorSchema = {
  type: 'object',
  properties: {
    id: str,
    userId: nullableStr,
    name: nullableStr,
    email: nullableStr,
    context: { type: 'object', additionalProperties: true },
    online: { type: 'boolean' },
    lastSeenAt: nullableStr,
  },
  required: ['id', 'userId', 'context', 'online'],
} as const;

export const agentThreadSchema = {
  type: 'object',
  properties: {
    id: str,
    status: { type: 'string', enum: ['open', 'resolved'] },
    lastSeq: { type: 'integer' },
    lastMessage: { anyOf: [messageSchema, { type: 'null' }] },
    unread: { type: 'integer', description: 'Visitor messages after the brand read horizon' },
    visitorReadSeq: { type: 'integer' },
    agentReadSeq: { type: 'integer' },
    campaign: nullableStr,
    rating: {
      anyOf: [{ type: 'object', properties: { score: { type: 'integer' }, comment: str }, required: ['score'] }, { type: 'null' }],
    },
    assignee: {
      type: 'object',
      description: 'Who handles the thread: `bot`, `queue` (waiting for a person) or `agent` (id, name); `since`: when it got this assignee',
      properties: { kind: { type: 'string', enum: ['bot', 'queue', 'agent'] }, id: str, name: str, since: nullableStr },
      required: ['kind', 'since'],
    },
    createdAt: str,
    updatedAt: str,
    visitor: visitorSchema,
  },
  required: ['id', 'status', 'lastSeq', 'unread', 'visitorReadSeq', 'agentReadSeq', 'createdAt', 'updatedAt', 'visitor'],
} as const;

export const proactiveSchema = {
  type: 'object',
  properties: {
    id: str,
    text: str,
    display: { type: 'string', enum: ['toast', 'open'] },
    campaign: nullableStr,
    author: authorSchema,
    quickReplies: { type: 'array', items: quickReplySchema },
    blocks: { type: 'array', items: blockSchema, description: 'Rich content shown when the prompt opens in the panel; `text` is its fallback (docs/protocol.md, "Rich messages").' },
    expiresAt: nullableStr,
    createdAt: str,
  },
  required: ['id', 'text', 'display', 'campaign', 'author', 'expiresAt', 'createdAt'],
} as const;

export const threadIdParams = {
  type: 'object',
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
  required: ['id'],
} as const;

export const postMessageBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    text: { type: 'string', maxLength: LIMITS.maxTextLength, default: '' },
    attachments: { type: 'array', items: { type: 'string' }, maxItems: LIMITS.maxAttachments, description: 'Upload ids from POST /v1/uploads' },
    author: {
      type: 'object',
      additionalProperties: false,
      properties: {
        kind: { type: 'string', enum: ['agent', 'bot'] },
        name: { type: 'string', maxLength: 120 },
        avatarUrl: { type: 'string', maxLength: 2048, pattern: '^https?://' },
      },
      required: ['kind'],
    },
    quickReplies: {
      type: 'array',
      maxItems: 10,
      items: {
        type: 'object',
        additionalProperties: false,
        properties: { label: { type: 'string', minLength: 1, maxLength: 80 }, value: { type: 'string', maxLength: 200 } },
        required: ['label'],
      },
    },
    blocks: {
      type: 'array',
      maxItems: LIMITS.maxBlocks,
      items: blockSchema,
      description: 'Buttons, cards, a carousel or a form shown with the text, which stays their fallback (required with blocks). A bad block answers 400 `bad_request` naming it, e.g. `body: blocks.0.buttons.1.url: must be an http or https URL`.',
    },
  },
} as const;

export const proactiveBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    to: {
      type: 'object',
      additionalProperties: false,
      properties: { userId: { type: 'string', minLength: 1, maxLength: 128 }, visitorId: { type: 'string', minLength: 1, maxLength: 64 } },
      minProperties: 1,
      maxProperties: 1,
    },
    text: { type: 'string', minLength: 1, maxLength: LIMITS.maxTextLength },
    display: { type: 'string', enum: ['toast', 'open'] },
    campaign: { type: 'string', minLength: 1, maxLength: 120 },
    expiresAt: { type: 'string', format: 'date-time' },
    author: postMessageBody.properties.author,
    quickReplies: postMessageBody.properties.quickReplies,
    blocks: {
      ...postMessageBody.properties.blocks,
      description:
        'Buttons, cards, a carousel or a form, shown when the prompt opens in the panel (a toast shows the text, their fallback) and copied with the prompt into the thread it starts. Checked as a message\'s: a bad block answers 400 `bad_request` naming it, e.g. `body: blocks.0.buttons.1.url: must be an http or https URL`.',
    },
  },
  required: ['to', 'text'],
} as const;
