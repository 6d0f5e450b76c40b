// BENCH_SERVER_TRACE=1: where the server's event loop goes during bench:server. Times every
// better-sqlite3 statement (run/all/get/iterate, exec, pragma) by SQL text, the waits for Kysely's
// single SQLite connection, GC pauses, the WAL file's size, and for every event-loop stall over
// STALL_MS what filled it: SQL, GC, other CPU, or time the main thread was runnable but not running
// (another process had the core: /proc/<pid>/task/<pid>/schedstat's run-queue wait).
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { mainThreadSched } from './sched.mjs';

const TICK_MS = 10;
const STALL_MS = 50;
const SLOW_SQL_MS = 5;
const RING = 1 << 16;

export async function startTrace({ walFile }) {
  // The server's own copies of better-sqlite3 and Kysely (the ones createServer will use).
  const req = createRequire(import.meta.resolve('@threadline/server'));
  const SQLite = req('better-sqlite3');
  const probe = new SQLite(':memory:');
  const stmtProto = Object.getPrototypeOf(probe.prepare('select 1'));
  probe.close();

  const bySql = new Map(); // sql → { n, ms, max }
  const statOf = new WeakMap(); // statement → its entry in bySql (reading `source` costs a native call)
  const slow = [];
  // Ring of recent calls (end time, duration, sql) to attribute a stall after the fact.
  const ringEnd = new Float64Array(RING);
  const ringDur = new Float64Array(RING);
  const ringSql = new Array(RING);
  let ringN = 0;
  let t0 = performance.now();
  // A WAL checkpoint is the only write to the database file itself: a commit during which the
  // file's mtime moved ran one (SQLite's auto-checkpoint runs inside the commit that fills the WAL;
  // one in another thread could land in that window too, rarely).
  const dbFile = walFile.replace(/-wal$/, '');
  const mtime = () => {
    try {
      return statSync(dbFile, { bigint: true }).mtimeNs;
    } catch {
      return 0n;
    }
  };
  const checkpoints = [];

  const entryOf = (sql) => {
    let e = bySql.get(sql);
    if (!e) bySql.set(sql, (e = { sql, n: 0, ms: 0, max: 0 }));
    return e;
  };
  const record = (e, start, mtimeBefore) => {
    const end = performance.now();
    const d = end - start;
    e.n++;
    e.ms += d;
    if (d > e.max) e.max = d;
    if (d > SLOW_SQL_MS) slow.push({ at: start - t0, ms: d, sql: e.sql.slice(0, 160) });
    if (mtimeBefore !== undefined && mtime() !== mtimeBefore) checkpoints.push({ at: start - t0, end, ms: d });
    const i = ringN++ & (RING - 1);
    ringEnd[i] = end;
    ringDur[i] = d;
    ringSql[i] = e.sql;
  };
  for (const m of ['run', 'all', 'get', 'iterate']) {
    const orig = stmtProto[m];
    stmtProto[m] = function (...args) {
      let e = statOf.get(this);
      if (!e) statOf.set(this, (e = entryOf(this.source)));
      const before = e.sql === 'commit' ? mtime() : undefined;
      const start = performance.now();
      try {
        return orig.apply(this, args);
      } finally {
        record(e, start, before);
      }
    };
  }
  for (const m of ['exec', 'pragma']) {
    const orig = SQLite.prototype[m];
    SQLite.prototype[m] = function (sql, ...args) {
      const e = entryOf(`${m} ${sql}`);
      const start = performance.now();
      try {
        return orig.call(this, sql, ...args);
      } finally {
        record(e, start);
      }
    };
  }

  // Waits for the one connection (Kysely's SqliteDriver serialises every query behind a mutex).
  // The ES module build, which the server imports (its CommonJS build has classes of its own).
  const kysely = await import(pathToFileURL(req.resolve('kysely').replace(/dist[/\\]cjs[/\\]index\.js$/, join('dist', 'esm', 'index.js'))).href);
  const acquire = kysely.SqliteDriver.prototype.acquireConnection;
  const conn = { waiting: 0, maxWaiting: 0, waits: 0, waitMs: 0, maxWaitMs: 0 };
  kysely.SqliteDriver.prototype.acquireConnection = async function () {
    const start = performance.now();
    conn.waiting++;
    if (conn.waiting > conn.maxWaiting) conn.maxWaiting = conn.waiting;
    try {
      return await acquire.call(this);
    } finally {
      conn.waiting--;
      const d = performance.now() - start;
      conn.waits++;
      conn.waitMs += d;
      if (d > conn.maxWaitMs) conn.maxWaitMs = d;
    }
  };

  const gcs = [];
  const gcObs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push({ start: e.startTime, ms: e.duration, kind: e.detail?.kind ?? e.kind });
  });
  gcObs.observe({ entryTypes: ['gc'] });

  const sched = () => {
    const s = mainThreadSched();
    return s ? { run: s.runMs, wait: s.waitMs } : { run: NaN, wait: NaN };
  };

  const stalls = [];
  let walMax = 0;
  let walSamples = [];
  let last = performance.now();
  let lastSched = sched();
  let lastCpu = process.cpuUsage();
  const tick = setInterval(() => {
    const now = performance.now();
    const s = sched();
    const cpu = process.cpuUsage();
    const gap = now - last - TICK_MS;
    if (gap > STALL_MS) {
      let sqlMs = 0;
      const top = new Map();
      for (let k = 1; k <= Math.min(ringN, RING); k++) {
        const i = (ringN - k) & (RING - 1);
        if (ringEnd[i] < last) break;
        sqlMs += ringDur[i];
        top.set(ringSql[i], (top.get(ringSql[i]) ?? 0) + ringDur[i]);
      }
      const gcMs = gcs.filter((g) => g.start >= last && g.start < now).reduce((a, g) => a + g.ms, 0);
      const cps = checkpoints.filter((c) => c.end >= last && c.end <= now);
      stalls.push({
        at: last - t0,
        wallAt: performance.timeOrigin + last,
        ms: gap,
        sqlMs,
        gcMs,
        checkpointMs: cps.reduce((a, c) => a + c.ms, 0),
        mainThreadCpuMs: s.run - lastSched.run,
        runQueueWaitMs: s.wait - lastSched.wait,
        processCpuMs: (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000,
        topSql: [...top].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([sql, ms]) => ({ ms, sql: sql.slice(0, 120) })),
      });
    }
    last = now;
    lastSched = s;
    lastCpu = cpu;
  }, TICK_MS);
  tick.unref();
  const walTick = setInterval(() => {
    try {
      const size = statSync(walFile).size;
      if (size > walMax) walMax = size;
      walSamples.push(size);
    } catch {
      // No WAL yet.
    }
  }, 250);
  walTick.unref();

  return {
    reset() {
      t0 = performance.now();
      for (const e of bySql.values()) Object.assign(e, { n: 0, ms: 0, max: 0 });
      checkpoints.length = 0;
      slow.length = 0;
      stalls.length = 0;
      gcs.length = 0;
      walSamples = [];
      Object.assign(conn, { maxWaiting: conn.waiting, waits: 0, waitMs: 0, maxWaitMs: 0 });
    },
    /** What ran since the last reset. */
    report() {
      const elapsed = performance.now() - t0;
      const entries = [...bySql.values()].filter((e) => e.n > 0);
      const sqlTotal = entries.reduce((a, s) => a + s.ms, 0);
      const gcTotal = gcs.reduce((a, g) => a + g.ms, 0);
      const gcMax = gcs.reduce((a, g) => Math.max(a, g.ms), 0);
      return {
        elapsedMs: elapsed,
        sqlMs: sqlTotal,
        sqlCalls: entries.reduce((a, s) => a + s.n, 0),
        topSql: entries.sort((a, b) => b.ms - a.ms).slice(0, 15).map((s) => ({ ...s, sql: s.sql.slice(0, 160) })),
        checkpoints: { n: checkpoints.length, ms: checkpoints.reduce((a, c) => a + c.ms, 0), maxMs: checkpoints.reduce((a, c) => Math.max(a, c.ms), 0), list: checkpoints.map((c) => Math.round(c.ms * 10) / 10) },
        slowSql: slow.slice(0, 200),
        slowSqlCount: slow.length,
        gc: { n: gcs.length, ms: gcTotal, maxMs: gcMax },
        connection: { ...conn },
        walMaxBytes: walMax,
        walLastBytes: walSamples[walSamples.length - 1] ?? 0,
        stalls,
      };
    },
  };
}
