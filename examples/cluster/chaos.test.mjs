// Chaos: 300 widgets send through nginx to three nodes while one node is killed with SIGKILL and
// started again. Every widget must reconnect (those of the dead node through another node) and
// catch up, and every thread read back from PostgreSQL must hold each message exactly once, in
// the order it was sent: lost=0 duplicated=0 reordered=0.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCluster } from './cluster.mjs';
import { API_KEY, REDIS_URL, SECRET, createDatabase, dropRedisPrefix, newRedisPrefix, withDb } from './support.mjs';

const GENERATOR = fileURLToPath(new URL('../../bench/src/server-load/generator.mjs', import.meta.url));
const WIDGETS = 300;

let database;
let prefix;
let cluster;
let gen;
let dir;

function once(child, type, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error(`the load generator did not say "${type}" within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (m) => {
      if (m?.type !== type && m?.type !== 'error') return;
      clearTimeout(timer);
      child.off('message', onMessage);
      if (m.type === 'error') reject(new Error(m.error));
      else resolve(m);
    };
    child.on('message', onMessage);
  });
}

beforeAll(async () => {
  database = await createDatabase();
  prefix = newRedisPrefix();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-chaos-'));
  cluster = await startCluster({
    nodes: 3,
    databaseUrl: database.url,
    redisUrl: REDIS_URL,
    redisPrefix: prefix,
    dir,
    env: {
      THREADLINE_DEMO_API_KEY: API_KEY,
      THREADLINE_DEMO_SECRET: SECRET,
      // One loopback address stands for many shoppers here.
      THREADLINE_RATE_VISITOR_EVENTS: '1000000',
      THREADLINE_RATE_HTTP_PER_IP: '1000000',
      THREADLINE_RATE_CONNECTIONS_PER_IP: '1000000',
      THREADLINE_OPEN_CONNECTIONS_PER_IP: '1000000',
      LOG_LEVEL: 'error',
    },
  });
  gen = fork(GENERATOR, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await once(gen, 'ready', 10_000);
}, 120_000);

afterAll(async () => {
  if (gen && gen.exitCode === null) {
    gen.send({ type: 'close' });
    await new Promise((r) => setTimeout(r, 300));
    if (gen.exitCode === null) gen.kill('SIGKILL');
  }
  await cluster?.stop();
  await database?.drop();
  if (prefix) await dropRedisPrefix(prefix);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}, 60_000);

it('300 widgets through nginx lose, double and reorder nothing when a node is killed and restarted', async () => {
  // 254 client addresses: nginx spreads the widgets over the three nodes.
  const localAddresses = Array.from({ length: 254 }, (_, i) => `127.0.1.${i + 1}`);
  const ramped = once(gen, 'ramped', 60_000);
  gen.send({ type: 'ramp', cfg: { url: cluster.url, apiKey: API_KEY, n: WIDGETS, rampMs: 3000, msgRate: 80, pushRate: 10, localAddresses } });
  expect((await ramped).connected).toBe(WIDGETS);

  const sustained = once(gen, 'sustained', 60_000);
  gen.send({ type: 'sustain', ms: 5000 });
  const { stats } = await sustained;
  expect(stats.acked).toBeGreaterThan(0);

  // Kill one node while messages are in flight; widgets keep sending for 1.5 s, then stop.
  const victim = cluster.nodes[1];
  const stopped = once(gen, 'traffic-stopped', 20_000);
  gen.send({ type: 'stop-traffic', afterMs: 1500 });
  const killedAt = Date.now();
  await victim.kill('SIGKILL');
  await stopped;
  await victim.start();

  const caught = once(gen, 'caught-up', 90_000);
  gen.send({ type: 'await-caught-up', timeoutMs: 60_000, everyone: false });
  const { done, of, reconnected, at } = await caught;
  expect(reconnected, 'widgets of the killed node lost their connection').toBeGreaterThan(0);
  expect(done, 'widgets caught up').toBe(of);

  const dumped = once(gen, 'dumped', 30_000);
  gen.send({ type: 'dump' });
  const { widgets } = await dumped;

  // The verdict, read from PostgreSQL: per widget, its messages in seq order against its send order.
  const verdict = await withDb(database.url, async (db) => {
    let lost = 0;
    let duplicated = 0;
    let reordered = 0;
    let gaps = 0;
    let sent = 0;
    for (const w of widgets) {
      sent += w.enqueued.length;
      if (!w.threadId) {
        lost += w.enqueued.length;
        continue;
      }
      const { rows } = await db.query('select client_id, seq, author_kind from messages where thread_id = $1 order by seq', [w.threadId]);
      rows.forEach((r, i) => {
        if (Number(r.seq) !== i + 1) gaps++;
      });
      const mine = rows.filter((r) => r.author_kind === 'visitor').map((r) => r.client_id);
      const count = new Map();
      for (const id of mine) count.set(id, (count.get(id) ?? 0) + 1);
      for (const id of w.enqueued) {
        const c = count.get(id) ?? 0;
        if (c === 0) lost++;
        if (c > 1) duplicated += c - 1;
      }
      const expected = w.enqueued.filter((id) => count.has(id));
      if ([...new Set(mine)].join() !== expected.join()) reordered++;
    }
    return { sent, lost, duplicated, reordered, gaps };
  });
  console.log(`chaos: ${WIDGETS} widgets, ${verdict.sent} messages sent, ${reconnected} reconnected after SIGKILL of ${victim.name}, all caught up ${((at - killedAt) / 1000).toFixed(1)} s after the kill: lost=${verdict.lost} duplicated=${verdict.duplicated} reordered=${verdict.reordered} (seq gaps ${verdict.gaps})`);
  expect(verdict).toMatchObject({ lost: 0, duplicated: 0, reordered: 0, gaps: 0 });
  expect(verdict.sent).toBeGreaterThan(300);
}, 180_000);
