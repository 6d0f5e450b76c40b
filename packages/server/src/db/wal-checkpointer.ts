import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** What one `PRAGMA wal_checkpoint(PASSIVE)` in the worker reported. */
export interface CheckpointResult {
  /** Frames in the WAL. */
  log: number;
  /** Frames of it now copied into the database file. */
  checkpointed: number;
}

export interface WalCheckpointerOptions {
  /** Time between checkpoints. */
  intervalMs: number;
  /** The worker failed or exited unasked: checkpoints are someone else's job again. */
  onFailure: (err: Error) => void;
}

// Evaluated, not a module file: the same code runs from src/ under the tests and from dist/.
// `driver` is better-sqlite3 as the server resolves it. PASSIVE never waits for the server's
// connection and never makes it wait (a reader or the writer goes on while frames are copied).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.driver);
// better-sqlite3's SqliteError reaches the parent as a bare object: rethrow its text and code.
const plain = (err) => Object.assign(new Error(String(err && err.message)), { code: err && err.code });
let db;
try {
  db = new SQLite(workerData.file, { fileMustExist: true });
  db.pragma('busy_timeout = 0');
} catch (err) {
  throw plain(err);
}
const timer = setInterval(() => {
  let r;
  try {
    [r] = db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    throw plain(err);
  }
  if (r.log > 0) parentPort.postMessage({ log: r.log, checkpointed: r.checkpointed });
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * Copies the WAL into the database file from a worker thread with its own connection, so the
 * checkpoint's page writes and its two fsyncs never run on the event loop; without it SQLite
 * checkpoints inside the commit that fills the WAL to 1000 pages, on whichever request made that
 * commit (see docs/performance.md, server load). `openSqlite` keeps SQLite's own only as the WAL's
 * limit. A committed transaction is in the WAL whether or not it was copied yet; each checkpoint
 * fsyncs it first. The worker is unref'd: it never keeps the process alive.
 */
export class WalCheckpointer {
  readonly #worker: Worker;
  readonly #exited: Promise<void>;
  readonly #listeners = new Set<(result: CheckpointResult) => void>();
  #stopping = false;
  #running = true;

  constructor(file: string, options: WalCheckpointerOptions) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, intervalMs: options.intervalMs } });
    this.#worker.unref();
    let failure: Error | null = null;
    this.#worker.on('message', (result: CheckpointResult) => {
      for (const l of this.#listeners) l(result);
    });
    this.#worker.on('error', (err) => {
      failure = err;
    });
    this.#exited = new Promise((resolve) => {
      this.#worker.once('exit', (code) => {
        this.#running = false;
        if (!this.#stopping) options.onFailure(failure ?? new Error(`the WAL checkpointer exited with code ${code}`));
        resolve();
      });
    });
  }

  /** False once the worker has exited (stopped or failed). */
  get running(): boolean {
    return this.#running;
  }

  /** Hears each checkpoint that found frames in the WAL. Returns the unsubscribe function. */
  subscribe(listener: (result: CheckpointResult) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Lets a checkpoint in progress finish, closes the worker's connection; resolves once it exited. */
  async stop(): Promise<void> {
    if (!this.#stopping) {
      this.#stopping = true;
      this.#listeners.clear();
      if (this.#running) this.#worker.postMessage('stop');
    }
    await this.#exited;
  }
}
