import { shedWhenBusy } from '../shed.js';
import Fastify, { type FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import { PROTOCOL_VERSION } from '@threadline/protocol';
import type { ServerConfig } from '../config.js';
import type { HttpDeps } from './deps.js';
import { errorHandler } from './errors.js';
import { fileRoutes } from './routes/files.js';
import { proactiveRoutes } from './routes/proactive.js';
import { campaignRoutes } from './routes/campaigns.js';
import { sessionRoutes } from './routes/sessions.js';
import { threadRoutes } from './routes/threads.js';
import { webhookRoutes } from './routes/webhooks.js';
import { notificationRoutes } from './routes/notifications.js';
import { availabilityRoutes } from './routes/availability.js';
import { assignmentRoutes } from './routes/assignment.js';
import { locateWidget, serveWidget } from './widget.js';

export const SERVER_VERSION = '0.1.0';

/**
 * The Fastify instance, created before anything else: its pino logger (`app.log`) is the server's
 * one logger, handed to the socket channels, the webhook dispatcher, the rule engine and the
 * upload collector. `logLevel: 'silent'` turns it off entirely.
 */
export function createHttp(config: Pick<ServerConfig, 'logLevel' | 'trustProxy'>, logStream?: NodeJS.WritableStream): FastifyInstance {
  const level = ['debug', 'trace'].includes(config.logLevel) ? config.logLevel : 'warn';
  return Fastify({
    // Per-request logs are noise for a reference server; Fastify logs warnings and errors only.
    logger: config.logLevel === 'silent' ? false : logStream ? { level, stream: logStream } : { level },
    trustProxy: config.trustProxy,
    bodyLimit: 256 * 1024,
    // allowUnionTypes: `type: [...]` (a campaign condition's scalar value) is taken as is.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, useDefaults: true, allErrors: false, allowUnionTypes: true } },
  });
}

/** Registers the HTTP API on `app` (not listening yet: server.ts shares its port with socket.io). */
export async function buildHttp(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  const { config } = deps;
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) => reply.status(404).send({ error: { code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` } }));

  // Origins allowed by any app may call the API from a browser; per-app checks happen on use.
  await app.register(cors, {
    origin: (origin, cb) => {
      deps.originAllowed(origin).then((ok) => cb(null, ok), (err: Error) => cb(err, false));
    },
    methods: ['GET', 'POST', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'idempotency-key'],
    exposedHeaders: ['retry-after'],
    maxAge: 600,
  });
  // Every request but the liveness probe draws on its address's budget (behind a proxy, the
  // X-Forwarded-For client: Fastify's `req.ip` follows `trustProxy`). After CORS, so a refusal
  // still carries the CORS headers a browser needs to read it. A refusal throws `rate_limited`,
  // which the error handler answers 429 with `Retry-After`.
  app.addHook('onRequest', async (req, reply) => {
    if (req.url === '/health' || req.url.startsWith('/health?')) return;
    const budget = await deps.httpLimiter.take(req.ip);
    reply.header('x-ratelimit-limit', budget.limit);
    reply.header('x-ratelimit-remaining', budget.remaining);
    reply.header('x-ratelimit-reset', Math.ceil(budget.resetMs / 1000));
    // While the database is far behind, an API request is refused (503 `unavailable`, `Retry-After`)
    // before it queues a statement: a brand's backend retries later rather than wait for seconds.
    if (deps.backlog && req.url.startsWith('/v1/') && !req.url.startsWith('/v1/openapi.json')) shedWhenBusy(deps.backlog(), 'request');
  });
  await app.register(multipart, { limits: { fileSize: config.maxUploadBytes, files: 1, fields: 5, fieldSize: 1024 } });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Threadline reference server',
        version: SERVER_VERSION,
        description:
          'HTTP API for the brand backend and agents. Errors are `{ error: { code, message } }`; codes are listed in docs/protocol.md.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'The app API key' },
          visitorToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A visitor token from the socket `session` event' },
        },
      },
    },
    // The description holds the API alone: the routes a host program adds with `extend` (the demo's
    // shop pages and sign-in, say) are its own, not part of the API.
    transform: ({ schema, url }) => ({ schema: isApiPath(url) ? schema : { ...schema, hide: true }, url }),
  });

  app.get('/health', { schema: { tags: ['meta'], summary: 'Liveness and versions' } }, async () => ({
    ok: true,
    version: SERVER_VERSION,
    protocol: PROTOCOL_VERSION,
  }));
  app.get('/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await serveWidget(app, locateWidget(config.widgetDir));

  threadRoutes(app, deps);
  proactiveRoutes(app, deps);
  campaignRoutes(app, deps);
  webhookRoutes(app, deps);
  fileRoutes(app, deps);
  sessionRoutes(app, deps);
  notificationRoutes(app, deps);
  availabilityRoutes(app, deps);
  assignmentRoutes(app, deps);
}

/** Whether a route belongs to the HTTP API that `/v1/openapi.json` describes. */
function isApiPath(url: string): boolean {
  return url === '/health' || url.startsWith('/v1/');
}
