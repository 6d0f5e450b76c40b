import type { Redis } from 'ioredis';
import type { ClusterLog, RedisLink } from './redis.js';

export interface PresenceOptions {
  /** This node's id (the one in the `nodes` table). */
  nodeId: string;
  /** Shares this node's presence with the others; null: this node's sockets are all there is. */
  redis: RedisLink | null;
  log: ClusterLog;
  /**
   * How often the node says it is alive and refreshes its entries; another node stops counting
   * its visitors three of these after the last one (a node killed without closing).
   * @default 5000
   */
  heartbeatMs?: number;
}

export const DEFAULT_PRESENCE_HEARTBEAT_MS = 5000;

/*
 * Redis layout, under the prefix:
 *   nodes                    set of node ids that wrote presence
 *   node:<id>                "1" while the node lives (expires 3 heartbeats after the last one)
 *   presence:<id>            hash room → app id: the rooms with at least one socket on that node
 *                            (expires with the node, refreshed by each heartbeat)
 * The scripts read other nodes' keys from their arguments, so they need one Redis (a primary,
 * with replicas if you like), not a Redis Cluster.
 */

/** Which of ARGV[3..] has a socket on some other live node: 1 or 0 each. */
const ONLINE = `
local p, self = ARGV[1], ARGV[2]
local live = {}
for _, n in ipairs(redis.call('SMEMBERS', p .. 'nodes')) do
  if n ~= self and redis.call('EXISTS', p .. 'node:' .. n) == 1 then live[#live + 1] = n end
end
local out = {}
for i = 3, #ARGV do
  local hit = 0
  for _, n in ipairs(live) do
    if redis.call('HEXISTS', p .. 'presence:' .. n, ARGV[i]) == 1 then hit = 1 break end
  end
  out[#out + 1] = hit
end
return out`;

/** The rooms of app ARGV[3] starting with ARGV[4] that have a socket on some other live node. */
const MEMBERS = `
local p, self, app, start = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local out = {}
for _, n in ipairs(redis.call('SMEMBERS', p .. 'nodes')) do
  if n ~= self and redis.call('EXISTS', p .. 'node:' .. n) == 1 then
    local h = redis.call('HGETALL', p .. 'presence:' .. n)
    for i = 1, #h, 2 do
      if h[i + 1] == app and string.sub(h[i], 1, #start) == start then out[#out + 1] = h[i] end
    end
  end
end
return out`;

/** This node is alive for ARGV[3] ms more; forgets nodes whose liveness ran out. */
const HEARTBEAT = `
local p, self, ttl = ARGV[1], ARGV[2], ARGV[3]
redis.call('SET', p .. 'node:' .. self, '1', 'PX', ttl)
redis.call('SADD', p .. 'nodes', self)
redis.call('PEXPIRE', p .. 'presence:' .. self, ttl)
for _, n in ipairs(redis.call('SMEMBERS', p .. 'nodes')) do
  if redis.call('EXISTS', p .. 'node:' .. n) == 0 then redis.call('SREM', p .. 'nodes', n) end
end
return 1`;

interface Scripts {
  threadlineOnline(...args: string[]): Promise<number[]>;
  threadlineMembers(...args: string[]): Promise<string[]>;
  threadlineHeartbeat(...args: string[]): Promise<number>;
}

/**
 * Who has a socket open, asked without a request to the other nodes: each node counts the
 * sockets in the rooms that stand for a person (a visitor's, a user's) itself. Answering for a
 * room with a socket here costs nothing; with Redis the other nodes are asked through Redis — one
 * script, one round trip, never a node that may be dead — where each node keeps the rooms it has
 * sockets in and a liveness key it refreshes on a heartbeat. A node killed without closing
 * stops counting when its liveness runs out; one that closes removes its entries at once.
 *
 * While Redis does not answer, a node answers from its own sockets only, and writes its whole
 * state again once Redis is back.
 */
export class Presence {
  readonly #local = new Map<string, { appId: string; sockets: number }>();
  readonly #redis: RedisLink | null;
  readonly #nodeId: string;
  readonly #heartbeatMs: number;
  readonly #log: ClusterLog;
  #timer: NodeJS.Timeout | null = null;
  /** The entries in Redis may be missing or stale: the next heartbeat writes them all. */
  #dirty = true;
  #failing = false;
  #stopReconnect: (() => void) | null = null;

  constructor(options: PresenceOptions) {
    this.#redis = options.redis;
    this.#nodeId = options.nodeId;
    this.#heartbeatMs = options.heartbeatMs ?? DEFAULT_PRESENCE_HEARTBEAT_MS;
    this.#log = options.log;
    if (this.#redis) {
      const client = this.#redis.commands;
      client.defineCommand('threadlineOnline', { numberOfKeys: 0, lua: ONLINE });
      client.defineCommand('threadlineMembers', { numberOfKeys: 0, lua: MEMBERS });
      client.defineCommand('threadlineHeartbeat', { numberOfKeys: 0, lua: HEARTBEAT });
    }
  }

  get #ttlMs(): number {
    return this.#heartbeatMs * 3;
  }

  get #hash(): string {
    return this.#redis!.key('presence', this.#nodeId);
  }

  #scripts(): Scripts & Redis {
    return this.#redis!.commands as Scripts & Redis;
  }

  /**
   * A socket joined `rooms`. Counted at once; resolves when the other nodes can see it (at once
   * without Redis). Never rejects: a failed write is redone by the next heartbeat.
   */
  enter(appId: string, rooms: readonly string[]): Promise<void> {
    const fresh: string[] = [];
    for (const room of rooms) {
      const entry = this.#local.get(room);
      if (entry) entry.sockets++;
      else {
        this.#local.set(room, { appId, sockets: 1 });
        fresh.push(room);
      }
    }
    if (!fresh.length || !this.#redis) return Promise.resolve();
    const fields = fresh.flatMap((room) => [room, appId]);
    return this.#write(this.#redis.commands.multi().hset(this.#hash, ...fields).pexpire(this.#hash, this.#ttlMs).exec());
  }

  /** A socket that `enter`ed `rooms` closed. Uncounted at once; resolves like `enter`. */
  leave(rooms: readonly string[]): Promise<void> {
    const gone: string[] = [];
    for (const room of rooms) {
      const entry = this.#local.get(room);
      if (!entry) continue;
      if (--entry.sockets > 0) continue;
      this.#local.delete(room);
      gone.push(room);
    }
    if (!gone.length || !this.#redis) return Promise.resolve();
    return this.#write(this.#redis.commands.hdel(this.#hash, ...gone));
  }

  /** Sockets open in `room` on this node. */
  here(room: string): number {
    return this.#local.get(room)?.sockets ?? 0;
  }

  /** Which of `rooms` have a socket open on some node. */
  async online(rooms: readonly string[]): Promise<Set<string>> {
    const found = new Set(rooms.filter((room) => this.#local.has(room)));
    const elsewhere = [...new Set(rooms.filter((room) => !found.has(room)))];
    if (!elsewhere.length || !this.#redis) return found;
    try {
      const hits = await this.#scripts().threadlineOnline(this.#redis.prefix, this.#nodeId, ...elsewhere);
      elsewhere.forEach((room, i) => {
        if (hits[i] === 1) found.add(room);
      });
      this.#recovered();
    } catch (err) {
      this.#failed(err);
    }
    return found;
  }

  async isOnline(room: string): Promise<boolean> {
    return (await this.online([room])).has(room);
  }

  /** The rooms of `appId` whose names start with `start` that have a socket open on some node. */
  async members(appId: string, start: string): Promise<string[]> {
    const found = new Set<string>();
    for (const [room, entry] of this.#local) if (entry.appId === appId && room.startsWith(start)) found.add(room);
    if (!this.#redis) return [...found];
    try {
      for (const room of await this.#scripts().threadlineMembers(this.#redis.prefix, this.#nodeId, appId, start)) found.add(room);
      this.#recovered();
    } catch (err) {
      this.#failed(err);
    }
    return [...found];
  }

  /** Starts the heartbeat (an unref'd timer); with Redis, writes this node's entries now. */
  async start(): Promise<void> {
    if (!this.#redis || this.#timer) return;
    this.#stopReconnect = this.#redis.onReconnect(() => {
      // Redis may have restarted empty, and writes made while it was away failed.
      this.#dirty = true;
      void this.#heartbeat();
    });
    this.#timer = setInterval(() => void this.#heartbeat(), this.#heartbeatMs);
    this.#timer.unref();
    await this.#heartbeat();
  }

  /** Stops the heartbeat and removes this node's entries, so its visitors are offline at once. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#stopReconnect?.();
    if (!this.#redis) return;
    const { commands } = this.#redis;
    await commands
      .multi()
      .del(this.#hash, this.#redis.key('node', this.#nodeId))
      .srem(this.#redis.key('nodes'), this.#nodeId)
      .exec()
      .catch(() => {
        // Redis away: the entries expire with the liveness key.
      });
  }

  async #heartbeat(): Promise<void> {
    const redis = this.#redis!;
    const args = [redis.prefix, this.#nodeId, String(this.#ttlMs)];
    try {
      if (this.#dirty) {
        // Whole state in one transaction; enters and leaves sent after it apply after it.
        this.#dirty = false;
        const fields = [...this.#local].flatMap(([room, entry]) => [room, entry.appId]);
        const multi = redis.commands.multi().del(this.#hash);
        if (fields.length) multi.hset(this.#hash, ...fields);
        const results = await (multi as unknown as { threadlineHeartbeat(...a: string[]): typeof multi }).threadlineHeartbeat(...args).exec();
        const failed = results?.find(([err]) => err);
        if (!results || failed) throw failed?.[0] ?? new Error('transaction discarded');
      } else {
        await this.#scripts().threadlineHeartbeat(...args);
      }
      this.#recovered();
    } catch (err) {
      this.#dirty = true;
      this.#failed(err);
    }
  }

  async #write(pending: Promise<unknown>): Promise<void> {
    try {
      await pending;
    } catch (err) {
      this.#dirty = true;
      this.#failed(err);
    }
  }

  #failed(err: unknown): void {
    if (this.#failing) return;
    this.#failing = true;
    this.#log.warn({ err: { message: (err as Error).message } }, 'presence: Redis did not answer; answering from this node\'s sockets until it does');
  }

  #recovered(): void {
    this.#failing = false;
  }
}
