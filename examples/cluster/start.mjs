#!/usr/bin/env node
// `pnpm start:cluster`: the demo shop on three reference-server nodes sharing one PostgreSQL
// database and one Redis, behind nginx, on loopback — a local trial of docs/deploy.md.
//
// Needs nginx (installed with apt when missing and run as root), PostgreSQL and Redis:
//   THREADLINE_DATABASE_URL  default postgres://postgres@127.0.0.1:5432/threadline_cluster
//                            (the database is created when the server lets this role do it)
//   THREADLINE_REDIS_URL     default redis://127.0.0.1:6379 (keys under `threadline-cluster:`)
//   PORT                     nginx's port, default 8080
//   CLUSTER_NODES            how many nodes, default 3
// The data dirs, nginx's config and logs, and the demo app's credentials live in
// ./.threadline-cluster/ (THREADLINE_CLUSTER_DIR).
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { buildIfStale } from '../../scripts/build-if-stale.mjs';
import { SHOP_BIN, answers, findNginx, startCluster } from './cluster.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

function fail(message) {
  console.error(`\n${message}\n`);
  process.exit(1);
}

const databaseUrl = process.env.THREADLINE_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/threadline_cluster';
const redisUrl = process.env.THREADLINE_REDIS_URL || 'redis://127.0.0.1:6379';
const port = Number(process.env.PORT || 8080);
const count = Number(process.env.CLUSTER_NODES || 3);
const dir = path.resolve(process.env.THREADLINE_CLUSTER_DIR || path.join(root, '.threadline-cluster'));

if (!findNginx()) {
  const isRoot = process.getuid?.() === 0;
  if (isRoot && spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0) {
    console.log('Installing nginx from Debian packages…');
    spawnSync('sh', ['-c', 'apt-get update -qq && apt-get install -y -qq nginx'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  }
  if (!findNginx()) fail('nginx is needed: install it (Debian: sudo apt-get install -y nginx) or set NGINX_PATH.');
}

/** Creates the database when it is missing (a role without CREATEDB gets a readable error). */
async function ensureDatabase(url) {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const probe = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await probe.connect();
    return;
  } catch (err) {
    if (err?.code !== '3D000') fail(`PostgreSQL is needed at ${target.host} (${err?.message ?? err}). Start it, or set THREADLINE_DATABASE_URL.`);
  } finally {
    await probe.end().catch(() => {});
  }
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query(`create database ${pg.escapeIdentifier(name)}`);
    console.log(`Created database ${name}.`);
  } catch (err) {
    fail(`Could not create database ${name} on ${target.host}: ${err?.message ?? err}`);
  } finally {
    await client.end().catch(() => {});
  }
}

async function ensureRedis(url) {
  const { hostname, port: p } = new URL(url);
  if (!(await answers(url, 6379))) fail(`Redis is needed at ${hostname}:${p || 6379}. Start it (redis-server --daemonize yes --bind 127.0.0.1), or set THREADLINE_REDIS_URL.`);
}

buildIfStale();

// Ctrl+C or SIGTERM is a stop asked for: exit code 0 once everything is down. It may come more than
// once (a terminal signals the whole process group, nodes and nginx included, and `pnpm
// start:cluster` passes it on as well) and while the cluster is starting, whose end it then awaits.
let starting = null;
let stopping = null;
const stop = () => {
  if (stopping) return;
  console.log('Stopping the cluster…');
  stopping = (starting ?? Promise.resolve(null))
    // A start that failed (its nodes got the Ctrl+C too) has already stopped what it started.
    .then((started) => started?.stop(), () => {})
    .then(
      () => process.exit(0),
      () => process.exit(1),
    );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

await ensureDatabase(databaseUrl);
await ensureRedis(redisUrl);

// One set of demo credentials for every node (each node would otherwise make its own).
fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
const credentialsFile = path.join(dir, 'demo-credentials.json');
const credentials = fs.existsSync(credentialsFile)
  ? JSON.parse(fs.readFileSync(credentialsFile, 'utf8'))
  : { appId: 'demo', apiKey: `tl_sk_${crypto.randomBytes(24).toString('base64url')}`, secret: crypto.randomBytes(32).toString('base64url') };
fs.writeFileSync(credentialsFile, JSON.stringify(credentials, null, 2), { mode: 0o600 });

const origins = [`http://localhost:${port}`, `http://127.0.0.1:${port}`];
let cluster;
try {
  cluster = await (starting = startCluster({
    nodes: count,
    port,
    dir,
    databaseUrl,
    redisUrl,
    redisPrefix: process.env.THREADLINE_REDIS_PREFIX || 'threadline-cluster:',
    entry: SHOP_BIN,
    nodeOutput: 'ignore',
    env: {
      THREADLINE_DEMO_API_KEY: process.env.THREADLINE_DEMO_API_KEY || credentials.apiKey,
      THREADLINE_DEMO_SECRET: process.env.THREADLINE_DEMO_SECRET || credentials.secret,
      THREADLINE_DEMO_ORIGINS: process.env.THREADLINE_DEMO_ORIGINS || origins.join(','),
      LOG_LEVEL: process.env.LOG_LEVEL || 'warn',
    },
    log: (line) => console.log(`  ${line}`),
  }));
} catch (err) {
  if (!stopping) fail(`The cluster did not start: ${err?.message ?? err}`);
}
if (stopping) await stopping;

const base = `http://localhost:${port}`;
const apiKey = process.env.THREADLINE_DEMO_API_KEY || credentials.apiKey;
console.log(
  [
    '',
    `Threadline cluster is running: ${count} nodes on PostgreSQL + Redis behind nginx.`,
    `  Shop:           ${base}/`,
    `  Checkout:       ${base}/checkout   (proactive prompt after 20 s)`,
    `  Agent console:  ${base}/agent/#key=${apiKey}`,
    `  API:            ${base}/v1/openapi.json`,
    `  Nodes:          ${cluster.nodes.map((n) => `${n.name} ${n.url} (pid ${n.child.pid})`).join(', ')}`,
    `  Database:       ${new URL(databaseUrl).host}${new URL(databaseUrl).pathname}   Redis: ${new URL(redisUrl).host}`,
    `  nginx config:   ${path.join(dir, 'nginx.conf')}`,
    '',
    'Try: kill -9 one node pid; the shop keeps working through the others. Ctrl-C stops everything.',
    '',
  ].join('\n'),
);

