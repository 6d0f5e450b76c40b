import type { FastifyInstance } from 'fastify';
import { LIMITS, richContentSchema, validate } from '@threadline/protocol';
import { ServerError, notFound } from '../../errors.js';
import { toAgentVisitor } from '../../store/rows.js';
import { decodeCursor, encodeCursor } from '../../store/cursor.js';
import { requireApp } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { agentThreadSchema, errorSchema, messageSchema, postMessageBody, threadIdParams, visitorSchema } from '../schemas.js';
import { unsafePatternProblem } from '../../services/form-patterns.js';


const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema, 429: errorSchema };

/** The brand backend and agents: read threads, answer, resolve/reopen, mark read. */
export function threadRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { store, messaging } = deps;

  app.get<{ Querystring: { status?: 'open' | 'resolved'; limit: number; cursor?: string } }>(
    '/v1/threads',
    {
      schema: {
        tags: ['threads'],
        summary: 'List threads, most recently active first',
        security: [{ apiKey: [] }],
        querystring: {
          type: 'object',
          properties: {
            status: { type: 'string', enum: ['open', 'resolved'] },
            limit: { type: 'integer', minimum: 1, maximum: LIMITS.maxPageSize, default: 50 },
            cursor: { type: 'string', description: '`next` from the previous page' },
          },
        },
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: agentThreadSchema }, next: { type: ['string', 'null'] } } },
          ...errors,
        },
      },
    },
    async (req) => {
      const appRow = await requireApp(req, store);
      const { status, limit, cursor } = req.query;
      const rows = await store.threadsOfApp(appRow.id, { status, limit: limit + 1, before: cursor ? decodeCursor(cursor) : undefined });
      const more = rows.length > limit;
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return { items: await messaging.agentThreads(page), next: more && last ? encodeCursor(Number(last.updated_at), last.id) : null };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/threads/:id',
    {
      schema: {
        tags: ['threads'],
        summary: "A thread with its visitor's context (page, cart, identity, device)",
        security: [{ apiKey: [] }],
        params: threadIdParams,
        response: { 200: agentThreadSchema, ...errors },
      },
    },
    async (req) => {
      const appRow = await requireApp(req, store);
      const row = await store.getThread(req.params.id);
      if (!row || row.app_id !== appRow.id) throw notFound('thread');
      return messaging.agentThread(row);
    },
  );

  app.get<{ Params: { id: string }; Querystring: { after?: number; before?: number; limit: number } }>(
    '/v1/threads/:id/messages',
    {
      schema: {
        tags: ['threads'],
        summary: 'Messages of a thread, ascending by seq: after a seq, before a seq, or the newest page',
        security: [{ apiKey: [] }],
        params: threadIdParams,
        querystring: {
          type: 'object',
          properties: {
            after: { type: 'integer', minimum: 0 },
            before: { type: 'integer', minimum: 1 },
            limit: { type: 'integer', minimum: 1, maximum: LIMITS.maxPageSize, default: 50 },
          },
        },
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: messageSchema }, more: { type: 'boolean' } } },
          ...errors,
        },
      },
    },
    async (req) => {
      const appRow = await requireApp(req, store);
      return messaging.messagesForBrand(appRow.id, req.params.id, req.query);
    },
  );

  app.post<{
    Params: { id: string };
    Body: { text: string; attachments?: string[]; author?: { kind: 'agent' | 'bot'; name?: string; avatarUrl?: string }; quickReplies?: { label: string; value?: string }[]; blocks?: unknown[] };
    Headers: { 'idempotency-key'?: string };
  }>(
    '/v1/threads/:id/messages',
    {
      schema: {
        tags: ['threads'],
        summary: 'Answer in a thread as an agent or bot',
        description:
          'Send `Idempotency-Key` to make retries safe: a repeat with the same key and body returns the original message (200); the same key with another body is a 409 `conflict`.',
        security: [{ apiKey: [] }],
        params: threadIdParams,
        headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 200 } } },
        body: postMessageBody,
        response: {
          200: { type: 'object', properties: { message: messageSchema, duplicate: { type: 'boolean' } } },
          201: { type: 'object', properties: { message: messageSchema, duplicate: { type: 'boolean' } } },
          ...errors,
          409: errorSchema,
          413: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const appRow = await requireApp(req, store);
      const { text, attachments = [], author = { kind: 'agent' as const } } = req.body;
      if (!text.trim() && attachments.length === 0) throw new ServerError('bad_request', 'body: a message needs text or at least one attachment');
      // Blocks and quick replies are checked by the protocol's validators (sizes, URL schemes, the
      // fallback text), which name the field that is wrong; the JSON Schema only documents them.
      const rich = validate(richContentSchema, { text, blocks: req.body.blocks, quickReplies: req.body.quickReplies });
      if (!rich.ok) throw new ServerError('bad_request', `body: ${rich.message}`);
      const { blocks, quickReplies } = rich.value;
      const slow = unsafePatternProblem(blocks);
      if (slow) throw new ServerError('bad_request', `body: ${slow}`);
      const result = await messaging.postFromBrand(appRow.id, req.params.id, {
        text,
        attachmentIds: attachments,
        author,
        quickReplies,
        blocks,
        idempotencyKey: req.headers['idempotency-key'] ?? null,
      });
      return reply.status(result.duplicate ? 200 : 201).send(result);
    },
  );

  for (const [action, status] of [
    ['resolve', 'resolved'],
    ['reopen', 'open'],
  ] as const) {
    app.post<{ Params: { id: string } }>(
      `/v1/threads/:id/${action}`,
      {
        schema: {
          tags: ['threads'],
          summary: action === 'resolve' ? 'Resolve a thread (the visitor is then asked for a rating)' : 'Reopen a resolved thread',
          security: [{ apiKey: [] }],
          params: threadIdParams,
          response: { 200: agentThreadSchema, ...errors },
        },
      },
      async (req) => {
        const appRow = await requireApp(req, store);
        return messaging.setStatus(appRow.id, req.params.id, status);
      },
    );
  }

  app.post<{ Params: { id: string }; Body: { seq: number } }>(
    '/v1/threads/:id/read',
    {
      schema: {
        tags: ['threads'],
        summary: "Move the brand's read horizon: the visitor's messages up to seq show as read",
        security: [{ apiKey: [] }],
        params: threadIdParams,
        body: { type: 'object', additionalProperties: false, properties: { seq: { type: 'integer', minimum: 0 } }, required: ['seq'] },
        response: { 200: agentThreadSchema, ...errors },
      },
    },
    async (req) => {
      const appRow = await requireApp(req, store);
      const row = await messaging.readByAgent(appRow.id, req.params.id, req.body.seq);
      return messaging.agentThread(row);
    },
  );

  app.get<{ Querystring: { online?: boolean; limit: number } }>(
    '/v1/visitors',
    {
      schema: {
        tags: ['visitors'],
        summary: 'Visitors on the site now (`online=true`), or the most recently seen',
        description: 'For sending a proactive message to someone who is browsing, with or without a thread.',
        security: [{ apiKey: [] }],
        querystring: {
          type: 'object',
          properties: { online: { type: 'boolean' }, limit: { type: 'integer', minimum: 1, maximum: LIMITS.maxPageSize, default: 50 } },
        },
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: visitorSchema } } }, ...errors },
      },
    },
    async (req) => {
      const appRow = await requireApp(req, store);
      const onlineIds = new Set(await messaging.onlineVisitorIds(appRow.id));
      const rows = req.query.online
        ? await store.visitorsByIds(appRow.id, [...onlineIds].slice(0, req.query.limit))
        : await store.recentVisitors(appRow.id, req.query.limit);
      return { items: rows.map((r) => toAgentVisitor(r, onlineIds.has(r.id))) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/visitors/:id',
    {
      schema: {
        tags: ['visitors'],
        summary: "A visitor's profile, context, presence and latest tracked events",
        security: [{ apiKey: [] }],
        params: threadIdParams,
      },
    },
    async (req) => {
      const appRow = await requireApp(req, store);
      const visitor = await store.getVisitor(req.params.id);
      if (!visitor || visitor.app_id !== appRow.id) throw notFound('visitor');
      const events = await store.eventsOf(visitor.id);
      return {
        ...toAgentVisitor(visitor, await messaging.isOnline(visitor.id)),
        events: events.map((e) => ({ name: e.name, props: e.props ? JSON.parse(e.props) : null, createdAt: new Date(Number(e.created_at)).toISOString() })),
      };
    },
  );
}
