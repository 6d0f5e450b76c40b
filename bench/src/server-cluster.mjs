// BENCH_PRESET=cluster pnpm bench:server — the same load on three set-ups in one run, so the
// figures compare as ratios: one node on its embedded SQLite, one node on PostgreSQL, and two
// nodes on PostgreSQL + Redis behind nginx (examples/cluster). Each is killed with SIGKILL midway
// (the cluster loses one of its two nodes) and must bring every widget back and lose, double and
// reorder nothing. Needs PostgreSQL (THREADLINE_TEST_POSTGRES_URL, default
// postgres://postgres@127.0.0.1:5432/test, a role that may create databases), Redis
// (THREADLINE_TEST_REDIS_URL, default redis://127.0.0.1:6379) and nginx.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findNginx, startCluster } from '../../examples/cluster/cluster.mjs';
import { dropRedisPrefix } from '../../examples/cluster/support.mjs';
import { ms, saveResult, table } from './lib/common.mjs';
import { PRESETS, ask, once, runServer } from './server.mjs';

const HOST_SCRIPT = fileURLToPath(new URL('./server-load/server-host.mjs', import.meta.url));
const GEN_SCRIPT = fileURLToPath(new URL('./server-load/generator.mjs', import.meta.url));
const API_KEY = 'tl_bench_api_key_0123456789abcdef';
const ADMIN_URL = process.env.THREADLINE_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.THREADLINE_TEST_REDIS_URL || 'redis://127.0.0.1:6379';
const CRASH_TYPING_MS = 1000;

const BENCH_ENV = {
  THREADLINE_DEMO_API_KEY: API_KEY,
  THREADLINE_DEMO_SECRET: 'bench-secret-0123456789abcdef0123456789',
  THREADLINE_RATE_VISITOR_EVENTS: '1000000',
  THREADLINE_RATE_HTTP_PER_IP: '1000000',
  // Pushes go to random widgets, some of them many times: the daily cap per visitor is not what is measured.
  THREADLINE_PROMPTS_PER_DAY: '0',
  THREADLINE_RATE_CONNECTIONS_PER_IP: '1000000',
  THREADLINE_OPEN_CONNECTIONS_PER_IP: '1000000',
  LOG_LEVEL: 'warn',
};

async function pgAdmin(sqlText) {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await client.query(sqlText);
  } finally {
    await client.end();
  }
}

async function newDatabase() {
  const name = `threadline_bench_${randomBytes(4).toString('hex')}`;
  await pgAdmin(`create database ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => pgAdmin(`drop database if exists ${name} with (force)`) };
}

/** CPU ticks (user + system) of every process whose command is one of `names`: PostgreSQL's backends, Redis. */
function ticksOf(names) {
  let ticks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (!names.some((n) => comm.startsWith(n))) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone meanwhile
    }
  }
  return ticks;
}

/** CPU of the database and Redis over a phase, 100 % = one core (Linux: 100 ticks per second). */
function serviceCpu() {
  const t0 = performance.now();
  const pg0 = ticksOf(['postgres']);
  const redis0 = ticksOf(['redis-server']);
  return () => {
    const seconds = (performance.now() - t0) / 1000;
    return { postgresPct: (ticksOf(['postgres']) - pg0) / seconds, redisPct: (ticksOf(['redis-server']) - redis0) / seconds };
  };
}

/** Two nodes behind nginx, one killed midway. Same phases and figures as the single-node run. */
async function runTwoNodes(p, log) {
  const database = await newDatabase();
  const prefix = `threadline-bench:${randomBytes(4).toString('hex')}:`;
  const dir = mkdtempSync(join(tmpdir(), 'threadline-bench-cluster-'));
  let cluster = null;
  let gen = null;
  try {
    cluster = await startCluster({ nodes: 2, databaseUrl: database.url, redisUrl: REDIS_URL, redisPrefix: prefix, dir, entry: HOST_SCRIPT, ipc: true, env: BENCH_ENV });
    log(`cluster: nginx ${cluster.url} → ${cluster.nodes.map((n) => n.url).join(', ')}`);
    gen = fork(GEN_SCRIPT, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await once(gen, 'ready', 10_000);
    // Client addresses for nginx's hash: 1,000 of them, spread over 127.0.10.0/22.
    const localAddresses = Array.from({ length: 1000 }, (_, i) => `127.0.${10 + Math.floor(i / 250)}.${(i % 250) + 1}`);
    const rampP = once(gen, 'ramped', 300_000);
    gen.send({ type: 'ramp', cfg: { url: cluster.url, apiKey: API_KEY, ...p, localAddresses } });
    const ramped = await rampP;
    log(`cluster: ${ramped.connected} widgets connected in ${ms(ramped.rampMs)}`);

    await Promise.all(cluster.nodes.map((n) => ask(n.child, 'reset', 'reset-done')));
    const cpu = serviceCpu();
    const sustainedP = once(gen, 'sustained', p.sustainMs + 120_000);
    gen.send({ type: 'sustain', ms: p.sustainMs });
    const sustained = await sustainedP;
    const services = cpu();
    const nodes = await Promise.all(cluster.nodes.map((n) => ask(n.child, 'stats', 'stats')));
    const s = sustained.stats;
    log(`cluster: sustained ${s.msgRate.toFixed(0)} msg/s, ack p99 ${ms(s.ackP99)}`);

    const victim = cluster.nodes[1];
    const stoppedP = once(gen, 'traffic-stopped', 10_000 + CRASH_TYPING_MS);
    gen.send({ type: 'stop-traffic', afterMs: CRASH_TYPING_MS });
    const killAt = performance.now();
    await victim.kill('SIGKILL');
    const stopped = await stoppedP;
    const startAt = performance.now();
    await victim.start();
    const restartedAt = performance.now();
    log(`cluster: the killed node listens again ${ms(restartedAt - killAt)} after the kill (its start took ${ms(restartedAt - startAt)})`);
    const caughtP = once(gen, 'caught-up', 200_000);
    gen.send({ type: 'await-caught-up', timeoutMs: 180_000, everyone: false });
    const caught = await caughtP;
    const caughtAt = performance.now();
    log(`cluster: ${caught.done}/${caught.of} widgets caught up ${ms(caughtAt - killAt)} after kill -9 (${caught.reconnected} had lost their node)`);
    const verifiedP = once(gen, 'verified', 300_000);
    gen.send({ type: 'verify' });
    const { verdict } = await verifiedP;
    return {
      ramped,
      sustained: s,
      nodes,
      services,
      stopped,
      caught: { ...caught, afterKillMs: caughtAt - killAt, afterListenMs: caughtAt - restartedAt, restartMs: restartedAt - startAt },
      verdict,
    };
  } finally {
    if (gen && gen.exitCode === null) {
      gen.send({ type: 'close' });
      await new Promise((r) => setTimeout(r, 200));
      if (gen.exitCode === null) gen.kill('SIGKILL');
    }
    await cluster?.stop();
    await database.drop();
    await dropRedisPrefix(prefix).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One node on PostgreSQL: the single-node run with THREADLINE_DATABASE_URL, PostgreSQL's CPU measured over the sustained phase. */
async function runOnePostgres(p, quiet) {
  const database = await newDatabase();
  try {
    return await runServer({ params: p, quiet, env: { THREADLINE_DATABASE_URL: database.url }, label: 'postgres', measureSustain: serviceCpu });
  } finally {
    await database.drop();
  }
}

export async function runCluster({ quiet = false } = {}) {
  const log = (...a) => quiet || console.error(...a);
  const p = { ...PRESETS.cluster };
  const num = (k) => (process.env[k] ? Number(process.env[k]) : undefined);
  p.n = num('BENCH_SERVER_WIDGETS') ?? p.n;
  p.msgRate = num('BENCH_SERVER_MSG_RATE') ?? p.msgRate;
  p.pushRate = num('BENCH_SERVER_PUSH_RATE') ?? p.pushRate;
  p.sustainMs = (num('BENCH_SERVER_SECONDS') ?? p.sustainMs / 1000) * 1000;
  if (!findNginx()) {
    const md = 'Not run: nginx is not installed (Debian: apt-get install -y nginx).';
    if (!quiet) console.log(`\n## Server load, cluster (\`BENCH_PRESET=cluster pnpm bench:server\`)\n\n${md}`);
    return { md };
  }
  log(`cluster preset: ${p.n} widgets, ${p.msgRate} msg/s, ${p.pushRate} pushes/s, ${p.sustainMs / 1000} s, three set-ups one after another`);
  // A set-up that collapses (its widgets never catch up, its verdict times out) is reported as
  // such in its column; the others still run.
  const attempt = async (title, fn) => {
    log(title);
    try {
      return { figures: await fn() };
    } catch (err) {
      log(`  failed: ${String(err?.message ?? err).split('\n')[0]}`);
      return { failed: String(err?.message ?? err).split('\n')[0] };
    }
  };
  // BENCH_CLUSTER_SETUPS=two (or sqlite, postgres, comma-separated): only those, for exploring one
  // set-up; the others' columns say "not run". The figures to compare come from a run of all three.
  const only = process.env.BENCH_CLUSTER_SETUPS?.split(',').map((x) => x.trim());
  const skipped = { failed: 'not run (BENCH_CLUSTER_SETUPS)' };
  const run = (name, title, fn) => (only && !only.includes(name) ? skipped : attempt(title, fn));
  const sqliteRun = await run('sqlite', '1/3: one node, SQLite', async () => (await runServer({ params: p, quiet: true, label: 'sqlite' })).figures);
  const postgresRun = await run('postgres', '2/3: one node, PostgreSQL', async () => (await runOnePostgres(p, true)).figures);
  const twoRun = await run('two', '3/3: two nodes, PostgreSQL + Redis, nginx', () => runTwoNodes(p, log));
  const sqlite = sqliteRun.figures;
  const postgres = postgresRun.figures;
  const two = twoRun.figures;

  const single = (f) =>
    f && {
      ack: f.sustained,
      push: f.sustained.pushDeliveryP99,
      lag: f.server.lagP99Ms,
      rss: `${f.server.rssPeakMiB.toFixed(0)} MiB`,
      cpu: `${f.server.cpuPct.toFixed(0)} %`,
      pg: f.services ? `${f.services.postgresPct.toFixed(0)} %` : '—',
      redis: '—',
      caught: `${f.caught.done} / ${f.caught.of} in ${ms(f.caught.afterKillMs)}`,
      verdict: f.verdict,
      rate: f.sustained.msgRate,
    };
  const cols = [
    single(sqlite),
    single(postgres),
    two && {
      ack: two.sustained,
      push: two.sustained.pushDeliveryP99,
      lag: Math.max(...two.nodes.map((n) => n.lagP99Ms)),
      rss: `${two.nodes.map((n) => n.rssPeakMiB.toFixed(0)).join(' + ')} MiB`,
      cpu: two.nodes.map((n) => `${n.cpuPct.toFixed(0)} %`).join(' + '),
      pg: `${two.services.postgresPct.toFixed(0)} %`,
      redis: `${two.services.redisPct.toFixed(0)} %`,
      caught: `${two.caught.done} / ${two.caught.of} in ${ms(two.caught.afterKillMs)} (${two.caught.reconnected} had lost their node)`,
      verdict: two.verdict,
      rate: two.sustained.msgRate,
    },
  ];
  const runs = [sqliteRun, postgresRun, twoRun];
  const base = cols[0];
  const ratio = (x, b) => (x == null || b == null || b === 0 ? '' : ` (${(x / b).toFixed(2)}×)`);
  const timed = (pick) => (c, i) => `${ms(pick(c), 1)}${i > 0 && base ? ratio(pick(c), pick(base)) : ''}`;
  const row = (label, value) => [label, ...cols.map((c, i) => (c ? value(c, i) : runs[i] === skipped ? runs[i].failed : runs[i].failed ? `collapsed: ${runs[i].failed}` : '—'))];
  const verdictOf = (v) => `lost=${v.lost} duplicated=${v.duplicated} reordered=${v.reordered}`;
  const rows = [
    row('Visitor messages acked per second', (c) => c.rate.toFixed(0)),
    row('Ack p50', timed((c) => c.ack.ackP50)),
    row('Ack p95', timed((c) => c.ack.ackP95)),
    row('Ack p99', timed((c) => c.ack.ackP99)),
    row('Push delivered to widget p99', timed((c) => c.push)),
    row('Event-loop lag p99 (worst node)', timed((c) => c.lag)),
    row('RSS peak per node', (c) => c.rss),
    row('Server CPU per node (sustain, 100% = one core)', (c) => c.cpu),
    row('PostgreSQL CPU (sustain)', (c) => c.pg),
    row('Redis CPU (sustain)', (c) => c.redis),
    row('Widgets caught up after the kill', (c) => c.caught),
    row('Verdict', (c) => verdictOf(c.verdict)),
  ];
  const md = [
    `Preset \`cluster\`: ${p.n} widgets, ${p.msgRate} visitor messages/s + ${p.pushRate} brand pushes/s for ${p.sustainMs / 1000} s, then SIGKILL of one server process while widgets keep sending (the two-node set-up loses one of its nodes; nginx moves its widgets to the other). Everything on this machine: ratios are against one node on SQLite.`,
    '',
    table(['Figure', 'One node, SQLite', 'One node, PostgreSQL', 'Two nodes, PostgreSQL + Redis, nginx'], rows, ['l', 'r', 'r', 'r']),
  ].join('\n');
  if (!quiet) {
    console.log('\n## Server load, cluster (`BENCH_PRESET=cluster pnpm bench:server`)\n');
    console.log(md);
  }
  if (!only) saveResult('server-cluster', { markdown: md, preset: p, sqlite, postgres, two });
  return { md };
}
