// Linux's scheduler statistics for this process's main thread (/proc/<pid>/task/<pid>/schedstat):
// time on a CPU, and time runnable but waiting in the run queue — the part of an event-loop stall
// that another process, not this one, caused. Null elsewhere.
import { readFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

const FILE = `/proc/${process.pid}/task/${process.pid}/schedstat`;

/** `{ runMs, waitMs }` so far, or null where the kernel does not tell. */
export function mainThreadSched() {
  try {
    const [run, wait] = readFileSync(FILE, 'utf8').split(' ').map(Number);
    return { runMs: run / 1e6, waitMs: wait / 1e6 };
  } catch {
    return null;
  }
}

/** What changed since `from` (a `mainThreadSched()`), or null. */
export function schedSince(from) {
  const now = mainThreadSched();
  return from && now ? { runMs: now.runMs - from.runMs, waitMs: now.waitMs - from.waitMs } : null;
}

/**
 * Raises this process's main thread to BENCH_SERVER_NICE (default -10; 0 leaves it), where the OS
 * lets it (root): on a machine shared with other work, the server and its load generator then take
 * the cores first and the figures measure the server rather than whatever else ran. Threads this
 * one starts later (workers) inherit it. Returns the priority in force.
 */
export function raisePriority() {
  const want = Number(process.env.BENCH_SERVER_NICE ?? -10);
  try {
    if (want) setPriority(want);
  } catch {
    // Not permitted (not root): the figures then share the machine as it is; the run says which.
  }
  return getPriority();
}
