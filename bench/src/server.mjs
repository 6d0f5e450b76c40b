// pnpm bench:server [--preset ci|full] — the reference server on its embedded SQLite under load.
//
// The server (createServer from @threadline/server, in its own process) and a load generator (in
// another process: real socket.io-client widgets) on 127.0.0.1. Ramp to N widgets, sustain visitor
// messages plus brand pushes through the REST API, then kill -9 the server while traffic runs,
// restart it on the same data directory and port, and time until every widget is reconnected,
// re-synced and has flushed its outbox; then check every thread on the server: lost, duplicated,
// reordered. Per-address rate limits are raised: one loopback address stands for N shoppers.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as netServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SERVER_DIR, exists, ms, saveResult, table } from './lib/common.mjs';

export const PRESETS = {
  ci: { n: 100, rampMs: 5_000, msgRate: 100, pushRate: 20, sustainMs: 15_000 },
  full: { n: 2_000, rampMs: 20_000, msgRate: 500, pushRate: 100, sustainMs: 60_000 },
  // Single-node SQLite vs single-node PostgreSQL vs two nodes on PostgreSQL + Redis behind nginx,
  // in one run (server-cluster.mjs).
  cluster: { n: 4_000, rampMs: 20_000, msgRate: 500, pushRate: 100, sustainMs: 60_000 },
};

const HOST_SCRIPT = fileURLToPath(new URL('./server-load/server-host.mjs', import.meta.url));
const GEN_SCRIPT = fileURLToPath(new URL('./server-load/generator.mjs', import.meta.url));
const API_KEY = 'tl_bench_api_key_0123456789abcdef';
const CRASH_TYPING_MS = 1000;

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = netServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export function once(child, type, timeoutMs = 600_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMsg);
      reject(new Error(`timed out waiting for "${type}"`));
    }, timeoutMs);
    const onMsg = (m) => {
      if (m?.type === 'error') {
        clearTimeout(timer);
        child.off('message', onMsg);
        reject(new Error(m.error));
      } else if (m?.type === type) {
        clearTimeout(timer);
        child.off('message', onMsg);
        resolve(m);
      }
    };
    child.on('message', onMsg);
  });
}

async function startHost(env) {
  // BENCH_SERVER_NODE_ARGS: flags for the server's node only, e.g. `--prof` (a V8 tick log in the
  // working directory, written as it goes, so it survives the kill -9; `node --prof-process`).
  const execArgv = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = fork(HOST_SCRIPT, [], { env, execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const exited = new Promise((r) => child.once('exit', r));
  const m = await Promise.race([
    once(child, 'listening', 30_000),
    exited.then(() => {
      throw new Error('server process exited before listening');
    }),
  ]);
  return { child, url: m.url, exited };
}

export async function ask(child, type, reply) {
  // A busy server answers late: that wait is itself reported.
  const p = once(child, reply, 180_000);
  child.send({ type });
  return p;
}

function presetFromArgs() {
  const i = process.argv.indexOf('--preset');
  const name = (i > 0 ? process.argv[i + 1] : null) ?? process.env.BENCH_PRESET ?? 'full';
  if (!PRESETS[name]) throw new Error(`unknown preset "${name}" (ci, full, cluster)`);
  return name;
}

/**
 * One server process under load, killed with SIGKILL and restarted midway. `env` adds to the
 * server's environment (e.g. THREADLINE_DATABASE_URL), `params` replaces the preset's figures;
 * returns the figures as well as the table.
 */
export async function runServer({ preset = presetFromArgs(), quiet = false, env: extraEnv = {}, params = null, label = null, measureSustain = null } = {}) {
  if (preset === 'cluster' && !params) return (await import('./server-cluster.mjs')).runCluster({ quiet });
  const log = (...a) => quiet || console.error(...a);
  const p = { ...(params ?? PRESETS[preset]) };
  // Overrides for exploring: widgets, rates and seconds of sustained load.
  const num = (k) => (process.env[k] ? Number(process.env[k]) : undefined);
  p.n = num('BENCH_SERVER_WIDGETS') ?? p.n;
  p.msgRate = num('BENCH_SERVER_MSG_RATE') ?? p.msgRate;
  p.pushRate = num('BENCH_SERVER_PUSH_RATE') ?? p.pushRate;
  p.sustainMs = (num('BENCH_SERVER_SECONDS') ?? p.sustainMs / 1000) * 1000;
  if (!exists(join(SERVER_DIR, 'dist', 'index.js'))) {
    const md = `Not run: the reference server is not built (\`packages/server/dist\`); run \`pnpm build\` first.`;
    if (!quiet) console.log(`\n## Server load (\`pnpm bench:server\`)\n\n${md}`);
    return { md };
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-bench-server-'));
  const port = await freePort();
  const env = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    THREADLINE_DATA_DIR: dataDir,
    THREADLINE_DEMO_API_KEY: API_KEY,
    THREADLINE_DEMO_SECRET: 'bench-secret-0123456789abcdef0123456789',
    THREADLINE_TOKEN_KEY: 'bench-token-key-0123456789abcdef0123456789',
    THREADLINE_RATE_VISITOR_EVENTS: '1000000',
    THREADLINE_RATE_HTTP_PER_IP: '1000000',
    // Pushes go to random widgets, some of them many times: the daily cap per visitor is not what is measured.
    THREADLINE_PROMPTS_PER_DAY: '0',
    THREADLINE_RATE_CONNECTIONS_PER_IP: '1000000',
    THREADLINE_OPEN_CONNECTIONS_PER_IP: '1000000',
    LOG_LEVEL: 'warn',
    ...extraEnv,
  };
  let host = null;
  let gen = null;
  try {
    host = await startHost(env);
    log(`server: ${host.url} (data ${dataDir}); preset ${preset}: ${p.n} widgets, ${p.msgRate} msg/s, ${p.pushRate} pushes/s, ${p.sustainMs / 1000} s`);
    gen = fork(GEN_SCRIPT, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await once(gen, 'ready', 10_000);

    const rampP = once(gen, 'ramped', 300_000);
    gen.send({ type: 'ramp', cfg: { url: host.url, apiKey: API_KEY, ...p } });
    const ramped = await rampP;
    log(`server: ${ramped.connected} widgets connected in ${ms(ramped.rampMs)}`);

    await ask(host.child, 'reset', 'reset-done');
    const sustainedP = once(gen, 'sustained', p.sustainMs + 120_000);
    const measured = measureSustain?.();
    gen.send({ type: 'sustain', ms: p.sustainMs });
    const sustained = await sustainedP;
    const services = measured?.();
    const askedAt = performance.now();
    const server = await ask(host.child, 'stats', 'stats');
    server.answerMs = performance.now() - askedAt;
    const s = sustained.stats;
    log(`server: sustained ${s.msgRate.toFixed(0)} msg/s, ack p99 ${ms(s.ackP99)}, lag p99 ${ms(server.lagP99Ms)}`);

    // Crash while messages are in flight; shoppers keep sending for CRASH_TYPING_MS while it is down.
    const stoppedP = once(gen, 'traffic-stopped', 10_000 + CRASH_TYPING_MS);
    gen.send({ type: 'stop-traffic', afterMs: CRASH_TYPING_MS });
    const killAt = performance.now();
    host.child.kill('SIGKILL');
    await host.exited;
    const stopped = await stoppedP;
    const startAt = performance.now();
    host = await startHost(env);
    const restartedAt = performance.now();
    const caughtP = once(gen, 'caught-up', 200_000);
    gen.send({ type: 'await-caught-up', timeoutMs: 180_000 });
    const caught = await caughtP;
    const caughtAt = performance.now();
    log(`server: ${caught.done}/${caught.of} widgets caught up ${ms(caughtAt - killAt)} after kill -9`);
    const verifiedP = once(gen, 'verified', 300_000);
    gen.send({ type: 'verify' });
    const { verdict } = await verifiedP;

    const fmtErr = Object.entries(s.errors).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
    const rows = [
      ['Widgets connected (ramp)', `${ramped.connected} / ${p.n} in ${ms(ramped.rampMs)}`],
      ['Visitor messages acked', `${s.acked} in ${s.elapsed.toFixed(0)} s = ${s.msgRate.toFixed(0)}/s (target ${p.msgRate}/s)`],
      ['Ack latency p50 / p95 / p99 / max', `${ms(s.ackP50, 1)} / ${ms(s.ackP95, 1)} / ${ms(s.ackP99, 1)} / ${ms(s.ackMax)}`],
      ['Ack timeouts / error acks', `${s.timeouts} / ${fmtErr}`],
      ['Brand pushes (POST /v1/proactive)', `${s.pushes - s.pushFailed} ok, ${s.pushFailed} failed${s.pushFailed ? ` (${Object.entries(s.pushErrors).map(([k, v]) => `${k} ${v}`).join(', ')})` : ''} = ${s.pushRate.toFixed(0)}/s (target ${p.pushRate}/s)`],
      ['Push HTTP latency p50 / p99', `${ms(s.pushHttpP50, 1)} / ${ms(s.pushHttpP99, 1)}`],
      ['Push delivered to widget p50 / p99', `${ms(s.pushDeliveryP50, 1)} / ${ms(s.pushDeliveryP99, 1)}`],
      ['Server event-loop lag p50 / p99 / max', `${ms(server.lagP50Ms, 1)} / ${ms(server.lagP99Ms, 1)} / ${ms(server.lagMaxMs)}`],
      ['Server CPU (sustain, 100% = one core)', `${server.cpuPct.toFixed(0)} %`],
      ['Waiting for a core (main thread runnable, not running): server / generator', server.sched && s.genSched ? `${ms(server.sched.waitMs)} / ${ms(s.genSched.waitMs)} of ${ms(server.wallMs)} (nice ${server.nice} / ${s.genNice})${server.sched.waitMs > server.wallMs / 10 ? ' — other work held the cores: latencies above measure the machine as much as the server' : ''}` : '— (Linux only)'],
      ['Server answered the end-of-sustain stats request (IPC) after', ms(server.answerMs)],
      ['Server RSS end / peak', `${server.rssMiB.toFixed(0)} MiB / ${server.rssPeakMiB.toFixed(0)} MiB`],
      ['Load generator event-loop lag p99 / max', `${ms(s.genLagP99Ms, 1)} / ${ms(s.genLagMaxMs)}`],
      ['kill -9 during traffic; sends go on for 1 s while down', `${stopped.pending} messages waiting in outboxes, ${stopped.inflight} in flight`],
      ['Server restart (process start → listening; down since kill)', `${ms(restartedAt - startAt)}; ${ms(restartedAt - killAt)}`],
      ['All widgets reconnected + caught up', `${caught.done} / ${caught.of}; ${ms(caughtAt - killAt)} after kill, ${ms(caughtAt - restartedAt)} after listening`],
      ['Verdict', `${verdict.lost} lost / ${verdict.duplicated} duplicated / ${verdict.reordered} reordered (${verdict.enqueued} sent, ${verdict.stored} stored${verdict.unsent ? `, ${verdict.unsent} never acked nor stored: still in outboxes` : ''}${verdict.seqMismatch ? `, ${verdict.seqMismatch} seq differs from ack` : ''}${verdict.unverified ? `, ${verdict.unverified} threads not readable` : ''})`],
    ];
    const md = [
      `Preset \`${preset}\`: ${p.n} widgets (socket.io-client, websocket), ${p.msgRate} visitor messages/s + ${p.pushRate} brand pushes/s for ${p.sustainMs / 1000} s; reference server with embedded SQLite in its own process; generator in another; both on this machine.`,
      '',
      table(['Figure', 'Value'], rows, ['l', 'l']),
      '',
      'Each widget keeps an ordered outbox and sends one message at a time with its clientId, retrying with the same clientId after a timeout or reconnect, and calls `sync` with its cursor after every reconnect. "Caught up": reconnected after the crash, synced, outbox empty. Verdict from reading every thread back from the restarted server.',
    ].join('\n');
    if (!quiet) {
      console.log(`\n## Server load (\`pnpm bench:server\`, preset ${preset})\n`);
      console.log(md);
    }
    const figures = { markdown: md, preset: p, services, ramped, sustained: s, server, stopped, caught: { ...caught, afterKillMs: caughtAt - killAt, afterListenMs: caughtAt - restartedAt }, verdict };
    if (!params) saveResult(`server-${preset}`, figures);
    return { md, figures, label };
  } finally {
    if (gen && gen.exitCode === null) {
      gen.send({ type: 'close' });
      await new Promise((r) => setTimeout(r, 200));
      if (gen.exitCode === null) gen.kill('SIGKILL');
    }
    if (host && host.child.exitCode === null) {
      host.child.kill('SIGTERM');
      await Promise.race([host.exited, new Promise((r) => setTimeout(r, 5000))]);
      if (host.child.exitCode === null) host.child.kill('SIGKILL');
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  runServer().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
