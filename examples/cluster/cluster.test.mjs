// Three reference-server processes on one PostgreSQL database and one Redis, behind nginx: what
// one node promises must hold across nodes — live delivery both ways, pushes, files, rate limits,
// webhooks and campaign rules.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster } from './cluster.mjs';
import { API_KEY, REDIS_URL, SECRET, agent, api, createDatabase, dropRedisPrefix, eventually, newRedisPrefix, sleep, visitor, withDb } from './support.mjs';

const HTTP_BUDGET = 30;
const RULE_DELAY_MS = 2500;

let database;
let prefix;
let cluster;
let receiver;
const deliveries = [];
let dir;
const open = [];

async function startReceiver() {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      deliveries.push({ id: req.headers['threadline-delivery'], payload: JSON.parse(body) });
      res.writeHead(204).end();
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

beforeAll(async () => {
  database = await createDatabase();
  prefix = newRedisPrefix();
  receiver = await startReceiver();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-cluster-test-'));
  const rulesFile = path.join(dir, 'rules.json');
  fs.writeFileSync(
    rulesFile,
    JSON.stringify([{ id: 'cluster-rule', when: { event: 'cluster_probe' }, delayMs: RULE_DELAY_MS, message: { text: 'Still deciding? We can help.' }, cap: { count: 1, perMs: 3_600_000 } }]),
  );
  cluster = await startCluster({
    nodes: 3,
    databaseUrl: database.url,
    redisUrl: REDIS_URL,
    redisPrefix: prefix,
    dir: path.join(dir, 'cluster'),
    env: {
      THREADLINE_DEMO_API_KEY: API_KEY,
      THREADLINE_DEMO_SECRET: SECRET,
      THREADLINE_DEMO_WEBHOOK_URL: `http://127.0.0.1:${receiver.address().port}/hook`,
      THREADLINE_WEBHOOK_ALLOW_PRIVATE: '1',
      THREADLINE_RULES_FILE: rulesFile,
      THREADLINE_RATE_HTTP_PER_IP: String(HTTP_BUDGET),
      THREADLINE_RATE_VISITOR_EVENTS: '10000',
      THREADLINE_RATE_CONNECTIONS_PER_IP: '10000',
      THREADLINE_OPEN_CONNECTIONS_PER_IP: '10000',
      LOG_LEVEL: 'error',
    },
  });
}, 120_000);

afterAll(async () => {
  for (const c of open) c.close();
  await cluster?.stop();
  receiver?.close();
  await database?.drop();
  if (prefix) await dropRedisPrefix(prefix);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}, 60_000);

const track = (c) => (open.push(c), c);
const [A, B, C] = [0, 1, 2];
const node = (i) => cluster.nodes[i].url;

/** The node nginx sends a client at `localAddress` to (its X-Threadline-Upstream header). */
function upstreamFor(localAddress) {
  return new Promise((resolve, reject) => {
    http
      .get(`${cluster.url}/health`, { localAddress }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.headers['x-threadline-upstream']));
      })
      .on('error', reject);
  });
}

describe('three nodes behind nginx', () => {
  it('a visitor on node A and an agent on node B hear each other live', async () => {
    const inbox = track(await agent(node(B)));
    const shopper = track(await visitor(node(A)));
    const threadId = randomUUID();
    const sent = await shopper.send(threadId, 'Is the blue one in stock?', { create: true });
    expect(sent.ok).toBe(true);
    await eventually(() => inbox.received.message?.some((e) => e.message.id === sent.message.id), 10_000, 'the agent on B hears the message sent on A');

    // The answer is posted through node C; the visitor on A hears it, and the agent's typing from B.
    inbox.socket.emit('typing', { threadId, typing: true });
    await eventually(() => shopper.received.typing?.some((t) => t.threadId === threadId && t.typing), 10_000, 'typing from B reaches A');
    const answer = await api(node(C), 'POST', `/v1/threads/${threadId}/messages`, { body: { text: 'Yes, size M and L.' }, ip: '10.1.1.1' });
    expect(answer.status).toBe(201);
    await eventually(() => shopper.received.message?.some((m) => m.id === answer.body.message.id), 10_000, 'the answer posted on C reaches A');
  });

  it('nginx spreads visitors over the nodes by client address, and every one is served', async () => {
    const inbox = track(await agent(node(C)));
    const upstreams = new Set();
    // Twelve client addresses: the chance that all hash to one node is 3 in 3^12.
    for (let i = 2; i < 14; i++) {
      const localAddress = `127.0.0.${i}`;
      upstreams.add(await upstreamFor(localAddress));
      const shopper = track(await visitor(cluster.url, { localAddress }));
      const sent = await shopper.send(randomUUID(), 'Hello from behind nginx', { create: true });
      expect(sent.ok).toBe(true);
      await eventually(() => inbox.received.message?.some((e) => e.message.id === sent.message.id), 10_000, 'the agent hears every visitor');
    }
    expect(upstreams.size).toBeGreaterThan(1);
  });

  it('a push posted to node C reaches the visitor connected to node A, live', async () => {
    const shopper = track(await visitor(node(A)));
    // Presence is shared: node C knows the visitor is online on A.
    const seen = await api(node(C), 'GET', `/v1/visitors/${shopper.session.visitorId}`, { ip: '10.1.2.1' });
    expect(seen.status).toBe(200);
    expect(seen.body.online).toBe(true);
    const push = await api(node(C), 'POST', '/v1/proactive', { body: { to: { visitorId: shopper.session.visitorId }, text: 'Free shipping today' }, ip: '10.1.2.1' });
    expect(push.status).toBe(202);
    await eventually(() => shopper.received.proactive?.some((p) => p.text === 'Free shipping today'), 10_000, 'the push reaches A');
  });

  it('a file uploaded through node A downloads byte-identical through node B', async () => {
    const shopper = track(await visitor(node(A)));
    // Text is sniffed as text/plain; 1.5 MiB spans several storage chunks.
    const bytes = Buffer.from(randomBytes(768 * 1024).toString('hex'));
    const form = new FormData();
    form.append('file', new Blob([bytes], { type: 'text/plain' }), 'notes.txt');
    const up = await api(node(A), 'POST', '/v1/uploads', { body: form, auth: shopper.session.token, ip: '10.1.3.1' });
    expect(up.status).toBe(201);
    const down = await api(node(B), 'GET', up.body.attachment.url, { auth: shopper.session.token, ip: '10.1.3.2' });
    expect(down.status).toBe(200);
    expect(down.bytes.length).toBe(bytes.length);
    expect(down.bytes.equals(bytes)).toBe(true);
  });

  it('a visitor token from node A resumes the same visitor on node B', async () => {
    const first = track(await visitor(node(A)));
    const threadId = randomUUID();
    expect((await first.send(threadId, 'first visit', { create: true })).ok).toBe(true);
    first.close();
    const again = track(await visitor(node(B), { token: first.session.token }));
    expect(again.session.visitorId).toBe(first.session.visitorId);
    const synced = await again.call('sync', { cursors: {} });
    expect(synced.ok).toBe(true);
    expect(synced.threads.map((t) => t.id)).toContain(threadId);
  });

  it('an HTTP budget holds across nodes: spent on three nodes, it is refused once, not three times over', async () => {
    const ip = '10.2.0.1';
    const statuses = [];
    for (let i = 0; i < HTTP_BUDGET + 15; i++) statuses.push((await api(node(i % 3), 'GET', '/v1/threads', { ip })).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(HTTP_BUDGET);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
  });

  it('a webhook is delivered once per event with three nodes running', async () => {
    // Visitors on all three nodes write at once: every node's dispatcher sees the same due rows.
    const shoppers = [track(await visitor(node(A))), track(await visitor(node(B))), track(await visitor(node(C)))];
    const threads = shoppers.map(() => randomUUID());
    const ids = [];
    await Promise.all(
      shoppers.map(async (shopper, n) => {
        for (let i = 0; i < 15; i++) {
          const sent = await shopper.send(threads[n], `message ${i}`, i === 0 ? { create: true } : {});
          expect(sent.ok).toBe(true);
          ids.push(sent.message.id);
        }
      }),
    );
    const ours = () => deliveries.filter((d) => d.payload.type === 'message.created' && threads.includes(d.payload.data.threadId));
    await eventually(() => new Set(ours().map((d) => d.payload.data.message.id)).size >= ids.length, 20_000, 'every message.created delivered');
    // Long enough for another node's round to deliver again if it were to.
    await sleep(3000);
    const got = ours();
    expect(got.map((d) => d.payload.data.message.id).sort()).toEqual([...ids].sort());
    expect(new Set(got.map((d) => d.id)).size).toBe(got.length);
  });

  it('a campaign rule fires once, even when the node that heard the event is killed before its delay ends', async () => {
    const first = track(await visitor(node(A)));
    const visitorId = first.session.visitorId;
    expect((await first.call('track', { name: 'cluster_probe' })).ok).toBe(true);
    // The delay is a row in the database, not a timer of node A: kill A before it is due.
    await cluster.nodes[A].kill('SIGKILL');
    const again = track(await visitor(node(B), { token: first.session.token }));
    expect(again.session.visitorId).toBe(visitorId);
    await eventually(() => again.received.proactive?.some((p) => p.campaign === 'cluster-rule' || p.text === 'Still deciding? We can help.'), RULE_DELAY_MS + 20_000, 'the rule fires on another node');
    await sleep(2000);
    const rows = await withDb(database.url, (db) => db.query("select id from proactive where visitor_id = $1 and campaign = 'cluster-rule'", [visitorId]));
    expect(rows.rowCount).toBe(1);
    expect(again.received.proactive.filter((p) => p.text === 'Still deciding? We can help.')).toHaveLength(1);
    await cluster.nodes[A].start();
  }, 60_000);
});
