// node bench/src/append.mjs — the store's append on PostgreSQL, alone: a visitor's message to an
// existing thread through the transaction (5 round trips) and through the one-statement path
// (`quietAppend`, migration 0015), 20 senders at once over 50 threads, on an idle event loop and
// on one kept busy half of the time (5 ms of work every 10 ms, as a node serving thousands of
// sockets is): the pooled connection and the thread's lock are held across each round trip's turn
// through that loop. Needs PostgreSQL (THREADLINE_BENCH_POSTGRES_URL, default
// postgres://root@127.0.0.1:5432/test; a database `threadline_bench_append` is created and
// dropped) and the built server (`pnpm build`). Prints appends per second; nothing is asserted.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SERVER_DIR, table } from './lib/common.mjs';

const ADMIN_URL = process.env.THREADLINE_BENCH_POSTGRES_URL || 'postgres://root@127.0.0.1:5432/test';
const N = Number(process.env.BENCH_APPENDS || 3000);
const DB = 'threadline_bench_append';
const require = createRequire(join(SERVER_DIR, 'package.json'));
const pg = require('pg');
const { v7 } = require('uuid');
const dist = (p) => import(pathToFileURL(join(SERVER_DIR, 'dist', p)).href);

async function once(oneStatement, busyMs) {
  const admin = new pg.Client(ADMIN_URL);
  await admin.connect();
  await admin.query(`drop database if exists ${DB}`);
  await admin.query(`create database ${DB}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${DB}`;
  const { openPostgres } = await dist('db/postgres.js');
  const db = openPostgres(url.href);
  const { migrateToLatest } = await dist('db/migrate.js');
  const { SqlStore } = await dist('store/sql-store.js');
  await migrateToLatest(db);
  const store = new SqlStore(db, { quietAppend: () => oneStatement });
  await store.createAppIfAbsent({ id: 'a', name: 'a', apiKey: 'k', secret: 's', allowedOrigins: [] });
  const visitors = [];
  for (let i = 0; i < 50; i++) visitors.push(await store.createVisitor('a'));
  const threads = visitors.map(() => v7());
  const send = (i) => {
    const v = visitors[i % 50];
    return store.append({
      appId: 'a',
      threadId: threads[i % 50],
      principal: { appId: 'a', visitorId: v.id, userId: null },
      create: { visitorId: v.id, userId: null, campaign: null },
      reopen: true,
      message: { clientId: v7(), author: { kind: 'visitor' }, text: `hello ${i}`, kind: 'text' },
    });
  };
  for (let i = 0; i < 100; i++) await send(i); // the threads exist from here on
  let stop = false;
  const spin = () => {
    if (stop) return;
    const t = performance.now();
    while (performance.now() - t < busyMs);
    setTimeout(spin, 10 - busyMs);
  };
  if (busyMs) spin();
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: 20 }, async () => {
    while (next < N) await send(next++);
  }));
  const secs = (performance.now() - t0) / 1000;
  stop = true;
  const used = process.cpuUsage(cpu);
  await db.destroy();
  return { rate: N / secs, cpuMs: busyMs ? null : (used.user + used.system) / 1000 / N };
}

export async function runAppend() {
  const rows = [];
  for (const busy of [0, 5]) {
    const tx = await once(false, busy);
    const one = await once(true, busy);
    rows.push([busy ? 'busy (5 ms of every 10)' : 'idle', `${tx.rate.toFixed(0)}/s`, `${one.rate.toFixed(0)}/s`, `${(one.rate / tx.rate).toFixed(1)}×`]);
  }
  const admin = new pg.Client(ADMIN_URL);
  await admin.connect();
  await admin.query(`drop database if exists ${DB}`);
  await admin.end();
  const md = [
    `${N} visitor messages to 50 existing threads, 20 senders at once, the server's pool (10), PostgreSQL on loopback:`,
    '',
    table(['Event loop', 'Transaction (5 round trips)', 'One statement', 'Ratio'], rows, ['l', 'r', 'r', 'r']),
  ].join('\n');
  console.log(`\n## Append on PostgreSQL (\`node bench/src/append.mjs\`)\n\n${md}`);
  return { md };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await runAppend();
