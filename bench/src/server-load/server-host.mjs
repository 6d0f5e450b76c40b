// The reference server in its own process for bench:server: `createServer` from
// @threadline/server with its configuration from the environment (PORT, HOST,
// THREADLINE_DATA_DIR, …), plus the figures a benchmark needs that the server does not print:
// event-loop lag, CPU time and RSS, sent to the parent over IPC on request.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { configFromEnv, createServer } from '@threadline/server';
import { mainThreadSched, raisePriority, schedSince } from './sched.mjs';

const nice = raisePriority();
const config = configFromEnv();
// BENCH_SERVER_TRACE=<dir>: SQL, GC and stall attribution of the sustained phase (trace.mjs), written there.
const traceDir = process.env.BENCH_SERVER_TRACE;
const trace = traceDir ? await (await import('./trace.mjs')).startTrace({ walFile: join(config.dataDir, 'threadline.sqlite-wal') }) : null;
const server = await createServer(config);
await server.listen();

// The histogram holds whole timer intervals: the resolution is subtracted to leave the lag.
const RES_MS = 5;
const lag = monitorEventLoopDelay({ resolution: RES_MS });
const lagMs = (ns) => Math.max(0, ns / 1e6 - RES_MS);
lag.enable();
let cpu0 = process.cpuUsage();
let t0 = process.hrtime.bigint();
let sched0 = mainThreadSched();
let rssPeak = process.memoryUsage.rss();
setInterval(() => {
  rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
}, 250).unref();

// BENCH_SERVER_PROFILE=<dir>: a V8 CPU profile of the sustained phase (open it in DevTools).
const profileDir = process.env.BENCH_SERVER_PROFILE;
let profiler = null;

process.on('message', async (msg) => {
  if (msg?.type === 'reset') {
    if (profileDir && !profiler) {
      profiler = new Session();
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
    }
    lag.reset();
    trace?.reset();
    cpu0 = process.cpuUsage();
    t0 = process.hrtime.bigint();
    sched0 = mainThreadSched();
    rssPeak = process.memoryUsage.rss();
    process.send({ type: 'reset-done' });
  } else if (msg?.type === 'stats') {
    if (profiler) {
      const { profile } = await profiler.post('Profiler.stop');
      writeFileSync(join(profileDir, `server-${Date.now()}.cpuprofile`), JSON.stringify(profile));
      profiler.disconnect();
      profiler = null;
    }
    if (trace) writeTrace(trace.report());
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
    const cpu = process.cpuUsage(cpu0);
    const wallUs = Number(process.hrtime.bigint() - t0) / 1000;
    process.send({
      type: 'stats',
      lagP50Ms: lagMs(lag.percentile(50)),
      lagP99Ms: lagMs(lag.percentile(99)),
      lagMaxMs: lagMs(lag.max),
      cpuPct: ((cpu.user + cpu.system) / wallUs) * 100,
      rssMiB: process.memoryUsage.rss() / 2 ** 20,
      rssPeakMiB: rssPeak / 2 ** 20,
      sched: schedSince(sched0),
      nice,
      wallMs: wallUs / 1000,
    });
  }
});

function writeTrace(r) {
  const file = join(traceDir, `server-trace-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(r, null, 2));
  const f = (v) => v.toFixed(0);
  const lines = [
    `trace: ${file}`,
    `trace: ${f(r.elapsedMs)} ms: SQL ${f(r.sqlMs)} ms in ${r.sqlCalls} calls (${r.slowSqlCount} over 5 ms), GC ${f(r.gc.ms)} ms (${r.gc.n}, max ${f(r.gc.maxMs)} ms); WAL checkpoints ${r.checkpoints.n} on the event loop, ${f(r.checkpoints.ms)} ms (max ${f(r.checkpoints.maxMs)} ms); connection waits max ${f(r.connection.maxWaitMs)} ms, ${r.connection.maxWaiting} waiting at most; WAL max ${(r.walMaxBytes / 2 ** 20).toFixed(1)} MiB`,
    ...r.topSql.slice(0, 6).map((s) => `trace:   ${f(s.ms)} ms / ${s.n} (max ${s.max.toFixed(1)}) ${s.sql.slice(0, 100)}`),
    `trace: ${r.stalls.length} stalls over 50 ms`,
    ...r.stalls.map(
      (s) =>
        `trace:   at ${(s.at / 1000).toFixed(1)} s ${f(s.ms)} ms: SQL ${f(s.sqlMs)} (checkpoint ${f(s.checkpointMs)}), GC ${f(s.gcMs)}, main-thread CPU ${f(s.mainThreadCpuMs)}, run-queue wait ${f(s.runQueueWaitMs)}, process CPU ${f(s.processCpuMs)}; ${s.topSql.map((q) => `${q.ms.toFixed(0)} ms ${q.sql.slice(0, 60)}`).join(' | ')}`,
    ),
  ];
  console.error(lines.join('\n'));
}

process.on('SIGTERM', () => {
  server.close().finally(() => process.exit(0));
});
process.send?.({ type: 'listening', url: server.url, port: server.port });
