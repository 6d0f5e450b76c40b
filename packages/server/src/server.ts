import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { Server as SocketServer } from 'socket.io';
import type { Kysely } from 'kysely';
import { LIMITS } from '@threadline/protocol';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_PROMPTS_PER_DAY, DEFAULT_REDIS_PREFIX, DEFAULT_TOKEN_TTL_DAYS, unattachedUploadsOf, type ServerConfig } from './config.js';
import { poolBacklog } from './db/postgres.js';
import { openDatabase } from './db/open.js';
import { applyMigrations, withStartupLock } from './db/migrate.js';
import type { Database } from './db/schema.js';
import { VisitorTokens, loadTokenKey } from './auth/tokens.js';
import { VisitorSessions } from './auth/sessions.js';
import { newApiKey, newSecret } from './auth/api-keys.js';
import { SqlStore, type AppRow } from './store/sql-store.js';
import { SessionStore } from './store/session-store.js';
import { WebhookStore } from './store/webhook-store.js';
import { JobStore } from './store/job-store.js';
import { JobWorker } from './jobs/worker.js';
import { nodeId } from './jobs/node-id.js';
import { Outbox } from './webhooks/outbox.js';
import { DiskFileStore, FallbackFileStore, type FileStore } from './files/file-store.js';
import { DatabaseFileStore } from './files/database-file-store.js';
import { SettingsStore } from './store/settings-store.js';
import { engineOf } from './db/engine.js';
import { UploadCollector } from './files/upload-collector.js';
import { WebhookDispatcher } from './webhooks/dispatcher.js';
import type { HostResolver } from './webhooks/target.js';
import { Messaging, type AgentNamespace, type VisitorServer } from './services/messaging.js';
import { ProactiveService } from './services/proactive.js';
import { RuleEngine, importRules, loadRules } from './services/rules.js';
import { CampaignStore } from './store/campaign-store.js';
import { Limiter } from './realtime/rate-limit.js';
import { attachVisitorChannel } from './realtime/visitor-channel.js';
import { attachAgentChannel } from './realtime/agent-channel.js';
import { EngineGuard } from './realtime/engine-guard.js';
import { cachedOriginCheck, shareOriginChanges } from './http/origins.js';
import { RedisLink } from './cluster/redis.js';
import { Presence } from './cluster/presence.js';
import { NodeRegistry } from './cluster/node-registry.js';
import { buildHttp, createHttp } from './http/app.js';
import { makeDataDirPrivate } from './data-dir.js';
import { LinkSigner, loadLinkKey } from './notifications/link-signer.js';
import { EmailNotifier } from './notifications/notifier.js';
import { AvailabilityService } from './services/availability.js';
import { BotSettingsService } from './services/assignment.js';
import { appRoom } from './realtime/rooms.js';
import { ContinueLinks } from './notifications/continue.js';
import { InboundMail, defaultMaxInboundBytes } from './notifications/inbound.js';
import { SmtpListener } from './notifications/smtp-listener.js';
import { NotificationStore } from './store/notification-store.js';


/**
 * Connections the kernel holds for this node before it accepts them (Node's default: 511; Linux
 * caps it at net.core.somaxconn, 4096 on current kernels). A node that takes over a dead node's
 * widgets gets thousands of connections within a second or two; past the backlog the kernel drops
 * them, each comes back a second or more later, and nginx, timing out its connects, marks the
 * node failed (max_fails) and answers 502 to everyone for a while: measured in the cluster preset,
 * widgets that took up to three minutes to come back (`nstat`'s TcpExtListenOverflows counted
 * 428,810 drops). With the backlog the kernel keeps them until the node accepts.
 */
const LISTEN_BACKLOG = 4096;
export interface ThreadlineServer {
  /** `http://host:port` once listening. */
  readonly url: string;
  readonly port: number;
  readonly http: FastifyInstance;
  readonly io: VisitorServer;
  readonly store: SqlStore;
  /** Runs the live campaigns' server triggers and goals; `subscribe` hears each evaluation. */
  readonly rules: RuleEngine;
  /** The stored campaigns (`/v1/campaigns`). */
  readonly campaigns: CampaignStore;
  /** This node's runner of timed jobs (rule delays); `node` is the id its leases carry. */
  readonly jobs: JobWorker;
  /** Email notifications' sender; null without `config.notifications.smtpUrl`. */
  readonly notifier: EmailNotifier | null;
  /** Port of the inbound SMTP listener once listening; 0 when there is none. */
  readonly smtpPort: number;
  /** The demo app; `apiKey` is set when it was created or configured in this run. */
  readonly demo: { app: AppRow; apiKey: string | null; created: boolean };
  listen(): Promise<void>;
  /** Stops accepting, disconnects sockets, finishes webhook rounds, closes the database. */
  close(): Promise<void>;
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

/**
 * Where uploads go by default: on PostgreSQL into the database, which every node shares (files an
 * earlier version kept in this node's data dir are still served from there); on SQLite, whose
 * database is itself a file in the data dir, on disk beside it.
 */
function fileStoreOf(db: Kysely<Database>, dataDir: string): FileStore {
  const dir = path.join(dataDir, 'files');
  if (engineOf(db) !== 'postgres') return new DiskFileStore(dir);
  const chunks = new DatabaseFileStore(db);
  return fs.existsSync(dir) ? new FallbackFileStore(chunks, new DiskFileStore(dir)) : chunks;
}

/**
 * Closes what socket.io holds. Its own `close()` needs the engine that `attach` makes; a server that
 * never listened has only its namespaces' adapters (with Redis, each reading the stream) to close.
 */
async function closeSocketServer(io: VisitorServer, attached: boolean): Promise<void> {
  if (attached) return new Promise<void>((resolve) => io.close(() => resolve()));
  await Promise.allSettled([...io._nsps.values()].map(async (nsp) => nsp.adapter.close()));
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
  /** Another file store. @default in the database on PostgreSQL (shared by every node), on disk in the data dir on SQLite */
  files?: FileStore;
  /** Registers extra routes on the HTTP server before it starts (the demo shop uses this). */
  extend?: (http: FastifyInstance, context: { store: SqlStore; demo: AppRow }) => Promise<void>;
  /** How webhook host names are resolved (tests). @default the OS resolver, `dns.lookup` with all addresses */
  resolveHost?: HostResolver;
  /** Where the log's JSON lines go (tests read warnings from it). @default stdout */
  logStream?: NodeJS.WritableStream;
}

/** Creates the reference server: SQL store (SQLite or PostgreSQL), HTTP API and socket.io channels on one port. */
export async function createServer(config: ServerConfig, options: CreateServerOptions = {}): Promise<ThreadlineServer> {
  // Fastify first: its pino logger is the one every part below logs to.
  const http = createHttp(config, options.logStream);
  const log = http.log;
  // Before anything opens: a rules file that does not parse stops the start here.
  const ruleList = config.rulesFile ? loadRules(config.rulesFile) : null;
  const tightened = makeDataDirPrivate(config.dataDir);
  if (tightened.length) log.warn({ paths: tightened }, 'the data directory was readable by other users; made it private (700 directories, 600 files)');
  const db = options.db ?? (await openDatabase(config, log));
  // Names this process in the leases it takes on jobs and webhook deliveries.
  const node = nodeId();
  const webhooks = new WebhookDispatcher(new WebhookStore(db), { ...config.webhooks, resolveHost: options.resolveHost, node }, log);
  const jobs = new JobWorker(new JobStore(db), { node }, log);
  // Transactional webhook outbox: a committed message always has its deliveries queued.
  // An app without webhooks: a visitor's message writes nothing else in its transaction, and on
  // PostgreSQL is one statement (SqlStore's quietAppend).
  const store = new SqlStore(db, { onAppend: new Outbox(webhooks).appended, quietAppend: (appId) => webhooks.knownWithoutHooks(appId) });
  const campaigns = new CampaignStore(db, { cacheMs: config.campaignCacheMs });
  const files = options.files ?? fileStoreOf(db, config.dataDir);
  const tokenTtlMs = (config.tokenTtlDays ?? DEFAULT_TOKEN_TTL_DAYS) * 24 * 60 * 60 * 1000;
  const sessions = new VisitorSessions(new SessionStore(db), tokenTtlMs);

  // Nodes starting together take turns: the first migrates and creates the demo app and webhook,
  // the others find them (an SQLite file has one process, which takes no lock).
  let demo: { app: AppRow; created: boolean; apiKey: string | null };
  let tokenKey = '';
  let linkKey = '';
  try {
    demo = await withStartupLock(db, async () => {
      await applyMigrations(db);
      // Under the lock, so nodes starting together store one key and all sign with it.
      tokenKey = await loadTokenKey(config, new SettingsStore(db), log);
      linkKey = await loadLinkKey(new SettingsStore(db));
      const seeded = await seedDemoApp(store, config);
      // The rules file is an import format: its rules become campaigns the first time only.
      if (ruleList) {
        const created = await importRules(campaigns, ruleList);
        if (created.length) log.info({ campaigns: created, file: config.rulesFile }, 'campaigns created from the rules file');
      }
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
  const tokens = new VisitorTokens(tokenKey, tokenTtlMs);

  // With Redis: rooms, budgets, presence and origin notices are shared with the other nodes.
  let redis: RedisLink | null = null;
  if (config.redisUrl) {
    try {
      redis = await RedisLink.connect(config.redisUrl, config.redisPrefix || DEFAULT_REDIS_PREFIX, log);
    } catch (err) {
      if (!options.db) await db.destroy();
      throw err;
    }
  }

  let closing = false;
  const isClosing = () => closing;
  const { rateLimits } = config;
  // With Redis every budget is shared by all nodes (each limiter under keys of its own).
  const limiter = (name: string, points: number, what: string) =>
    new Limiter(points, rateLimits.windowMs, what, redis && { redis: redis.commands, keyPrefix: redis.key('rl', name) });
  const connectTimeoutMs = config.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const engineGuard = new EngineGuard({
    // Twice the namespace handshake budget: a socket.io client over budget is refused by its
    // handshake first, with a readable `rate_limited`, rather than by a bare transport error.
    handshakes: limiter('engine-handshakes', rateLimits.connectionsPerIp * 2, 'new connections from this address'),
    requests: limiter('polling', rateLimits.httpPerIp, 'long-polling requests from this address'),
    maxOpenPerIp: rateLimits.openConnectionsPerIp,
    retryOpenAfterMs: rateLimits.windowMs,
    claimTimeoutMs: connectTimeoutMs,
    trustProxy: config.trustProxy,
  });
  // Placeholder until Fastify exists; socket.io attaches to Fastify's own HTTP server below.
  const originAllowed = cachedOriginCheck(() => store.allOrigins());
  const originsChanged = shareOriginChanges(originAllowed, redis);
  if (redis) webhooks.shareChanges(redis);
  // This node may have just changed the demo app's origins (THREADLINE_DEMO_ORIGINS).
  await originsChanged(demo.app.id);
  const io: VisitorServer = new SocketServer({
    ...(redis ? { adapter: redis.adapter() } : {}),
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
  const presence = new Presence({ nodeId: node, redis, log });
  const proactive = new ProactiveService({ store, io, agents, webhooks, presence, promptsPerDay: config.promptsPerDay ?? DEFAULT_PROMPTS_PER_DAY, campaigns });
  const notifyConfig = config.notifications ?? {};
  const signer = new LinkSigner(linkKey);
  const notificationStore = new NotificationStore(db);
  let url = '';
  const smtpUrl = notifyConfig.smtpUrl;
  const notifier = smtpUrl
    ? new EmailNotifier({
        config: { ...notifyConfig, smtpUrl },
        store: notificationStore,
        jobs,
        webhooks,
        presence,
        signer,
        publicUrl: () => notifyConfig.publicUrl ?? url,
        log,
      })
    : null;
  const messaging = new Messaging(store, io, agents, webhooks, proactive, presence, notifier);
  const availability = new AvailabilityService(db, presence, log);
  availability.postAway = (thread, text, key) => messaging.postAway(thread, text, key);
  availability.tellVisitors = (appId, event) => io.to(appRoom(appId)).emit('availability', event);
  messaging.availability = availability;
  const bots = new BotSettingsService(db, log);
  messaging.bots = bots;
  const continueLinks = new ContinueLinks({
    store: notificationStore,
    signer,
    view: async (threadId, p) => {
      const row = await store.visibleThread(p, threadId);
      const page = await messaging.messagesForVisitor(p, { threadId, limit: 50 });
      return { thread: await messaging.visitorThread(row), messages: page.items };
    },
  });
  const maxInboundBytes = notifyConfig.maxInboundBytes ?? defaultMaxInboundBytes(config.maxUploadBytes);
  const inbound = new InboundMail({
    inboundDomain: notifyConfig.inboundDomain,
    replyTtlMs: notifyConfig.replyTtlMs,
    maxUploadBytes: config.maxUploadBytes,
    maxInboundBytes,
    store: notificationStore,
    messaging,
    files,
    signer,
    notifier,
    log,
  });
  const smtpListener =
    notifyConfig.inboundPort && notifyConfig.inboundDomain
      ? new SmtpListener({ inbound, inboundDomain: notifyConfig.inboundDomain, maxBytes: maxInboundBytes, log })
      : null;
  if (notifyConfig.inboundPort && !notifyConfig.inboundDomain) log.warn({}, 'THREADLINE_SMTP_INBOUND_PORT is set without THREADLINE_SMTP_INBOUND_DOMAIN: no inbound SMTP listener');
  const rules = new RuleEngine({ store, campaigns, presence: messaging, proactive, jobs, log, promptsPerDay: config.promptsPerDay ?? DEFAULT_PROMPTS_PER_DAY });
  // Visitor and agent handshakes share one per-IP budget.
  const handshakes = limiter('handshakes', rateLimits.connectionsPerIp, 'connections');
  attachVisitorChannel({
    rules,
    trustProxy: config.trustProxy,
    messaging,
    notifications: notifier,
    availability,
    continueLinks,
    tokens,
    sessions,
    maxUploadBytes: config.maxUploadBytes,
    log,
    isClosing,
    limits: {
      events: limiter('visitor-events', rateLimits.visitorEvents, 'events'),
      ipEvents: limiter('ip-events', rateLimits.visitorEvents * 10, 'events from this address'),
      sends: limiter('sends', Math.max(1, Math.floor(rateLimits.visitorEvents / 2)), 'messages'),
      connections: handshakes,
    },
  });
  attachAgentChannel({
    messaging,
    log,
    isClosing,
    trustProxy: config.trustProxy,
    limits: {
      events: limiter('agent-events', rateLimits.agentEvents, 'agent events'),
      appEvents: limiter('app-events', rateLimits.agentEvents * 10, 'agent events for this API key'),
      connections: handshakes,
    },
  });

  // A start that fails from here closes what it opened: the adapters (with Redis, each reading the
  // stream), the Redis connections and the pool, so a program that handles the error can go on.
  const abandon = async (err: unknown): Promise<never> => {
    // The adapter's connections are made as it starts; closed while connecting, they reject unheard.
    await redis?.adapterReady();
    await closeSocketServer(io, false);
    await redis?.close();
    if (!options.db) await db.destroy();
    throw err;
  };
  await buildHttp(http, {
    config,
    store,
    campaigns,
    messaging,
    proactive,
    tokens,
    sessions,
    webhooks,
    files,
    uploadLimiter: limiter('uploads', rateLimits.uploadsPerVisitor, 'uploads'),
    httpLimiter: limiter('http', rateLimits.httpPerIp, 'requests'),
    originAllowed,
    originsChanged,
    signer,
    notifications: { store: notificationStore, signer, inbound, maxInboundBytes },
    availability,
    bots,
    backlog: () => poolBacklog(db),
  }).catch(abandon);

  if (options.extend) await options.extend(http, { store, demo: demo.app }).catch(abandon);

  let port = 0;
  let registry: NodeRegistry | null = null;
  let attached = false;
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
    campaigns,
    jobs,
    notifier,
    get smtpPort() {
      return smtpListener?.port ?? 0;
    },
    demo,
    async listen() {
      await http.ready();
      io.attach(http.server);
      attached = true;
      engineGuard.watch(io.engine);
      await http.listen({ host: config.host, port: config.port, backlog: LISTEN_BACKLOG });
      port = (http.server.address() as AddressInfo).port;
      url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
      await smtpListener?.listen(config.host, notifyConfig.inboundPort!);
      await redis?.adapterReady();
      await presence.start();
      registry = new NodeRegistry({ db, nodeId: node, name: `${os.hostname()} pid ${process.pid} port ${port}`, redis: redis !== null, log });
      await registry.start();
      webhooks.start();
      jobs.start();
      uploads.start();
    },
    async close() {
      if (closing) return;
      closing = true;
      // First, while sockets are still connected (a rule checks that its visitor is): stop
      // claiming jobs, finish the ones in flight, and hand back the leases.
      await jobs.stop();
      // Order matters: refuse new work, disconnect sockets, stop HTTP (which waits for open requests),
      // then close the DB. A socket handler still running when the DB closes fails without acking;
      // its client retries with the same clientId, so nothing is lost or doubled.
      // Open requests get a grace period; a client that never finishes its request or never reads
      // its response (a stalled upload or download) must not hold the shutdown forever.
      const grace = setTimeout(() => http.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      io.disconnectSockets(true);
      if (!attached) await redis?.adapterReady();
      await closeSocketServer(io, attached);
      await http.close();
      clearTimeout(grace);
      await smtpListener?.close();
      await notifier?.close();
      await webhooks.stop();
      await uploads.stop();
      await presence.stop();
      await registry?.stop();
      await redis?.close();
      await db.destroy();
    },
  };
}
