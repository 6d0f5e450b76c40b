// The reference server in its own process for bench:server: `createServer` from
// @threadline/server with its configuration from the environment (PORT, HOST,
// THREADLINE_DATA_DIR, …), plus the figures a benchmark needs that the server does not print:
// event-loop lag, CPU time and RSS, sent to the parent over IPC on request.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { configFromEnv, createServer } from '@threadline/server';

const config = configFromEnv();
const server = await createServer(config);
await server.listen();

// The histogram holds whole timer intervals: the resolution is subtracted to leave the lag.
const RES_MS = 5;
const lag = monitorEventLoopDelay({ resolution: RES_MS });
const lagMs = (ns) => Math.max(0, ns / 1e6 - RES_MS);
lag.enable();
let cpu0 = process.cpuUsage();
let t0 = process.hrtime.bigint();
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
    cpu0 = process.cpuUsage();
    t0 = process.hrtime.bigint();
    rssPeak = process.memoryUsage.rss();
    process.send({ type: 'reset-done' });
  } else if (msg?.type === 'stats') {
    if (profiler) {
      const { profile } = await profiler.post('Profiler.stop');
      writeFileSync(join(profileDir, `server-${Date.now()}.cpuprofile`), JSON.stringify(profile));
      profiler.disconnect();
      profiler = null;
    }
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
    });
  }
});
process.on('SIGTERM', () => {
  server.close().finally(() => process.exit(0));
});
process.send?.({ type: 'listening', url: server.url, port: server.port });
