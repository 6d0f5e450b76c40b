import fs from 'node:fs';
import path from 'node:path';
import { LIMITS } from '@threadline/protocol';

export interface RateLimitConfig {
  /**
   * Socket events per visitor per `windowMs`. `message.send` also draws on a second budget of half
   * this size, and each IP address has ten times this budget for all its visitors together.
   */
  visitorEvents: number;
  /**
   * New socket connections per IP per `windowMs`: visitor and agent handshakes (namespace joins),
   * right or wrong. New engine.io connections (WebSocket upgrades and long-polling handshakes,
   * counted before any namespace) get twice this, so a socket.io client over budget still hears a
   * readable `rate_limited` from its handshake first.
   * @default 120
   */
  connectionsPerIp: number;
  /**
   * Engine.io connections one IP may hold open at once, whether they joined a namespace or not.
   * Raise it when many shoppers share one address (offices, carrier-grade NAT).
   * @default 100
   */
  openConnectionsPerIp: number;
  /**
   * Socket events per agent connection (`/agent`) per `windowMs`; all connections of one API key
   * together get ten times this.
   * @default 100
   */
  agentEvents: number;
  /**
   * HTTP requests per IP per `windowMs` (`/health` excluded). socket.io's long-polling requests
   * (`/socket.io/`, which Fastify never sees) have a budget of this size of their own.
   * @default 600
   */
  httpPerIp: number;
  /** Uploads per visitor per `windowMs`. */
  uploadsPerVisitor: number;
  /** @default 10000 */
  windowMs: number;
}

/**
 * Uploads that no message uses yet. A visitor uploads, then sends the message that refers to the
 * upload; without these bounds an anonymous visitor could upload and never send, until the disk
 * is full. API-key uploads are not counted against a budget, but are collected the same way.
 */
export interface UnattachedUploadsConfig {
  /**
   * Files one visitor may have uploaded and not yet sent. Over it, `POST /v1/uploads` answers 413
   * `upload_quota_exceeded`.
   * @default 50
   */
  maxFilesPerVisitor?: number;
  /**
   * Bytes one visitor may have uploaded and not yet sent; same answer over it.
   * @default `LIMITS.maxAttachments` × `maxUploadBytes` (100 MiB): a message of the largest files always fits
   */
  maxBytesPerVisitor?: number;
  /**
   * An upload no message used is deleted (row and bytes) this long after it was made. `0` keeps
   * such uploads forever.
   * @default 86400000 (24 h)
   * @example 3600000
   */
  ttlMs?: number;
  /**
   * How often the server looks for such uploads (an unref'd timer, started by `listen()`).
   * @default 1 h, or `ttlMs` when that is shorter
   */
  sweepIntervalMs?: number;
}

export const DEFAULT_UNATTACHED_UPLOADS = { maxFilesPerVisitor: 50, ttlMs: 24 * 60 * 60 * 1000, sweepIntervalMs: 60 * 60 * 1000 };

/** `config.unattachedUploads` with every default filled in. */
export function unattachedUploadsOf(config: Pick<ServerConfig, 'maxUploadBytes' | 'unattachedUploads'>): Required<UnattachedUploadsConfig> {
  const given = config.unattachedUploads ?? {};
  const ttlMs = given.ttlMs ?? DEFAULT_UNATTACHED_UPLOADS.ttlMs;
  return {
    maxFilesPerVisitor: given.maxFilesPerVisitor ?? DEFAULT_UNATTACHED_UPLOADS.maxFilesPerVisitor,
    maxBytesPerVisitor: given.maxBytesPerVisitor ?? LIMITS.maxAttachments * config.maxUploadBytes,
    ttlMs,
    sweepIntervalMs: given.sweepIntervalMs ?? Math.max(1, Math.min(DEFAULT_UNATTACHED_UPLOADS.sweepIntervalMs, ttlMs)),
  };
}

/**
 * Email continuity (docs/notifications.md): a digest of the brand's unread messages to a visitor
 * who has left, and their email replies back into the thread. Off without `smtpUrl` (outbound)
 * and `inboundDomain` (replies).
 */
export interface NotificationsConfig {
  /**
   * The brand's mail relay, a nodemailer transport URL. Unset: no email is sent and visitors
   * cannot leave an address (`notify.email.set` answers `notifications_off`).
   * @example 'smtps://user:pass@smtp.example.com:465'
   */
  smtpUrl?: string;
  /**
   * The From address; its display name is the app's name.
   * @default `notifications@<inboundDomain>`, else `notifications@localhost`
   * @example 'support@shop.example'
   */
  from?: string;
  /**
   * How long a brand message stays unread, with the visitor away, before the email goes; also the
   * shortest time between two emails of one thread.
   * @default 300000 (5 minutes)
   */
  delayMs?: number;
  /**
   * The domain replies go to: `Reply-To: reply+<token>@<inboundDomain>`; its MX points at this
   * server's SMTP listener (or at a provider forwarding to `POST /v1/inbound/email`). Unset:
   * emails carry no reply address and inbound email is refused.
   * @example 'reply.shop.example'
   */
  inboundDomain?: string;
  /**
   * Port of the inbound SMTP listener (on `host`); unset or 0: no listener (`POST /v1/inbound/email` still works).
   * @example 2525
   */
  inboundPort?: number;
  /** DKIM signing of outgoing mail (when the relay does not sign it). */
  dkim?: { domainName: string; keySelector: string; privateKey: string };
  /**
   * Where links in emails point (signed file links, unsubscribe): this server as the shopper reaches it.
   * @default the listening address, `http://host:port`
   * @example 'https://chat.shop.example'
   */
  publicUrl?: string;
  /**
   * Life of the signed file links in an email.
   * @default 7 days
   */
  linkTtlMs?: number;
  /**
   * How long an email's reply address takes replies.
   * @default 30 days
   */
  replyTtlMs?: number;
  /**
   * Largest inbound email (raw MIME, attachments included); larger ones are refused.
   * @default `LIMITS.maxAttachments` × `maxUploadBytes` × 4/3 (base64) + 1 MiB
   */
  maxInboundBytes?: number;
}

export const DEFAULT_NOTIFY_DELAY_MS = 5 * 60 * 1000;

export interface DemoAppConfig {
  /** API key of the `demo` app. When unset a random one is created on first start and printed. */
  apiKey?: string;
  /** Identity secret of the `demo` app (HMAC userHash and HS256 JWT). */
  secret?: string;
  /** Origins allowed to open the visitor channel (checked per app) and to call the HTTP API from a browser (CORS, over all apps). */
  allowedOrigins: string[];
  /** A webhook URL registered for the demo app at start (idempotent). */
  webhookUrl?: string;
}

export interface ServerConfig {
  /** @default '127.0.0.1' */
  host: string;
  /** @default 3000; 0 picks a free port. */
  port: number;
  /**
   * The SQLite database and uploaded files live here when `databaseUrl` is unset; with PostgreSQL
   * files are in the database, and a node needs nothing from this directory. The token key is in
   * the database on both engines (an earlier version's `token.key` found here is imported once).
   * @default './.threadline'
   */
  dataDir: string;
  /**
   * PostgreSQL to store everything in instead of the embedded SQLite file: a node-postgres URL.
   * The server migrates it at start (several nodes starting at once migrate it once).
   * @default undefined: SQLite in `dataDir`
   * @example 'postgres://threadline:secret@127.0.0.1:5432/threadline'
   */
  databaseUrl?: string;
  /**
   * Redis shared by several nodes behind one load balancer: socket.io rooms (live delivery reaches
   * sockets on every node), rate-limit budgets, visitor presence and the origin allow-list cache.
   * Every node of one deployment must set the same Redis and prefix.
   * @default undefined: no Redis; rooms, budgets and presence are this process's own (one node)
   * @example 'redis://:secret@10.0.0.5:6379/0'
   */
  redisUrl?: string;
  /**
   * Prefix of every Redis key and channel the server uses, so several deployments (or test runs)
   * can share one Redis.
   * @default 'threadline:'
   */
  redisPrefix?: string;
  /** Upload cap in bytes. @default 10 MiB */
  maxUploadBytes: number;
  /** Budget and collection of uploads no message uses yet (see the type). */
  unattachedUploads?: UnattachedUploadsConfig;
  rateLimits: RateLimitConfig;
  demo: DemoAppConfig;
  /**
   * Key that signs visitor tokens, the same on every node. When unset, the database's setting
   * `token_key` (made on first start, or imported from an earlier version's `<dataDir>/token.key`).
   * Changing it invalidates every visitor token.
   * @default the database's key
   */
  tokenKey?: string;
  /**
   * Life of a visitor token and of its server-side session, in days. Every connection renews the
   * session for this long (sliding expiry), so only a device idle this long starts over.
   * @default 30
   * @example 7
   */
  tokenTtlDays?: number;
  /** Webhook retry schedule: first retry after `baseMs`, doubling, up to `maxAttempts`. */
  webhooks: {
    baseMs: number;
    maxAttempts: number;
    timeoutMs: number;
    /**
     * Let webhooks target private, loopback and link-local addresses (10/8, 127/8, 169.254/16,
     * ::1, fc00::/7, …). Off, such URLs are refused at registration and at every delivery.
     * For local development and tests only.
     * @default false
     */
    allowPrivate?: boolean;
    /**
     * How long this node believes an app it read without webhooks has none, skipping the read on
     * its sends; a registration on any node ends it sooner (over Redis with several nodes).
     * @default 5000
     */
    noHooksTtlMs?: number;
  };
  /** Fastify/pino log level. @default 'info' ('silent' in tests) */
  logLevel: string;
  /** Trust X-Forwarded-For (behind a reverse proxy). @default false */
  trustProxy: boolean;
  /**
   * Milliseconds a new socket connection has to join a namespace (send its handshake) before it is
   * dropped. socket.io's own default, 45 s, let idle connections pile up.
   * @default 10000
   */
  connectTimeoutMs?: number;
  /**
   * JSON file of campaign rules, an import format: at start, each rule whose id no campaign has
   * becomes a live campaign (docs/campaigns.md, "The rules file"). (`THREADLINE_RULES_FILE`)
   */
  rulesFile?: string;
  /**
   * How long a node answers an app's campaigns from memory (every tracked event reads them). A
   * change through this node is seen at once; other nodes see it within this time. 0: read every time.
   * @default 5000
   */
  campaignCacheMs?: number;
  /**
   * At most this many prompts reach one visitor (or user) in 24 hours, across campaigns, pushed
   * through the API or by a rule; a push over it is refused with `prompt_capped`, a rule's prompt
   * is skipped. 0: no cap. (`THREADLINE_PROMPTS_PER_DAY`)
   * @default 5
   */
  promptsPerDay?: number;
  /** Email notifications and replies by email (see the type); off by default. */
  notifications?: NotificationsConfig;
  /**
   * Directory served at `/widget/` (the script-tag bundle and its chunks).
   * @default the `dist/` of the `@threadline/widget` package installed beside this one (in this
   * repository, `packages/widget/dist`); without it `/widget/` answers 404 saying how to add it
   */
  widgetDir?: string;
}

export const DEFAULT_RATE_LIMITS: RateLimitConfig = {
  visitorEvents: 100,
  connectionsPerIp: 120,
  openConnectionsPerIp: 100,
  agentEvents: 100,
  httpPerIp: 600,
  uploadsPerVisitor: 20,
  windowMs: 10_000,
};

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** Prompts one visitor (or user) may get in 24 hours, across campaigns (`ServerConfig.promptsPerDay`). */
export const DEFAULT_PROMPTS_PER_DAY = 5;

function intFrom(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return n;
}

function positiveIntFrom(value: string | undefined, fallback: number, name: string): number {
  const n = intFrom(value, fallback, name);
  if (n === 0) throw new Error(`${name} must be at least 1, got "${value}"`);
  return n;
}

export const DEFAULT_TOKEN_TTL_DAYS = 30;

/** THREADLINE_DATABASE_URL: unset is SQLite; anything else must be a PostgreSQL URL. */
function databaseUrlFrom(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (!/^postgres(ql)?:\/\//.test(value)) {
    // The value may hold a password: name the variable, not what it holds.
    throw new Error('THREADLINE_DATABASE_URL must be a postgres:// (or postgresql://) URL; leave it unset for the embedded SQLite database');
  }
  return value;
}

export const DEFAULT_REDIS_PREFIX = 'threadline:';

/** THREADLINE_REDIS_URL: unset is no Redis; anything else must be a redis:// or rediss:// URL. */
function redisUrlFrom(value: string | undefined): string | undefined {
  if (!value) return undefined;
  let valid = /^rediss?:\/\//.test(value);
  try {
    new URL(value);
  } catch {
    valid = false;
  }
  // The value may hold a password: name the variable, not what it holds.
  if (!valid) throw new Error('THREADLINE_REDIS_URL must be a redis:// (or rediss:// for TLS) URL; leave it unset to run one node without Redis');
  return value;
}

/** THREADLINE_REDIS_PREFIX: the start of every key and channel, e.g. `threadline:` or `shop-eu:`. */
function redisPrefixFrom(value: string | undefined): string {
  if (value === undefined || value === '') return DEFAULT_REDIS_PREFIX;
  if (!/^[\w:.{}-]{1,64}$/.test(value)) {
    throw new Error(`THREADLINE_REDIS_PREFIX must be 1 to 64 letters, digits or _ : . - { }, got "${value}"`);
  }
  return value;
}

/** THREADLINE_SMTP_* and THREADLINE_NOTIFY_*: see NotificationsConfig. */
function notificationsFrom(env: NodeJS.ProcessEnv): NotificationsConfig {
  const smtpUrl = env.THREADLINE_SMTP_URL || undefined;
  if (smtpUrl && !/^(smtps?|direct|stream):/.test(smtpUrl)) {
    // The value may hold a password: name the variable, not what it holds.
    throw new Error('THREADLINE_SMTP_URL must be an smtp:// or smtps:// URL (nodemailer transport URL)');
  }
  const inboundDomain = env.THREADLINE_SMTP_INBOUND_DOMAIN || undefined;
  if (inboundDomain && !/^[a-z0-9.-]+\.[a-z]{2,}$/i.test(inboundDomain)) throw new Error(`THREADLINE_SMTP_INBOUND_DOMAIN must be a domain name, got "${inboundDomain}"`);
  const dkimKey = env.THREADLINE_SMTP_DKIM_KEY;
  let dkim: NotificationsConfig['dkim'];
  if (dkimKey) {
    if (!env.THREADLINE_SMTP_DKIM_DOMAIN || !env.THREADLINE_SMTP_DKIM_SELECTOR) {
      throw new Error('THREADLINE_SMTP_DKIM_KEY needs THREADLINE_SMTP_DKIM_DOMAIN and THREADLINE_SMTP_DKIM_SELECTOR');
    }
    // The PEM itself, or a path to it.
    const privateKey = dkimKey.includes('-----BEGIN') ? dkimKey : fs.readFileSync(path.resolve(dkimKey), 'utf8');
    dkim = { domainName: env.THREADLINE_SMTP_DKIM_DOMAIN, keySelector: env.THREADLINE_SMTP_DKIM_SELECTOR, privateKey };
  }
  return {
    smtpUrl,
    from: env.THREADLINE_SMTP_FROM || undefined,
    delayMs: intFrom(env.THREADLINE_NOTIFY_DELAY_MS, DEFAULT_NOTIFY_DELAY_MS, 'THREADLINE_NOTIFY_DELAY_MS'),
    inboundDomain,
    inboundPort: intFrom(env.THREADLINE_SMTP_INBOUND_PORT, 0, 'THREADLINE_SMTP_INBOUND_PORT'),
    dkim,
    publicUrl: env.THREADLINE_PUBLIC_URL ? env.THREADLINE_PUBLIC_URL.replace(/\/+$/, '') : undefined,
  };
}

/** Reads the configuration from environment variables (documented in docs/server.md). */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const port = intFrom(env.PORT, 3000, 'PORT');
  const origins = env.THREADLINE_DEMO_ORIGINS
    ? env.THREADLINE_DEMO_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean)
    : [`http://localhost:${port}`, `http://127.0.0.1:${port}`];
  return {
    host: env.HOST || '127.0.0.1',
    port,
    dataDir: path.resolve(env.THREADLINE_DATA_DIR || '.threadline'),
    databaseUrl: databaseUrlFrom(env.THREADLINE_DATABASE_URL),
    redisUrl: redisUrlFrom(env.THREADLINE_REDIS_URL),
    redisPrefix: redisPrefixFrom(env.THREADLINE_REDIS_PREFIX),
    maxUploadBytes: intFrom(env.THREADLINE_MAX_UPLOAD_BYTES, LIMITS.defaultMaxUploadBytes, 'THREADLINE_MAX_UPLOAD_BYTES'),
    unattachedUploads: {
      maxFilesPerVisitor: intFrom(env.THREADLINE_UNATTACHED_UPLOADS, DEFAULT_UNATTACHED_UPLOADS.maxFilesPerVisitor, 'THREADLINE_UNATTACHED_UPLOADS'),
      // Unset: follows THREADLINE_MAX_UPLOAD_BYTES (see unattachedUploadsOf).
      maxBytesPerVisitor: env.THREADLINE_UNATTACHED_UPLOAD_BYTES ? intFrom(env.THREADLINE_UNATTACHED_UPLOAD_BYTES, 0, 'THREADLINE_UNATTACHED_UPLOAD_BYTES') : undefined,
      ttlMs: intFrom(env.THREADLINE_UNATTACHED_UPLOAD_TTL_MS, DEFAULT_UNATTACHED_UPLOADS.ttlMs, 'THREADLINE_UNATTACHED_UPLOAD_TTL_MS'),
    },
    rateLimits: {
      ...DEFAULT_RATE_LIMITS,
      visitorEvents: intFrom(env.THREADLINE_RATE_VISITOR_EVENTS, DEFAULT_RATE_LIMITS.visitorEvents, 'THREADLINE_RATE_VISITOR_EVENTS'),
      httpPerIp: intFrom(env.THREADLINE_RATE_HTTP_PER_IP, DEFAULT_RATE_LIMITS.httpPerIp, 'THREADLINE_RATE_HTTP_PER_IP'),
      connectionsPerIp: intFrom(env.THREADLINE_RATE_CONNECTIONS_PER_IP, DEFAULT_RATE_LIMITS.connectionsPerIp, 'THREADLINE_RATE_CONNECTIONS_PER_IP'),
      openConnectionsPerIp: positiveIntFrom(env.THREADLINE_OPEN_CONNECTIONS_PER_IP, DEFAULT_RATE_LIMITS.openConnectionsPerIp, 'THREADLINE_OPEN_CONNECTIONS_PER_IP'),
      agentEvents: positiveIntFrom(env.THREADLINE_RATE_AGENT_EVENTS, DEFAULT_RATE_LIMITS.agentEvents, 'THREADLINE_RATE_AGENT_EVENTS'),
      uploadsPerVisitor: intFrom(env.THREADLINE_RATE_UPLOADS, DEFAULT_RATE_LIMITS.uploadsPerVisitor, 'THREADLINE_RATE_UPLOADS'),
      windowMs: intFrom(env.THREADLINE_RATE_WINDOW_MS, DEFAULT_RATE_LIMITS.windowMs, 'THREADLINE_RATE_WINDOW_MS'),
    },
    demo: {
      apiKey: env.THREADLINE_DEMO_API_KEY || undefined,
      secret: env.THREADLINE_DEMO_SECRET || undefined,
      allowedOrigins: origins,
      webhookUrl: env.THREADLINE_DEMO_WEBHOOK_URL || undefined,
    },
    tokenKey: env.THREADLINE_TOKEN_KEY || undefined,
    tokenTtlDays: positiveIntFrom(env.THREADLINE_TOKEN_TTL_DAYS, DEFAULT_TOKEN_TTL_DAYS, 'THREADLINE_TOKEN_TTL_DAYS'),
    webhooks: {
      baseMs: 1000,
      maxAttempts: 10,
      timeoutMs: 10_000,
      allowPrivate: env.THREADLINE_WEBHOOK_ALLOW_PRIVATE === '1' || env.THREADLINE_WEBHOOK_ALLOW_PRIVATE === 'true',
    },
    logLevel: env.LOG_LEVEL || 'info',
    trustProxy: env.THREADLINE_TRUST_PROXY === '1' || env.THREADLINE_TRUST_PROXY === 'true',
    connectTimeoutMs: positiveIntFrom(env.THREADLINE_CONNECT_TIMEOUT_MS, DEFAULT_CONNECT_TIMEOUT_MS, 'THREADLINE_CONNECT_TIMEOUT_MS'),
    rulesFile: env.THREADLINE_RULES_FILE ? path.resolve(env.THREADLINE_RULES_FILE) : undefined,
    promptsPerDay: intFrom(env.THREADLINE_PROMPTS_PER_DAY, DEFAULT_PROMPTS_PER_DAY, 'THREADLINE_PROMPTS_PER_DAY'),
    widgetDir: env.THREADLINE_WIDGET_DIR ? path.resolve(env.THREADLINE_WIDGET_DIR) : undefined,
    notifications: notificationsFrom(env),
  };
}
