import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { Server as SocketServer } from 'socket.io';
import type { Kysely } from 'kysely';
import { LIMITS } from '@threadline/protocol';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_TOKEN_TTL_DAYS, unattachedUploadsOf, type ServerConfig } from './config.js';
import { openDatabase } from './db/open.js';
import { applyMigrations, withStartupLock } from './db/migrate.js';
import type { Database } from './db/schema.js';
import { VisitorTokens } from './auth/tokens.js';
import { VisitorSessions } from './auth/sessions.js';
import { newApiKey, newSecret } from './auth/api-keys.js';
import { SqlStore, type AppRow } from './store/sql-store.js';
import { SessionStore } from './store/session-store.js';
import { WebhookStore } from './store/webhook-store.js';
import { toMessage } from './store/rows.js';
import { DiskFileStore, type FileStore } from './files/file-store.js';
import { UploadCollector } from './files/upload-collector.js';
import { WebhookDispatcher } from './webhooks/dispatcher.js';
import type { HostResolver } from './webhooks/target.js';
import { Messaging, type AgentNamespace, type VisitorServer } from './services/messaging.js';
import { ProactiveService } from './services/proactive.js';
import { RuleEngine, loadRules } from './services/rules.js';
import { Limiter } from './realtime/rate-limit.js';
import { attachVisitorChannel } from './realtime/visitor-channel.js';
import { attachAgentChannel } from './realtime/agent-channel.js';
import { EngineGuard } from './realtime/engine-guard.js';
import { cachedOriginCheck } from './http/origins.js';
import { buildHttp, createHttp } from './http/app.js';
import { makeDataDirPrivate } from './data-dir.js';

export interface ThreadlineServer {
  /** `http://host:port` once listening. */
  readonly url: string;
  readonly port: number;
  readonly http: FastifyInstance;
  readonly io: VisitorServer;
  readonly store: SqlStore;
  /** The campaign rules of `config.rulesFile` (null without one); `subscribe` hears each evaluation. */
  readonly rules: RuleEngine | null;
  /** The demo app; `apiKey` is set when it was created or configured in this run. */
  readonly demo: { app: AppRow; apiKey: string | null; created: boolean };
  listen(): Promise<void>;
  /** Stops accepting, disconnects sockets, finishes webhook rounds, closes the database. */
  close(): Promise<void>;
}

function tokenKeyOf(config: ServerConfig): string {
  if (config.tokenKey) return config.tokenKey;
  const file = path.join(config.dataDir, 'token.key');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const key = randomBytes(32).toString('base64url');
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, key, { mode: 0o600 });
  return key;
}

/**
 * The demo app: created once with the configured (or random) credentials; on later starts the
 * stored ones are kept unless the environment sets new ones. Created if absent, so a node that
 * lost the race to create it keeps the winner's key rather than writing its own random one.
 */
async function seedDemoApp(store: SqlStore, config: ServerConfig): Promise<{ app: AppRow; created: boolean; apiKey: string | null }> {
  const { demo } = config;
  const apiKey = demo.apiKey ?? newApiKey();
  const fresh = await store.createAppIfAbsent({ id: 'demo', name: 'Demo shop', apiKey, secret: demo.secret ?? newSecret(), allowedOrigins: demo.allowedOrigins });
  if (fresh.created) return { app: fresh.app, created: true, apiKey };
  const app = await store.updateApp('demo', { apiKey: demo.apiKey, secret: demo.secret, allowedOrigins: demo.allowedOrigins });
  return { app, created: false, apiKey: demo.apiKey ?? null };
}

/** How long `close()` lets open HTTP requests finish before it cuts their connections. */
const SHUTDOWN_GRACE_MS = 5000;

export interface CreateServerOptions {
  /**
   * Another database, SQLite or PostgreSQL, migrated at start like the configured one; `close()`
   * destroys it.
   * @default PostgreSQL at `config.databaseUrl` when set, else SQLite in the data dir
   */
  db?: Kysely<Database>;
  /** Another file store. @default files on disk in the data dir */
  files?: FileStore;
  /** Registers extra routes on the HTTP server before it starts (the demo shop uses this). */
  extend?: (http: FastifyInstance, context: { store: SqlStore; demo: AppRow }) => Promise<void>;
  /** How webhook host names are resolved (tests). @default the OS resolver, `dns.lookup` with all addresses */
  resolveHost?: HostResolver;
}

/** Creates the reference server: SQL store (SQLite or PostgreSQL), HTTP API and socket.io channels on one port. */
export async function createServer(config: ServerConfig, options: CreateServerOptions = {}): Promise<ThreadlineServer> {
  // Fastify first: its pino logger is the one every part below logs to.
  const http = createHttp(config);
  const log = http.log;
  const tightened = makeDataDirPrivate(config.dataDir);
  if (tightened.length) log.warn({ paths: tightened }, 'the data directory was readable by other users; made it private (700 directories, 600 files)');
  const db = options.db ?? (await openDatabase(config, log));
  const webhooks = new WebhookDispatcher(new WebhookStore(db), { ...config.webhooks, resolveHost: options.resolveHost }, log);
  const store = new SqlStore(db, {
    // Transactional webhook outbox: a committed message always has its deliveries queued.
    onAppend: async (trx, thread, messages) => {
      for (const row of messages) {
        const message = toMessage(row);
        await webhooks.enqueue(thread.app_id, 'message.created', { message, threadId: thread.id, visitorId: thread.visitor_id, userId: thread.user_id }, trx);
      }
    },
  });
  const files = options.files ?? new DiskFileStore(path.join(config.dataDir, 'files'));
  const tokenTtlMs = (config.tokenTtlDays ?? DEFAULT_TOKEN_TTL_DAYS) * 24 * 60 * 60 * 1000;
  const tokens = new VisitorTokens(tokenKeyOf(config), tokenTtlMs);
  const sessions = new VisitorSessions(new SessionStore(db), tokenTtlMs);

  // Nodes starting together take turns: the first migrates and creates the demo app and webhook,
  // the others find them (an SQLite file has one process, which takes no lock).
  let demo: { app: AppRow; created: boolean; apiKey: string | null };
  try {
    demo = await withStartupLock(db, async () => {
      await applyMigrations(db);
      const seeded = await seedDemoApp(store, config);
      if (config.demo.webhookUrl) {
        const hooks = await webhooks.list('demo');
        if (!hooks.some((h) => h.url === config.demo.webhookUrl)) await webhooks.register('demo', config.demo.webhookUrl, []);
      }
      return seeded;
    });
  } catch (err) {
    if (!options.db) await db.destroy();
    throw err;
  }

  let closing = false;
  const isClosing = () => closing;
  const { rateLimits } = config;
  const connectTimeoutMs = config.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const engineGuard = new EngineGuard({
    // Twice the namespace handshake budget: a socket.io client over budget is refused by its
    // handshake first, with a readable `rate_limited`, rather than by a bare transport error.
    handshakes: new Limiter(rateLimits.connectionsPerIp * 2, rateLimits.windowMs, 'new connections from this address'),
    requests: new Limiter(rateLimits.httpPerIp, rateLimits.windowMs, 'long-polling requests from this address'),
    maxOpenPerIp: rateLimits.openConnectionsPerIp,
    retryOpenAfterMs: rateLimits.windowMs,
    claimTimeoutMs: connectTimeoutMs,
    trustProxy: config.trustProxy,
  });
  // Placeholder until Fastify exists; socket.io attaches to Fastify's own HTTP server below.
  const originAllowed = cachedOriginCheck(() => store.allOrigins());
  const io: VisitorServer = new SocketServer({
    allowRequest: engineGuard.allowRequest,
    // A connection that joins no namespace in this time is closed (socket.io's default is 45 s).
    connectTimeout: connectTimeoutMs,
    maxHttpBufferSize: LIMITS.maxFrameBytes,
    pingInterval: 25_000,
    pingTimeout: 20_000,
    serveClient: false,
    cors: {
      origin: (origin, cb) => {
        originAllowed(origin).then((ok) => cb(null, ok), (err: Error) => cb(err));
      },
    },
  });
  const agents: AgentNamespace = io.of('/agent') as unknown as AgentNamespace;

  const unattached = unattachedUploadsOf(config);
  const uploads = new UploadCollector(store, files, { ttlMs: unattached.ttlMs, intervalMs: unattached.sweepIntervalMs }, log);
  const proactive = new ProactiveService({ store, io, agents, webhooks });
  const messaging = new Messaging(store, io, agents, webhooks, proactive);
  const rules = config.rulesFile ? new RuleEngine(loadRules(config.rulesFile), { store, presence: messaging, proactive, log }) : null;
  // Visitor and agent handshakes share one per-IP budget.
  const handshakes = new Limiter(rateLimits.connectionsPerIp, rateLimits.windowMs, 'connections');
  attachVisitorChannel({
    rules,
    trustProxy: config.trustProxy,
    messaging,
    tokens,
    sessions,
    maxUploadBytes: config.maxUploadBytes,
    log,
    isClosing,
    limits: {
      events: new Limiter(rateLimits.visitorEvents, rateLimits.windowMs, 'events'),
      ipEvents: new Limiter(rateLimits.visitorEvents * 10, rateLimits.windowMs, 'events from this address'),
      sends: new Limiter(Math.max(1, Math.floor(rateLimits.visitorEvents / 2)), rateLimits.windowMs, 'messages'),
      connections: handshakes,
    },
  });
  attachAgentChannel({
    messaging,
    log,
    isClosing,
    trustProxy: config.trustProxy,
    limits: {
      events: new Limiter(rateLimits.agentEvents, rateLimits.windowMs, 'agent events'),
      appEvents: new Limiter(rateLimits.agentEvents * 10, rateLimits.windowMs, 'agent events for this API key'),
      connections: handshakes,
    },
  });

  await buildHttp(http, {
    config,
    store,
    messaging,
    proactive,
    tokens,
    sessions,
    webhooks,
    files,
    uploadLimiter: new Limiter(rateLimits.uploadsPerVisitor, rateLimits.windowMs, 'uploads'),
    originAllowed,
  });

  if (options.extend) await options.extend(http, { store, demo: demo.app });

  let url = '';
  let port = 0;
  return {
    get url() {
      return url;
    },
    get port() {
      return port;
    },
    http,
    io,
    store,
    rules,
    demo,
    async listen() {
      await http.ready();
      io.attach(http.server);
      engineGuard.watch(io.engine);
      await http.listen({ host: config.host, port: config.port });
      port = (http.server.address() as AddressInfo).port;
      url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
      webhooks.start();
      uploads.start();
    },
    async close() {
      if (closing) return;
      closing = true;
      rules?.stop();
      // Order matters: refuse new work, disconnect sockets, stop HTTP (which waits for open requests),
      // then close the DB. A socket handler still running when the DB closes fails without acking;
      // its client retries with the same clientId, so nothing is lost or doubled.
      // Open requests get a grace period; a client that never finishes its request or never reads
      // its response (a stalled upload or download) must not hold the shutdown forever.
      const grace = setTimeout(() => http.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      io.disconnectSockets(true);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await http.close();
      clearTimeout(grace);
      await webhooks.stop();
      await uploads.stop();
      await db.destroy();
    },
  };
}
