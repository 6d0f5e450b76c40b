import { Redis, type RedisOptions } from 'ioredis';
import { createAdapter } from '@socket.io/redis-streams-adapter';

/** The Redis of the startup banner: host, port, database and prefix, never the password. */
export function describeRedis(config: { redisUrl?: string; redisPrefix?: string }): string {
  if (!config.redisUrl) return 'none (rooms, rate limits and presence are this process\'s own)';
  const url = new URL(config.redisUrl);
  const db = url.pathname.length > 1 ? url.pathname : '';
  return `${url.protocol === 'rediss:' ? 'TLS ' : ''}${url.hostname || 'localhost'}:${url.port || 6379}${db}, keys under ${config.redisPrefix || 'threadline:'}`;
}

/** What the Redis parts log through (the server's pino logger). */
export interface ClusterLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** How long the start waits for Redis before it gives up. */
const CONNECT_TIMEOUT_MS = 5000;
/**
 * A command (a rate-limit count, a presence lookup) that takes longer fails, and its caller falls
 * back to what this node knows alone: a hung Redis must not hang every send.
 */
const COMMAND_TIMEOUT_MS = 1000;

/**
 * The node's connections to Redis, every key and channel under one prefix:
 *
 * - `commands`: rate limits, presence, node liveness, publishing invalidations. Its offline queue
 *   is off and commands time out, so while Redis is away a command fails at once and the caller
 *   falls back to this node's own state instead of waiting.
 * - the socket.io adapter's client (Redis Streams: `<prefix>socket.io`), with its offline queue
 *   on: a broadcast made during a short outage is queued and appended when Redis is back, and the
 *   other nodes resume reading the stream where they stopped, so nothing is lost. The adapter
 *   duplicates it twice (a stream reader and a pub/sub subscriber); those copies are tracked here
 *   so `close()` ends them too.
 * - a subscriber, made on the first `subscribe`.
 */
export class RedisLink {
  readonly commands: Redis;
  readonly #adapterClient: Redis;
  readonly #copies: Redis[] = [];
  #subscriber: Redis | null = null;
  readonly #handlers = new Map<string, Set<(message: string) => void>>();
  readonly #onReconnect = new Set<() => void>();
  #lost = false;
  #connected = false;
  /** The last connection error, for the start's message (ioredis rejects with "Connection is closed"). */
  #lastError: (Error & { code?: string }) | null = null;
  #closed = false;

  private constructor(
    url: string,
    readonly prefix: string,
    private readonly log: ClusterLog,
  ) {
    // Auto-pipelining: the commands issued in one turn of the event loop (a burst of sends' rate
    // limits, their broadcasts) go to Redis in one write, not one each: under load, every write is
    // a system call that wakes Redis and may hand it this node's core.
    const common: RedisOptions = { lazyConnect: true, connectionName: 'threadline', enableAutoPipelining: true };
    this.commands = new Redis(url, { ...common, enableOfflineQueue: false, commandTimeout: COMMAND_TIMEOUT_MS, maxRetriesPerRequest: 1 });
    this.#adapterClient = new Redis(url, common);
    const duplicate = this.#adapterClient.duplicate.bind(this.#adapterClient);
    // The adapter makes its reader and subscriber with `duplicate()` and keeps them to itself.
    // Those wait on one blocking read or a subscription: nothing to pipeline.
    this.#adapterClient.duplicate = ((override?: Partial<RedisOptions>) => {
      const copy = duplicate({ enableAutoPipelining: false, ...override });
      this.#copies.push(copy);
      return copy;
    }) as Redis['duplicate'];
    this.commands.on('error', (err: Error) => {
      this.#lastError = err;
      this.#down(err);
    });
    this.commands.on('close', () => this.#down(new Error('connection closed')));
    this.commands.on('ready', () => this.#up());
    // Errors of the other connections say the same thing; ioredis reconnects them all.
    this.#adapterClient.on('error', () => {});
  }

  /** Connects (or throws without naming the URL, which may hold a password). */
  static async connect(url: string, prefix: string, log: ClusterLog): Promise<RedisLink> {
    const link = new RedisLink(url, prefix, log);
    try {
      await withTimeout(Promise.all([link.commands.connect(), link.#adapterClient.connect()]), CONNECT_TIMEOUT_MS);
    } catch (err) {
      await link.close();
      const cause = link.#lastError ?? (err as Error & { code?: string });
      const reason = cause.code ?? cause.message;
      throw new Error(`THREADLINE_REDIS_URL: Redis did not answer (${reason}); the server needs it to share rooms, rate limits and presence with the other nodes`);
    }
    return link;
  }

  /** `<prefix><parts joined by :>`, e.g. `threadline:presence:<node id>`. */
  key(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }

  /** The socket.io adapter: rooms and broadcasts of every namespace reach every node. */
  adapter(): ReturnType<typeof createAdapter> {
    return createAdapter(this.#adapterClient, {
      streamName: this.key('socket.io'),
      channelPrefix: this.key('socket.io'),
      sessionKeyPrefix: this.key('sio', 'session', ''),
    });
  }

  /**
   * Resolves once the adapter's own connections are up and reading, so what another node
   * broadcasts from now on reaches this one (the stream is read from the moment its reader starts).
   */
  async adapterReady(): Promise<void> {
    const ready = this.#copies.map((copy) => (copy.status === 'ready' ? undefined : new Promise<void>((resolve) => copy.once('ready', () => resolve()))));
    await withTimeout(Promise.all(ready), CONNECT_TIMEOUT_MS).catch(() => undefined);
    // The reader sends its first XREAD as soon as it is connected; one round trip later it is in.
    await this.commands.ping().catch(() => undefined);
  }

  /** Calls `fn` after the command connection came back from an outage (missed messages, lost keys). */
  onReconnect(fn: () => void): () => void {
    this.#onReconnect.add(fn);
    return () => this.#onReconnect.delete(fn);
  }

  /** Publishes on `<prefix><channel>`; a failure (Redis away) is the caller's to ignore. */
  async publish(channel: string, message: string): Promise<void> {
    await this.commands.publish(this.key(channel), message);
  }

  /** Hears `<prefix><channel>`; ioredis subscribes again after a reconnection. */
  subscribe(channel: string, fn: (message: string) => void): void {
    const name = this.key(channel);
    let handlers = this.#handlers.get(name);
    if (!handlers) {
      handlers = new Set();
      this.#handlers.set(name, handlers);
      this.#subscriberConnection().subscribe(name).catch(() => {
        // Not connected yet or away: ioredis subscribes when it (re)connects.
      });
    }
    handlers.add(fn);
  }

  #subscriberConnection(): Redis {
    if (this.#subscriber) return this.#subscriber;
    const sub = this.commands.duplicate({ enableOfflineQueue: true, commandTimeout: undefined, maxRetriesPerRequest: null, lazyConnect: false, enableAutoPipelining: false });
    sub.on('error', () => {});
    sub.on('message', (channel: string, message: string) => {
      for (const fn of this.#handlers.get(channel) ?? []) fn(message);
    });
    this.#subscriber = sub;
    return sub;
  }

  #down(err: Error): void {
    // Before the first connection `connect` reports the failure itself.
    if (!this.#connected || this.#lost || this.#closed) return;
    this.#lost = true;
    this.log.warn(
      { err: { code: (err as { code?: string }).code, message: err.message } },
      'Redis does not answer: until it is back, rate limits count per node, presence sees this node only, and broadcasts wait to be sent',
    );
  }

  #up(): void {
    this.#connected = true;
    if (!this.#lost) return;
    this.#lost = false;
    this.log.info({}, 'Redis answers again');
    for (const fn of this.#onReconnect) fn();
  }

  /** Ends every connection, the adapter's copies included (call after `io.close()`). */
  async close(): Promise<void> {
    this.#closed = true;
    for (const client of [this.#subscriber, ...this.#copies, this.#adapterClient, this.commands]) client?.disconnect();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${ms} ms`), { code: 'ETIMEDOUT' })), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
