import { Writable } from 'node:stream';
import { io as ioClient, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentClientEvents, AgentServerEvents } from '@threadline/protocol';
import { DEFAULT_RATE_LIMITS } from '../config.js';
import { API_KEY, connect, eventually, newId, send, type Harness, type Visitor } from '../test/harness.js';
import { visitorRoom } from '../realtime/rooms.js';
import { startNodes, type Nodes } from '../test/nodes.js';
import { redisRelay } from '../test/redis.js';

type Inbox = Socket<AgentServerEvents, AgentClientEvents>;

function agent(node: Harness): Promise<Inbox> {
  const s: Inbox = ioClient(`${node.url}/agent`, { auth: { apiKey: API_KEY, name: 'Sam' }, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', (err) => {
      s.close();
      reject(err);
    });
  });
}

/** The next `event` on `socket` that `match` accepts. */
function heard<T>(socket: Socket<any, any>, event: string, match: (payload: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no matching ${event} within 5 s`)), 5000);
    const listener = (payload: T) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      socket.off(event, listener);
      resolve(payload);
    };
    socket.on(event, listener);
  });
}

describe('three nodes on one database and one Redis', () => {
  let group: Nodes;
  let a: Harness;
  let b: Harness;
  let c: Harness;
  const open: { close(): void }[] = [];
  beforeAll(async () => {
    group = await startNodes(3);
    [a, b, c] = group.nodes as [Harness, Harness, Harness];
  });
  afterAll(async () => {
    for (const s of open) s.close();
    await group?.close();
  });

  it('delivers live between a visitor on one node and an agent on another, both ways: messages, typing, reads', async () => {
    const v = await connect(a.url);
    const inbox = await agent(b);
    open.push(v, inbox);
    const threadId = newId();

    const created = heard<any>(inbox, 'thread', (t) => t.id === threadId);
    const message = heard<any>(inbox, 'message', (m) => m.thread.id === threadId);
    expect((await send(v, threadId, 'do these run large?', { create: true })).ok).toBe(true);
    await created;
    expect(await message).toMatchObject({ message: { text: 'do these run large?' }, thread: { visitor: { online: true } } });

    const visitorTyping = heard<any>(inbox, 'typing', (t) => t.threadId === threadId);
    await v.call('typing', { threadId, typing: true });
    expect(await visitorTyping).toEqual({ threadId, author: { kind: 'visitor' }, typing: true });

    const agentTyping = v.next('typing', 5000);
    inbox.emit('typing', { threadId, typing: true });
    expect(await agentTyping).toEqual({ threadId, author: { kind: 'agent', name: 'Sam' }, typing: true });

    const readByAgent = v.next('read', 5000);
    await new Promise((r) => inbox.emit('thread.read', { threadId, seq: 1 }, r));
    expect(await readByAgent).toEqual({ threadId, seq: 1, by: 'agent' });

    // An agent's reply through the API of a third node.
    const reply = v.next('message', 5000);
    expect((await c.api('POST', `/v1/threads/${threadId}/messages`, { text: 'true to size' })).status).toBe(201);
    expect(await reply).toMatchObject({ threadId, seq: 2, text: 'true to size' });

    const readByVisitor = heard<any>(inbox, 'read', (r) => r.by === 'visitor');
    await v.call('thread.read', { threadId, seq: 2 });
    expect(await readByVisitor).toEqual({ threadId, seq: 2, by: 'visitor' });
  });

  it('pushes a proactive message through one node to a visitor connected to another, live', async () => {
    const v = await connect(a.url);
    open.push(v);
    const pushed = v.next('proactive', 5000);
    const res = await c.api('POST', '/v1/proactive', { to: { visitorId: v.session.visitorId }, text: 'Free shipping today' });
    expect(res.status).toBe(202);
    expect(res.body.delivered).toBe('live');
    expect(await pushed).toMatchObject({ id: res.body.proactive.id, text: 'Free shipping today' });
  });

  it('tells any node that a visitor connected to another is online, and offline once it left', async () => {
    const v = await connect(a.url);
    const id = v.session.visitorId;
    expect((await b.api('GET', `/v1/visitors/${id}`)).body.online).toBe(true);
    expect((await c.api('GET', '/v1/visitors?online=true')).body.items.map((x: { id: string }) => x.id)).toContain(id);

    const inbox = await agent(b);
    open.push(inbox);
    const offline = heard<any>(inbox, 'visitor', (x) => x.id === id && x.online === false);
    v.close();
    await offline;
    expect((await b.api('GET', `/v1/visitors/${id}`)).body.online).toBe(false);
    expect((await c.api('GET', '/v1/visitors?online=true')).body.items.map((x: { id: string }) => x.id)).not.toContain(id);
  });

  it('counts a visitor with tabs on two nodes offline only when the last one closes', async () => {
    const first = await connect(a.url);
    const second = await connect(b.url, { token: first.session.token });
    const id = first.session.visitorId;
    expect(second.session.visitorId).toBe(id);
    const inbox = await agent(c);
    open.push(inbox, second);
    const events: boolean[] = [];
    inbox.on('visitor', (x) => {
      if (x.id === id) events.push(x.online);
    });
    first.close();
    await eventually(async () => (await a.server.io.in(visitorRoom(id)).local.fetchSockets()).length === 0);
    // The node that lost a tab asks presence, which knows the other node still has one.
    expect((await c.api('GET', `/v1/visitors/${id}`)).body.online).toBe(true);
    const offline = heard<any>(inbox, 'visitor', (x) => x.id === id && x.online === false);
    second.close();
    await offline;
    expect(events).toEqual([false]);
  });

  it('queues deliveries for a webhook registered on another node from the next sends on, though this node had found the app without webhooks', async () => {
    // A node that would believe "no webhooks" for ten minutes: only the notice can end it.
    const d = await group.add({ webhooks: { ...a.config.webhooks, noHooksTtlMs: 600_000 } });
    const v = await connect(d.url);
    open.push(v);
    const threadId = newId();
    const deliveriesFor = async (text: string) => {
      const rows = await d.server.store.db.selectFrom('webhook_deliveries').select('payload').execute();
      return rows.filter((r) => r.payload.includes(threadId) && r.payload.includes(text)).length;
    };
    expect((await send(v, threadId, 'before', { create: true })).ok).toBe(true);
    expect(await deliveriesFor('before')).toBe(0);
    expect((await a.api('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hooks', events: ['message.created'] })).status).toBe(201);
    // The notice travels over Redis pub/sub: a send or two may still precede it.
    let n = 0;
    await eventually(async () => {
      const text = `after ${++n}`;
      expect((await send(v, threadId, text)).ok).toBe(true);
      return (await deliveriesFor(text)) === 1;
    });
  });

  it('drops every node’s cached allow-lists when a node changes an app’s origins', async () => {
    const cors = async (node: Harness) => (await fetch(`${node.url}/health`, { headers: { origin: 'http://new-shop.test' } })).headers.get('access-control-allow-origin');
    // Cached for 5 s on every node from this request on.
    expect(await cors(b)).toBeNull();
    // A node starting with new demo origins updates the app and tells the others.
    const d = await group.add({ demo: { ...a.config.demo, allowedOrigins: ['http://shop.test', 'http://new-shop.test'] } });
    expect(await cors(d)).toBe('http://new-shop.test');
    expect(await cors(b)).toBe('http://new-shop.test');
  });
});

describe('rate limits across nodes', () => {
  let group: Nodes;
  beforeAll(async () => {
    group = await startNodes(3, { overrides: { rateLimits: { ...DEFAULT_RATE_LIMITS, httpPerIp: 6, visitorEvents: 8, connectionsPerIp: 1000 } } });
  });
  afterAll(() => group?.close());

  it('refuses the request past the budget whichever node it reaches, not three budgets', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await group.nodes[i % 3]!.api('GET', '/v1/threads')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429]);
    // On every node.
    for (const node of group.nodes) expect((await node.api('GET', '/v1/threads')).status).toBe(429);
  });

  it("counts a visitor's sends on all its connections together, on whichever node each is", async () => {
    const tabs: Visitor[] = [await connect(group.nodes[0]!.url)];
    const { token } = tabs[0]!.session;
    for (const node of group.nodes.slice(1)) tabs.push(await connect(node.url, { token }));
    try {
      const threadId = newId();
      // Sends: half of 8 per visitor per window.
      const acks = [await send(tabs[0]!, threadId, 'm0', { create: true })];
      for (let i = 1; i < 5; i++) acks.push(await send(tabs[i % 3]!, threadId, `m${i}`));
      expect(acks.map((ack) => ack.ok)).toEqual([true, true, true, true, false]);
      expect(acks[4].error.code).toBe('rate_limited');
    } finally {
      for (const t of tabs) t.close();
    }
  });
});

describe('several nodes on one database and the Redis warning', () => {
  /** JSON lines a group's nodes log. */
  function capture() {
    const lines: { msg: string; level: number }[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    return { lines, stream };
  }
  const warnings = (lines: { msg: string }[]) => lines.filter((l) => l.msg.includes('THREADLINE_REDIS_URL'));

  it('warns once when a node sees another alive on its database without Redis', async () => {
    const log = capture();
    const group = await startNodes(2, { redis: false, overrides: { logLevel: 'warn' }, options: { logStream: log.stream } });
    try {
      const [warning, ...more] = warnings(log.lines);
      expect(more).toEqual([]);
      expect(warning!.msg).toMatch(/^another Threadline node \(.+ port \d+\) is using this database, but THREADLINE_REDIS_URL is not set: rooms, rate limits and presence are per node/);
      expect(warning!.msg).toContain(`port ${group.nodes[0]!.server.port}`);
    } finally {
      await group.close();
    }
  });

  it('says nothing when every node has Redis, and warns when one joins without it', async () => {
    const log = capture();
    const group = await startNodes(2, { overrides: { logLevel: 'warn' }, options: { logStream: log.stream } });
    try {
      expect(warnings(log.lines)).toEqual([]);
      const alone = await group.add({ redisUrl: undefined });
      expect(warnings(log.lines).map((l) => l.msg)).toEqual([expect.stringContaining('THREADLINE_REDIS_URL is not set')]);
      expect(alone.server.port).toBeGreaterThan(0);
    } finally {
      await group.close();
    }
  });
});

describe('a node whose connection to Redis drops for a while', () => {
  let group: Nodes;
  let relay: Awaited<ReturnType<typeof redisRelay>>;
  beforeAll(async () => {
    relay = await redisRelay();
    group = await startNodes(1);
    await group.add({ redisUrl: relay.url });
  });
  afterAll(async () => {
    await group?.close();
    await relay?.close();
  });

  it('still delivers to its sockets what another node broadcast meanwhile, once it is back', async () => {
    const [a, b] = group.nodes as [Harness, Harness];
    const v = await connect(b.url);
    try {
      const threadId = newId();
      // The node delivers its own broadcast (here the echo of the visitor's send) once Redis has
      // appended it: wait for it, or on a busy machine it is still on its way when the relay drops.
      const echo = v.next('message', 15_000);
      expect((await send(v, threadId, 'hello', { create: true })).ok).toBe(true);
      expect(await echo).toMatchObject({ threadId, seq: 1 });
      relay.down();
      // Stored and broadcast by a node that still has Redis, while b cannot read the stream.
      expect((await a.api('POST', `/v1/threads/${threadId}/messages`, { text: 'sent during the blip' })).status).toBe(201);
      const late = v.next('message', 15_000);
      relay.up();
      expect(await late).toMatchObject({ threadId, seq: 2, text: 'sent during the blip' });
      // And b's own sends still work, their budgets counted in memory while Redis was away.
      expect((await send(v, threadId, 'still here')).ok).toBe(true);
    } finally {
      v.close();
    }
  });
});
