import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { backoffDelay, type BackoffPolicy } from '../backoff.js';
import { systemClock, type Clock } from '../clock.js';
import type { Database, JobsTable } from '../db/schema.js';
import type { JobStore } from '../store/job-store.js';

/** A claimed job, as its handler sees it. */
export interface Job<P = unknown> {
  id: string;
  kind: string;
  payload: P;
  runAt: number;
  /** 1 on the first run; more when an earlier run failed or its node died. */
  attempts: number;
}

/**
 * Runs one job. Resolving means done: the worker deletes the row (a handler may delete it itself,
 * inside the transaction of its effect, with `JobWorker.complete`). Resolving with `{ postponeTo }`
 * means not yet: the job waits until then, and the run does not count as an attempt. Throwing
 * means try again later. A job runs at least once; a handler must make a second run of the same
 * job harmless.
 */
export type JobHandler = (job: Job) => Promise<void | { postponeTo: number }>;

export interface JobWorkerOptions {
  /** This node's id, written into the rows it claims. */
  node: string;
  /**
   * How often the worker looks for due jobs, besides the wake-ups of jobs this node wrote.
   * @default 500
   */
  pollMs?: number;
  /**
   * How long a claim lasts: a job whose node died is run again this long after it was claimed.
   * Longer than any run of a job.
   * @default 30000
   */
  leaseMs?: number;
  /**
   * Runs of one job (failures, or claims by nodes that died) before it is dropped, with a warning.
   * @default 5
   */
  maxAttempts?: number;
  /** @default 20 */
  batch?: number;
}

interface Logger {
  warn(obj: object, msg: string): void;
}

const RETRY: BackoffPolicy = { baseMs: 1000, maxMs: 60_000, jitter: 0.2 };
/** Wake-ups remembered for jobs this node wrote; past that, polling alone finds them. */
const MAX_WAKEUPS = 10_000;

/**
 * Timed work on every node, durable in the `jobs` table. Each node polls for due jobs of the kinds
 * it has handlers for and claims them with a lease (store/lease.ts), so one node runs each job;
 * a job whose node died is claimed again once its lease has passed. A node that wrote a job wakes
 * up at its time instead of waiting for the next poll.
 */
export class JobWorker {
  readonly #handlers = new Map<string, JobHandler>();
  readonly #wakeups = new Set<number>();
  readonly #clock: Clock;
  readonly #pollMs: number;
  readonly #leaseMs: number;
  readonly #maxAttempts: number;
  readonly #batch: number;
  #timer: unknown = null;
  #timerAt = Infinity;
  #round: Promise<void> | null = null;
  #again = false;
  #started = false;
  #stopped = false;

  constructor(
    private readonly store: JobStore,
    private readonly options: JobWorkerOptions,
    private readonly log: Logger,
    clock: Clock = systemClock,
  ) {
    this.#clock = clock;
    this.#pollMs = options.pollMs ?? 500;
    this.#leaseMs = options.leaseMs ?? 30_000;
    this.#maxAttempts = options.maxAttempts ?? 5;
    this.#batch = options.batch ?? 20;
  }

  get node(): string {
    return this.options.node;
  }

  /** Runs of one job before it is dropped: a handler seeing its last attempt can give up in its own way. */
  get maxAttempts(): number {
    return this.#maxAttempts;
  }

  /** Runs jobs of `kind` with `handler` on this node; without one, this node never claims them. */
  handle(kind: string, handler: JobHandler): void {
    this.#handlers.set(kind, handler);
  }

  /**
   * Writes a job due at `runAt` (inside `within`, an open transaction, when given: call `wake` after
   * it commits). False when a job with the same `dedupeKey` is already waiting.
   */
  async add(kind: string, payload: unknown, at: { runAt: number; dedupeKey?: string | null; within?: Kysely<Database> }): Promise<boolean> {
    const added = await this.store.add({ id: uuidv7(), kind, payload, runAt: at.runAt, dedupeKey: at.dedupeKey, createdAt: this.#clock.now() }, at.within);
    if (added && !at.within) this.wake(at.runAt);
    return added;
  }

  /** Deletes a job inside the transaction of its effect, so the two commit together. */
  async complete(id: string, within: Kysely<Database>): Promise<void> {
    await this.store.complete(id, within);
  }

  /** Looks for due jobs at `at` (default now) rather than at the next poll. */
  wake(at: number = this.#clock.now()): void {
    if (this.#stopped) return;
    if (this.#wakeups.size < MAX_WAKEUPS) this.#wakeups.add(at);
    if (this.#started) this.#schedule(at);
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#schedule(this.#clock.now());
  }

  /**
   * Stops claiming, waits for the jobs in flight, then clears this node's leases so another node
   * runs anything it still held at once (not after the lease).
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
    await this.#round;
    await this.store.release(this.options.node).catch((err: unknown) => this.log.warn({ err }, 'releasing job leases failed'));
  }

  #schedule(at: number): void {
    if (this.#stopped || at >= this.#timerAt) return;
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timerAt = at;
    // One millisecond late rather than early: a job due at `at` is due by the time this fires.
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = null;
      this.#timerAt = Infinity;
      this.#tick();
    }, Math.max(0, at - this.#clock.now()) + 1);
  }

  #tick(): void {
    if (this.#stopped) return;
    if (this.#round) {
      this.#again = true;
      return;
    }
    this.#round = this.#runDue()
      .catch((err: unknown) => this.log.warn({ err }, 'job round failed'))
      .finally(() => {
        this.#round = null;
        if (this.#again) {
          this.#again = false;
          this.#tick();
          return;
        }
        const now = this.#clock.now();
        let next = now + this.#pollMs;
        for (const at of this.#wakeups) {
          if (at <= now) this.#wakeups.delete(at);
          else next = Math.min(next, at);
        }
        this.#schedule(next);
      });
  }

  async #runDue(): Promise<void> {
    const kinds = [...this.#handlers.keys()];
    for (;;) {
      if (this.#stopped) return;
      const jobs = await this.store.claim(this.options.node, kinds, this.#clock.now(), this.#leaseMs, this.#batch);
      await Promise.all(jobs.map((row) => this.#run(row)));
      if (jobs.length < this.#batch) return;
    }
  }

  async #run(row: JobsTable): Promise<void> {
    const attempts = Number(row.attempts);
    if (attempts > this.#maxAttempts) {
      // Claimed that often without finishing: its runs kill their node, or keep failing.
      this.log.warn({ job: row.id, kind: row.kind, attempts: attempts - 1, error: row.last_error }, 'job dropped after too many attempts');
      await this.store.complete(row.id);
      return;
    }
    const handler = this.#handlers.get(row.kind)!;
    const job: Job = { id: row.id, kind: row.kind, payload: JSON.parse(row.payload) as unknown, runAt: Number(row.run_at), attempts };
    let outcome: void | { postponeTo: number };
    try {
      outcome = await handler(job);
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      if (attempts >= this.#maxAttempts) {
        this.log.warn({ err, job: row.id, kind: row.kind, attempts }, 'job failed for the last time; dropped');
        await this.store.complete(row.id);
      } else {
        await this.store.retry(row.id, this.options.node, this.#clock.now() + backoffDelay(attempts, RETRY, Math.random()), error);
      }
      return;
    }
    if (outcome && typeof outcome.postponeTo === 'number') {
      await this.store.postpone(row.id, this.options.node, outcome.postponeTo);
      return;
    }
    await this.store.complete(row.id);
  }
}
