import type { Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../db/schema.js';
import { migrateToLatest } from '../db/migrate.js';
import { openDatabase } from '../db/open.js';
import { JobStore } from '../store/job-store.js';
import { eventually, tempDir, testDatabase } from '../test/harness.js';
import type { TestDatabase } from '../test/postgres.js';
import { JobWorker, type Job, type JobHandler, type JobWorkerOptions } from './worker.js';

/**
 * One database and the connections of several "nodes" to it: on PostgreSQL each node its own pool,
 * as separate processes would have; on SQLite one (a file has one process).
 */
let database: TestDatabase | null = null;
const pools: Kysely<Database>[] = [];
const workers: JobWorker[] = [];
let first: Kysely<Database>;

async function nodeDb(): Promise<Kysely<Database>> {
  if (!database && pools.length) return pools[0]!;
  const db = await openDatabase({ databaseUrl: database?.url, dataDir: dir });
  pools.push(db);
  return db;
}
let dir = '';

async function setup(): Promise<void> {
  database = await testDatabase();
  dir = tempDir();
  first = await nodeDb();
  await migrateToLatest(first);
}

afterEach(async () => {
  for (const w of workers.splice(0)) await w.stop();
  for (const db of pools.splice(0)) await db.destroy();
  await database?.drop();
  database = null;
});

const warnings: string[] = [];
const log = { warn: (_obj: object, msg: string) => void warnings.push(msg) };

async function worker(node: string, handler: JobHandler, options: Partial<JobWorkerOptions> = {}): Promise<JobWorker> {
  const w = new JobWorker(new JobStore(await nodeDb()), { node, pollMs: 50, ...options }, log);
  w.handle('test', handler);
  workers.push(w);
  return w;
}

const jobsLeft = async () => (await first.selectFrom('jobs').select('id').execute()).length;

describe('durable jobs', () => {
  it('runs each due job once among several nodes, then deletes it', async () => {
    await setup();
    const runs: { node: string; id: string }[] = [];
    const nodes = await Promise.all(['a', 'b', 'c'].map((node) => worker(node, async (job) => void runs.push({ node, id: job.id }))));
    for (let i = 0; i < 60; i++) await nodes[i % 3]!.add('test', { i }, { runAt: Date.now() });
    for (const n of nodes) n.start();
    await eventually(async () => (await jobsLeft()) === 0, 10_000);
    expect(runs).toHaveLength(60);
    expect(new Set(runs.map((r) => r.id)).size).toBe(60);
  });

  it('keeps one waiting job per dedupe key, and takes the key again once it ran', async () => {
    await setup();
    const ran: unknown[] = [];
    const w = await worker('a', async (job) => void ran.push(job.payload));
    expect(await w.add('test', 1, { runAt: Date.now(), dedupeKey: 'k' })).toBe(true);
    expect(await w.add('test', 2, { runAt: Date.now(), dedupeKey: 'k' })).toBe(false);
    w.start();
    await eventually(async () => (await jobsLeft()) === 0);
    expect(ran).toEqual([1]);
    expect(await w.add('test', 3, { runAt: Date.now(), dedupeKey: 'k' })).toBe(true);
  });

  it('does not run a job before its time, and runs a job written with a wake-up at it', async () => {
    await setup();
    const ran: Job[] = [];
    // A poll far away: only the wake-up of the job written on this node can run it in time.
    const w = await worker('a', async (job) => void ran.push(job), { pollMs: 60_000 });
    w.start();
    const runAt = Date.now() + 300;
    await w.add('test', null, { runAt });
    await eventually(() => ran.length === 1);
    expect(ran[0]!.runAt).toBe(runAt);
    expect(Date.now()).toBeGreaterThanOrEqual(runAt);
  });

  it('runs a job claimed by a node that died once that claim has run out, on another node', async () => {
    await setup();
    const store = new JobStore(first);
    await store.add({ id: 'orphan', kind: 'test', payload: null, runAt: Date.now(), createdAt: Date.now() });
    // A node claims it with a short lease and never finishes: it died.
    const [claimed] = await store.claim('dead-node', ['test'], Date.now(), 400, 10);
    expect(claimed).toMatchObject({ id: 'orphan', locked_by: 'dead-node', attempts: 1 });
    const ran: { job: Job; at: number }[] = [];
    (await worker('b', async (job) => void ran.push({ job, at: Date.now() }))).start();
    await eventually(() => ran.length === 1);
    expect(ran[0]!.job).toMatchObject({ id: 'orphan', attempts: 2 });
    expect(ran[0]!.at).toBeGreaterThanOrEqual(claimed!.locked_until!);
  });

  it('stops claiming, waits for the job in flight, and hands back its leases so another node runs them at once', async () => {
    await setup();
    let release!: () => void;
    const blocked = new Promise<void>((r) => (release = r));
    let started = false;
    const a = await worker('a', async () => {
      started = true;
      await blocked;
    });
    await a.add('test', 'slow', { runAt: Date.now() });
    a.start();
    await eventually(() => started);
    // Another job node a holds for a minute without having started it.
    const store = new JobStore(first);
    await store.add({ id: 'held', kind: 'test', payload: 'held', runAt: Date.now(), createdAt: Date.now() });
    expect(await store.claim('a', ['test'], Date.now(), 60_000, 10)).toHaveLength(1);

    let stopped = false;
    const stopping = a.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(stopped).toBe(false); // the job in flight holds the stop
    release();
    await stopping;
    expect(await store.get('held')).toMatchObject({ locked_by: null, locked_until: null });

    const ran: unknown[] = [];
    (await worker('b', async (job) => void ran.push(job.payload))).start();
    await eventually(() => ran.length === 1); // well before the minute's lease
    expect(ran).toEqual(['held']);
    // The job is deleted once its handler returned: a moment after it ran.
    await eventually(async () => (await jobsLeft()) === 0);
  });

  it('tries a failing job again later, and drops it after its last attempt', async () => {
    await setup();
    warnings.length = 0;
    let runs = 0;
    const w = await worker(
      'a',
      async () => {
        runs++;
        throw new Error('receiver down');
      },
      { maxAttempts: 2 },
    );
    await w.add('test', null, { runAt: Date.now() });
    const before = Date.now();
    w.start();
    const retry = await eventually(async () => {
      const row = await first.selectFrom('jobs').selectAll().executeTakeFirst();
      return row?.last_error ? row : null;
    });
    expect(retry).toMatchObject({ attempts: 1, last_error: 'receiver down', locked_by: null });
    expect(retry.run_at).toBeGreaterThan(before);
    await eventually(async () => (await jobsLeft()) === 0, 5000);
    expect(runs).toBe(2);
    expect(warnings).toContain('job failed for the last time; dropped');
  });
});
