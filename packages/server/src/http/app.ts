import Fastify, { type FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import fastifyStatic from '@fastify/static';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROTOCOL_VERSION } from '@threadline/protocol';
import type { HttpDeps } from './deps.js';
import { errorHandler } from './errors.js';
import { isOriginAllowed } from './origins.js';
import { fileRoutes } from './routes/files.js';
import { proactiveRoutes } from './routes/proactive.js';
import { sessionRoutes } from './routes/sessions.js';
import { threadRoutes } from './routes/threads.js';
import { webhookRoutes } from './routes/webhooks.js';

export const SERVER_VERSION = '0.1.0';

/** Builds the HTTP API (not listening yet: server.ts shares its port with socket.io). */
export async function buildHttp(deps: HttpDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    // Per-request logs are noise for a reference server; Fastify logs warnings and errors only.
    logger: config.logLevel === 'silent' ? false : { level: ['debug', 'trace'].includes(config.logLevel) ? config.logLevel : 'warn' },
    trustProxy: config.trustProxy,
    bodyLimit: 256 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, useDefaults: true, allErrors: false } },
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) => reply.status(404).send({ error: { code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` } }));

  // Origins allowed by any app may call the API from a browser; per-app checks happen on use.
  let origins: { list: string[]; at: number } = { list: [], at: 0 };
  await app.register(cors, {
    origin: (origin, cb) => {
      if (!origin) return cb(null, true);
      const fresh = Date.now() - origins.at < 5000;
      const check = (list: string[]) => cb(null, isOriginAllowed(list, origin));
      if (fresh) return check(origins.list);
      deps.store.allOrigins().then((list) => {
        origins = { list, at: Date.now() };
        check(list);
      }, (err: Error) => cb(err, false));
    },
    methods: ['GET', 'POST', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'idempotency-key'],
    exposedHeaders: ['retry-after'],
    maxAge: 600,
  });
  await app.register(rateLimit, {
    global: true,
    max: config.rateLimits.httpPerIp,
    timeWindow: config.rateLimits.windowMs,
    allowList: (req) => req.url === '/health',
    errorResponseBuilder: (_req, ctx) => ({
      statusCode: 429,
      code: 'rate_limited',
      message: `too many requests; retry in ${Math.ceil(ctx.ttl / 1000)} s`,
      retryAfterMs: ctx.ttl,
    }),
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
  });

  app.get('/health', { schema: { tags: ['meta'], summary: 'Liveness and versions' } }, async () => ({
    ok: true,
    version: SERVER_VERSION,
    protocol: PROTOCOL_VERSION,
  }));
  app.get('/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await serveWidget(app, config.widgetDir ?? defaultWidgetDir());

  threadRoutes(app, deps);
  proactiveRoutes(app, deps);
  webhookRoutes(app, deps);
  fileRoutes(app, deps);
  sessionRoutes(app, deps);
  return app;
}

/** `packages/widget/dist` of this checkout (same depth from src/http and dist/http). */
function defaultWidgetDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../widget/dist');
}

/**
 * Serves the widget bundle at `/widget/`. Shops on other origins load it with a script tag and
 * its chunks with dynamic import(), which is a CORS request: hence `Access-Control-Allow-Origin: *`
 * on these public files only. The entry keeps a stable URL (short cache); hashed chunks are immutable.
 */
async function serveWidget(app: FastifyInstance, dir: string): Promise<void> {
  if (!fs.existsSync(dir)) {
    app.get('/widget/*', { schema: { hide: true } }, async (_req, reply) =>
      reply.status(404).send({ error: { code: 'not_found', message: 'the widget is not built: run "pnpm build"' } }),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/widget/',
    decorateReply: false,
    index: false,
    setHeaders(res, file) {
      res.setHeader('access-control-allow-origin', '*');
      res.setHeader('cross-origin-resource-policy', 'cross-origin');
      res.setHeader('x-content-type-options', 'nosniff');
      const hashed = /[.-][\w-]{8,}\.(js|css|mjs)$/.test(path.basename(file)) && !/^threadline(\.[a-z]+)?\.js$/.test(path.basename(file));
      res.setHeader('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'public, max-age=300');
    },
  });
}
