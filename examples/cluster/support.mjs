// What the cluster tests share: a database and a Redis prefix of their own, real socket.io
// clients (visitors and agents) pointed at one node or at nginx, and HTTP calls with a client
// address of their own (the nodes trust nginx's X-Forwarded-For, so a test can pick the address
// its budget is counted against).
import { randomBytes, randomUUID } from 'node:crypto';
import net from 'node:net';
import pg from 'pg';
import { io } from 'socket.io-client';

export const ADMIN_URL = process.env.THREADLINE_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.THREADLINE_TEST_REDIS_URL || 'redis://127.0.0.1:6379';
export const API_KEY = 'tl_sk_cluster_test_0123456789abcdef';
export const SECRET = 'cluster-test-secret-0123456789abcdef';

async function admin(fn) {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A new empty database; `drop()` removes it. */
export async function createDatabase() {
  const name = `threadline_cluster_${randomBytes(5).toString('hex')}`;
  await admin((c) => c.query(`create database ${name}`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin((c) => c.query(`drop database if exists ${name} with (force)`)) };
}

/** Runs `fn` with a client of `url`. */
export async function withDb(url, fn) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Sends inline Redis commands over plain TCP and resolves with the raw replies. */
export function redis(...lines) {
  const { hostname, port } = new URL(REDIS_URL);
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: hostname || '127.0.0.1', port: Number(port || 6379) });
    let out = '';
    s.on('connect', () => s.end(lines.map((l) => `${l}\r\n`).join('')));
    s.on('data', (d) => (out += d));
    s.on('end', () => resolve(out));
    s.on('error', reject);
  });
}

export function newRedisPrefix() {
  return `threadline-cluster-test:${randomBytes(5).toString('hex')}:`;
}

export async function dropRedisPrefix(prefix) {
  const script = "local c='0' repeat local r=redis.call('SCAN',c,'MATCH',ARGV[1],'COUNT',1000) c=r[1] for _,k in ipairs(r[2]) do redis.call('UNLINK',k) end until c=='0' return 1";
  await redis(`EVAL "${script}" 0 ${prefix}*`);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns something truthy. */
export async function eventually(check, timeoutMs = 10_000, what = 'condition') {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await check();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await sleep(50);
  }
}

/** An HTTP call with the API key (unless `auth` says otherwise) from client address `ip`. */
export async function api(base, method, path, { body, auth = API_KEY, ip = '10.1.0.1', headers = {} } = {}) {
  const h = { 'x-forwarded-for': ip, ...headers };
  if (auth) h.authorization = `Bearer ${auth}`;
  if (body !== undefined && !(body instanceof FormData)) h['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, { method, headers: h, body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body) });
  const buf = Buffer.from(await res.arrayBuffer());
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, headers: res.headers, bytes: buf, body: type.includes('json') && buf.length ? JSON.parse(buf.toString('utf8')) : null };
}

function recorder(socket, events) {
  const received = {};
  for (const e of events) socket.on(e, (payload) => (received[e] ??= []).push(payload));
  return received;
}

/**
 * A visitor connected to `url` (a node or nginx). `localAddress` picks the loopback address it
 * connects from: nginx balances by it.
 */
export function visitor(url, { token, localAddress } = {}) {
  const socket = io(url, {
    auth: { appId: 'demo', v: 1, ...(token ? { token } : {}) },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    localAddress,
  });
  const received = recorder(socket, ['message', 'thread', 'read', 'typing', 'proactive']);
  return new Promise((resolve, reject) => {
    socket.once('connect_error', (err) => {
      socket.close();
      reject(new Error(`visitor connect: ${err.data?.code ?? err.message}`));
    });
    socket.once('session', (session) =>
      resolve({
        socket,
        session,
        received,
        call: (event, payload) => socket.timeout(10_000).emitWithAck(event, payload),
        send: (threadId, text, extra = {}) => socket.timeout(10_000).emitWithAck('message.send', { threadId, clientId: randomUUID(), text, ...extra }),
        close: () => socket.close(),
      }),
    );
  });
}

/** An agent inbox connected to `url`. */
export function agent(url) {
  const socket = io(`${url}/agent`, { auth: { apiKey: API_KEY, name: 'Agent' }, transports: ['websocket'], reconnection: false, forceNew: true });
  const received = recorder(socket, ['message', 'thread', 'typing', 'read', 'visitor', 'proactive.event']);
  return new Promise((resolve, reject) => {
    socket.once('connect_error', (err) => {
      socket.close();
      reject(new Error(`agent connect: ${err.data?.code ?? err.message}`));
    });
    socket.once('connect', () => resolve({ socket, received, close: () => socket.close() }));
  });
}
