import type { FastifyInstance } from 'fastify';
import { notFound } from '../../errors.js';
import { WEBHOOK_EVENTS } from '../../webhooks/dispatcher.js';
import { requireApp } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { errorSchema } from '../schemas.js';

const webhookSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    url: { type: 'string' },
    events: { type: 'array', items: { type: 'string' } },
    secret: { type: 'string', description: 'Shown when created: verify `Threadline-Signature` with it' },
    createdAt: { type: 'string' },
  },
} as const;

export function webhookRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.post<{ Body: { url: string; events?: string[] } }>(
    '/v1/webhooks',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Register a webhook endpoint',
        description:
          'A URL whose host is, or resolves to, a loopback, private, link-local or reserved address (127.0.0.0/8, 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 169.254.0.0/16, ::1, fc00::/7, fe80::/10, IPv4-mapped forms, …) is refused with 400 `webhook_url_not_allowed`, unless the server runs with THREADLINE_WEBHOOK_ALLOW_PRIVATE=1. Every delivery checks the resolved address again and connects to that address only.',
        security: [{ apiKey: [] }],
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            url: { type: 'string', pattern: '^https?://', maxLength: 2048 },
            events: { type: 'array', items: { type: 'string', enum: ['*', ...WEBHOOK_EVENTS] }, uniqueItems: true },
          },
          required: ['url'],
        },
        response: { 201: webhookSchema, 400: errorSchema, 401: errorSchema },
      },
    },
    async (req, reply) => {
      const appRow = await requireApp(req, deps.store);
      const row = await deps.webhooks.register(appRow.id, req.body.url, req.body.events ?? []);
      return reply.status(201).send({ id: row.id, url: row.url, events: JSON.parse(row.events), secret: row.secret, createdAt: new Date(row.created_at).toISOString() });
    },
  );

  app.get('/v1/webhooks', { schema: { tags: ['webhooks'], summary: 'List webhook endpoints', security: [{ apiKey: [] }] } }, async (req) => {
    const appRow = await requireApp(req, deps.store);
    const rows = await deps.webhooks.list(appRow.id);
    return { items: rows.map((r) => ({ id: r.id, url: r.url, events: JSON.parse(r.events), createdAt: new Date(Number(r.created_at)).toISOString() })) };
  });

  app.delete<{ Params: { id: string } }>(
    '/v1/webhooks/:id',
    { schema: { tags: ['webhooks'], summary: 'Remove a webhook endpoint', security: [{ apiKey: [] }] } },
    async (req, reply) => {
      const appRow = await requireApp(req, deps.store);
      if (!(await deps.webhooks.remove(appRow.id, req.params.id))) throw notFound('webhook');
      return reply.status(204).send();
    },
  );
}
