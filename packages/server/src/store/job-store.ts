import { sql, type Kysely } from 'kysely';
import type { Database, JobsTable } from '../db/schema.js';
import { claimLeased, releaseLeases } from './lease.js';

export interface NewJob {
  id: string;
  kind: string;
  payload: unknown;
  runAt: number;
  /** At most one job with this key waits at a time: adding another while it does adds nothing. */
  dedupeKey?: string | null;
  createdAt: number;
}

/** The SQL of the `jobs` table; when and how to run them is jobs/worker.ts's. */
export class JobStore {
  constructor(readonly db: Kysely<Database>) {}

  /**
   * Writes a job; `db` may be an open transaction, so the job commits with the change that asked
   * for it. False when a job with its dedupe key is already waiting (nothing written).
   */
  async add(job: NewJob, db: Kysely<Database> = this.db): Promise<boolean> {
    const row: JobsTable = {
      id: job.id,
      kind: job.kind,
      payload: JSON.stringify(job.payload ?? null),
      run_at: job.runAt,
      attempts: 0,
      locked_by: null,
      locked_until: null,
      dedupe_key: job.dedupeKey ?? null,
      last_error: null,
      created_at: job.createdAt,
    };
    const res = await db
      .insertInto('jobs')
      .values(row)
      .onConflict((oc) => oc.column('dedupe_key').doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows) === 1;
  }

  /** Claims up to `limit` due jobs of these kinds for `leaseMs`, counting the attempt (store/lease.ts). */
  async claim(node: string, kinds: string[], now: number, leaseMs: number, limit: number): Promise<JobsTable[]> {
    if (!kinds.length) return [];
    return claimLeased<JobsTable>(this.db, 'jobs', {
      node,
      now,
      leaseMs,
      limit,
      due: sql`run_at <= ${now} and kind in (${sql.join(kinds)})`,
      orderBy: 'run_at',
      set: sql`attempts = attempts + 1`,
    });
  }

  /** The job is done: deleted, inside `db` when given (the transaction of its effect). */
  async complete(id: string, db: Kysely<Database> = this.db): Promise<void> {
    await db.deleteFrom('jobs').where('id', '=', id).execute();
  }

  /**
   * A failed run: unclaimed and due again at `runAt`. Only while `node` still holds it: a node
   * whose lease ran out must not move a job another node has taken over.
   */
  async retry(id: string, node: string, runAt: number, error: string): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({ run_at: runAt, last_error: error, locked_by: null, locked_until: null })
      .where('id', '=', id)
      .where('locked_by', '=', node)
      .execute();
  }

  /** Not due yet after all: unclaimed, due again at `runAt`, and this claim not counted as an attempt. */
  async postpone(id: string, node: string, runAt: number): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set((eb) => ({ run_at: runAt, attempts: eb('attempts', '-', 1), locked_by: null, locked_until: null }))
      .where('id', '=', id)
      .where('locked_by', '=', node)
      .execute();
  }

  /** Gives up every lease `node` holds (it is stopping), so other nodes run those jobs now. */
  async release(node: string): Promise<number> {
    return releaseLeases(this.db, 'jobs', node);
  }

  async get(id: string): Promise<JobsTable | undefined> {
    return this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  }
}
