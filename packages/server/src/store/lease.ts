import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../db/schema.js';
import { engineOf } from '../db/engine.js';

/** The tables whose rows are claimed with a lease: timed jobs and webhook deliveries. */
export type LeasedTable = 'jobs' | 'webhook_deliveries';

export interface ClaimSpec {
  /** This node's id, written to `locked_by`. */
  node: string;
  now: number;
  /** The claim runs out this long after `now`; another node may then take the row. */
  leaseMs: number;
  limit: number;
  /** What makes a row due, besides being unclaimed (e.g. `run_at <= now`). */
  due: RawBuilder<unknown>;
  /** Earliest first by this column. */
  orderBy: 'run_at' | 'next_attempt_at';
  /** More to set on the claimed rows (e.g. `attempts = attempts + 1`). */
  set?: RawBuilder<unknown>;
}

/**
 * Claims up to `limit` due rows of `table` that no live lease holds, for `leaseMs`, and returns
 * them as they are after the claim. One statement, the same on both engines but for the lock:
 *
 *     WITH due AS MATERIALIZED (SELECT id FROM t WHERE <due> AND (locked_until IS NULL OR
 *       locked_until < :now) ORDER BY … LIMIT n [FOR UPDATE SKIP LOCKED])
 *     UPDATE t SET locked_by = :node, locked_until = :now + lease WHERE id IN (SELECT id FROM due)
 *     RETURNING *
 *
 * PostgreSQL: nodes claiming at once skip each other's locked rows instead of waiting for them,
 * and a row another node claimed and committed meanwhile is re-checked against the lease
 * condition (READ COMMITTED's re-check of a changed row), so no row is claimed twice. The CTE is
 * materialized so the LIMIT and the locks are applied once: as a plain `IN (subquery)` the planner
 * may run the subquery more than once and claim more than `limit` rows. SQLite: one writer at a
 * time, so the statement is atomic as it is; it has no `FOR UPDATE`.
 *
 * Times come from the claiming node's clock, so nodes' clocks must agree to well within a lease
 * (NTP does).
 */
export async function claimLeased<Row>(db: Kysely<Database>, table: LeasedTable, spec: ClaimSpec): Promise<Row[]> {
  const lock = engineOf(db) === 'postgres' ? sql` for update skip locked` : sql``;
  const more = spec.set ? sql`, ${spec.set}` : sql``;
  const t = sql.table(table);
  const { rows } = await sql<Row>`
    with due as materialized (
      select id from ${t}
      where (${spec.due}) and (locked_until is null or locked_until < ${spec.now})
      order by ${sql.ref(spec.orderBy)}
      limit ${spec.limit}${lock}
    )
    update ${t} set locked_by = ${spec.node}, locked_until = ${spec.now + spec.leaseMs}${more}
    where id in (select id from due)
    returning *`.execute(db);
  return rows;
}

/**
 * Drops every lease `node` holds on `table`, so other nodes take those rows at once instead of
 * after the lease (a node that stops cleanly calls it once its work in flight is done).
 */
export async function releaseLeases(db: Kysely<Database>, table: LeasedTable, node: string): Promise<number> {
  const res = await sql`update ${sql.table(table)} set locked_by = null, locked_until = null where locked_by = ${node}`.execute(db);
  return Number(res.numAffectedRows ?? 0);
}
