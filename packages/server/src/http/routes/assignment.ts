import type { FastifyInstance } from 'fastify';
import { LIMITS } from '@threadline/protocol';
import { ServerError } from '../../errors.js';
import type { AssignTarget } from '../../store/assignment.js';
import { requireApp } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { agentThreadSchema, errorSchema, messageSchema, threadIdParams } from '../schemas.js';

const agentSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 64, description: "The brand's own id of the agent (kept from the visitor)" },
    name: { type: 'string', minLength: 1, maxLength: 120, description: 'Display name, shown to the visitor ("Maya joined")' },
  },
  required: ['id', 'name'],
} as const;

export const assignBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    to: {
      description: '`bot`, `queue` (waiting for a person) or `{ agent: { id, name } }`',
      anyOf: [{ type: 'string', enum: ['bot', 'queue'] }, { type: 'object', additionalProperties: false, properties: { agent: agentSchema }, required: ['agent'] }],
    },
    reason: { type: 'string', minLength: 1, maxLength: 200, description: 'Kept in the event and its webhook; `assigned` when left out' },
    by: {
      type: 'object',
      additionalProperties: false,
      properties: { kind: { type: 'string', enum: ['agent', 'bot'] }, name: { type: 'string', minLength: 1, maxLength: 120 } },
      required: ['kind'],
      description: 'Who asks (shown to agents in the event); `{ kind: "agent" }` when left out',
    },
  },
  required: ['to'],
} as const;

const botSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    enabled: { type: 'boolean', description: 'A bot handles new threads; a bot message on a thread it does not handle is refused (`bot_not_assigned`)' },
    handoffWords: {
      type: 'array',
      maxItems: 50,
      items: { type: 'string', minLength: 1, maxLength: 40 },
      description: 'A visitor message that is one of these (or has one as a word, in up to six words) moves a bot thread to the queue',
    },
  },
  required: ['enabled'],
} as const;

type AssignBody = {
  to: 'bot' | 'queue' | { agent: { id: string; name: string } };
  reason?: string;
  by?: { kind: 'agent' | 'bot'; name?: string };
};

/**
 * Who handles a thread (docs/server.md, "Who handles a thread"): `POST /v1/threads/:id/assign`,
 * the console's queue (`GET /v1/queue`), and the app's bot settings (`GET`/`PUT /v1/bot`).
 */
export function assignmentRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { store, messaging, bots } = deps;

  app.post<{ Params: { id: string }; Body: AssignBody }>(
    '/v1/threads/:id/assign',
    {
      schema: {
        tags: ['threads'],
        summary: 'Give a thread to the bot, the queue (waiting for a person) or an agent',
        description:
          'Leaves a `thread.assigned` system message in the thread (kind `event`, `meta: { event, from, to, by, reason }`) and sends the `thread.assigned` webhook, in one transaction. The same assignee again changes nothing (`message: null`). `to: "bot"` needs the app\'s bot enabled (`PUT /v1/bot`).',
        security: [{ apiKey: [] }],
        params: threadIdParams,
        body: assignBody,
        response: {
          200: { type: 'object', properties: { thread: agentThreadSchema, message: { anyOf: [messageSchema, { type: 'null' }] } } },
          400: errorSchema,
          401: errorSchema,
          404: errorSchema,
          429: errorSchema,
        },
      },
    },
    async (req) => {
      const appRow = await requireApp(req, store);
      const { to, reason, by } = req.body;
      let target: AssignTarget;
      if (to === 'bot') {
        // Nobody would answer: a thread given to a bot that is not there would wait forever.
        if (!(await bots.get(appRow.id)).enabled) throw new ServerError('bad_request', 'to: this app has no bot enabled (PUT /v1/bot { "enabled": true })');
        target = { kind: 'bot' };
      } else if (to === 'queue') target = { kind: 'queue' };
      else {
        const name = to.agent.name.trim();
        if (!name) throw new ServerError('bad_request', 'to.agent.name: blank');
        target = { kind: 'agent', id: to.agent.id, name };
      }
      return messaging.assign(appRow.id, req.params.id, { to: target, by: by ?? { kind: 'agent' }, reason: reason?.trim() || 'assigned' });
    },
  );

  app.get<{ Querystring: { limit: number } }>(
    '/v1/queue',
    {
      schema: {
        tags: ['threads'],
        summary: 'Open threads waiting for a person, longest waiting first',
        description: "Each thread's `assignee.since` is when it started waiting.",
        security: [{ apiKey: [] }],
        querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: LIMITS.maxPageSize, default: 50 } } },
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: agentThreadSchema } } }, 401: errorSchema },
      },
    },
    async (req) => {
      const appRow = await requireApp(req, store);
      return { items: await messaging.agentThreads(await store.queueOf(appRow.id, req.query.limit)) };
    },
  );

  app.get(
    '/v1/bot',
    {
      schema: {
        tags: ['bot'],
        summary: "The app's bot: whether it handles new threads, and the handoff words",
        security: [{ apiKey: [] }],
        response: { 200: { ...botSettingsSchema, required: ['enabled', 'handoffWords'] }, 401: errorSchema },
      },
    },
    async (req) => bots.get((await requireApp(req, store)).id),
  );

  app.put<{ Body: { enabled: boolean; handoffWords?: string[] } }>(
    '/v1/bot',
    {
      schema: {
        tags: ['bot'],
        summary: "Replaces the app's bot settings",
        description: 'Threads that exist keep their assignee; `handoffWords` left out: the default list (human, agent, person, 人工, 真人, 客服).',
        security: [{ apiKey: [] }],
        body: botSettingsSchema,
        response: { 200: { ...botSettingsSchema, required: ['enabled', 'handoffWords'] }, 400: errorSchema, 401: errorSchema },
      },
    },
    async (req) => bots.put((await requireApp(req, store)).id, req.body),
  );
}
