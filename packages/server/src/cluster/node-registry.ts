import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { ClusterLog } from './redis.js';

export interface NodeRegistryOptions {
  db: Kysely<Database>;
  /** This process's id, made at start. */
  nodeId: string;
  /** Host name, process id and port: what another node's warning names. */
  name: string;
  /** Whether this node shares rooms, limits and presence through Redis. */
  redis: boolean;
  log: ClusterLog;
  /** @default 10000 */
  heartbeatMs?: number;
}

export const DEFAULT_NODE_HEARTBEAT_MS = 10_000;
/** A row nobody refreshed for this long belonged to a node that died without closing: deleted. */
const FORGET_AFTER_MS = 60 * 60 * 1000;

/**
 * The `nodes` table: every server process using the database writes its row at start and on a
 * heartbeat, and deletes it when it closes. It exists to catch one mistake: several nodes on one
 * database without Redis, each with its own rooms, rate limits and presence, so a visitor on one
 * node never hears an agent on another. A node that sees that logs one warning.
 */
export class NodeRegistry {
  readonly #options: NodeRegistryOptions;
  readonly #heartbeatMs: number;
  #timer: NodeJS.Timeout | null = null;
  #warned = false;

  constructor(options: NodeRegistryOptions) {
    this.#options = options;
    this.#heartbeatMs = options.heartbeatMs ?? DEFAULT_NODE_HEARTBEAT_MS;
  }

  /** Writes this node's row, looks at the others, and keeps doing so (an unref'd timer). */
  async start(): Promise<void> {
    if (this.#timer) return;
    const startedAt = Date.now();
    this.#timer = setInterval(() => void this.#beat(startedAt), this.#heartbeatMs);
    this.#timer.unref();
    await this.#beat(startedAt);
  }

  /** Stops the heartbeat and deletes this node's row (before the database closes). */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    const { db, nodeId } = this.#options;
    await db
      .deleteFrom('nodes')
      .where('id', '=', nodeId)
      .execute()
      .catch(() => {
        // The database is failing too; the row is forgotten after FORGET_AFTER_MS.
      });
  }

  /** Other nodes with a fresh heartbeat (three periods), as `{ name, redis }`. */
  async liveOthers(now = Date.now()): Promise<{ id: string; name: string; redis: boolean }[]> {
    const { db, nodeId } = this.#options;
    const rows = await db
      .selectFrom('nodes')
      .select(['id', 'name', 'redis'])
      .where('id', '!=', nodeId)
      .where('heartbeat_at', '>', now - this.#heartbeatMs * 3)
      .execute();
    return rows.map((r) => ({ id: r.id, name: r.name, redis: Number(r.redis) === 1 }));
  }

  async #beat(startedAt: number): Promise<void> {
    const { db, nodeId, name, redis, log } = this.#options;
    const now = Date.now();
    try {
      await db
        .insertInto('nodes')
        .values({ id: nodeId, name, redis: redis ? 1 : 0, started_at: startedAt, heartbeat_at: now })
        .onConflict((oc) => oc.column('id').doUpdateSet({ heartbeat_at: now }))
        .execute();
      await db.deleteFrom('nodes').where('heartbeat_at', '<', now - FORGET_AFTER_MS).execute();
      if (this.#warned) return;
      const others = await this.liveOthers(now);
      const names = others.map((o) => o.name).join(', ');
      if (others.length && !redis) {
        this.#warned = true;
        log.warn(
          { nodes: others.map((o) => o.name) },
          `another Threadline node (${names}) is using this database, but THREADLINE_REDIS_URL is not set: rooms, rate limits and presence are per node, so live messages reach only the sockets of the node that made them; set it, to the same Redis, on every node`,
        );
      } else if (others.some((o) => !o.redis)) {
        this.#warned = true;
        const alone = others.filter((o) => !o.redis).map((o) => o.name);
        log.warn(
          { nodes: alone },
          `another Threadline node (${alone.join(', ')}) is using this database without THREADLINE_REDIS_URL: its rooms, rate limits and presence are its own; set it, to the same Redis, on every node`,
        );
      }
    } catch {
      // The database is away; the queries that matter report it. The next beat tries again.
    }
  }
}
