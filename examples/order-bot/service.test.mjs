// The order bot as `pnpm start` runs it: the demo (reference server on SQLite) starts it, and it
// answers through the real webhook and REST path; shoppers are real socket.io clients.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PROTOCOL_VERSION } from '@threadline/protocol';
import { userHashOf } from '@threadline/server';
import { startDemo } from '../shop/server.mjs';

let demo;
const sockets = [];
/** A 1×1 PNG: the server sniffs the bytes. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

beforeAll(async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-order-bot-'));
  demo = await startDemo({ PORT: '0', HOST: '127.0.0.1', THREADLINE_DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await demo?.server.close();
});

const api = async (method, p, body) => {
  const res = await fetch(`${demo.server.url}${p}`, {
    method,
    headers: { authorization: `Bearer ${demo.config.demo.apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: await res.json().catch(() => null) };
};

/** A shopper on the demo's widget protocol: Alice (signed in) or a guest. */
async function shopper({ alice = false } = {}) {
  const auth = { appId: 'demo', v: PROTOCOL_VERSION, ...(alice ? { userId: 'alice', userHash: userHashOf(demo.config.demo.secret, 'alice') } : {}) };
  const socket = io(demo.server.url, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
  sockets.push(socket);
  const messages = [];
  socket.on('message', (m) => messages.push(m));
  const session = await new Promise((resolve, reject) => {
    socket.once('session', resolve);
    socket.once('connect_error', reject);
  });
  const threadId = v7();
  let created = false;
  return {
    messages,
    threadId,
    /** Uploads a photo as this shopper (their token), for the next message. */
    async photo() {
      const form = new FormData();
      form.append('file', new Blob([PNG], { type: 'image/png' }), 'box.png');
      const res = await fetch(`${demo.server.url}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${session.token}` }, body: form });
      expect(res.status).toBe(201);
      return (await res.json()).attachment.id;
    },
    send(text, extra = {}) {
      const input = { threadId, clientId: v7(), text, ...(created ? {} : { create: true }), ...extra };
      created = true;
      return new Promise((resolve, reject) => socket.timeout(5000).emit('message.send', input, (err, ack) => (err ? reject(err) : ack.ok ? resolve(ack.data) : reject(new Error(`${ack.error.code}: ${ack.error.message}`)))));
    },
    /** The bot's messages so far (and waits until there are `count`). */
    botSaid: (count) =>
      vi.waitFor(
        () => {
          const said = messages.filter((m) => m.threadId === threadId && m.author.kind === 'bot');
          if (said.length < count) throw new Error(`${said.length} of ${count} bot messages`);
          return said;
        },
        { timeout: 10_000, interval: 50 },
      ),
  };
}

/** A UUIDv7 (the protocol's clientId and new-thread id). */
function v7() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  const ms = BigInt(Date.now());
  for (let i = 0; i < 6; i++) b[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  b[6] = 0x70 | (b[6] & 0x0f);
  b[8] = 0x80 | (b[8] & 0x3f);
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

describe('the demo order bot, through webhooks and the REST API', () => {
  it('is registered by the demo: its webhook endpoint, and the app’s bot turned on', async () => {
    const hooks = (await api('GET', '/v1/webhooks')).body.items;
    expect(hooks.map((h) => h.url)).toEqual([demo.orderBot.url]);
    expect((await api('GET', '/v1/bot')).body.enabled).toBe(true);
    // Deliveries must be signed with the secret it was given.
    const forged = await fetch(demo.orderBot.url, { method: 'POST', body: JSON.stringify({ id: 'x', type: 'message.created', data: {} }) });
    expect(forged.status).toBe(401);
  });

  it('shows Alice her recent orders as cards when she asks where her order is', async () => {
    const alice = await shopper({ alice: true });
    await alice.send('where is my order?');
    const [reply] = await alice.botSaid(1);
    expect(reply.author).toEqual({ kind: 'bot', name: 'Northwind Assistant' });
    expect(reply.blocks[0].type).toBe('carousel');
    expect(reply.blocks[0].cards.map((c) => c.title)).toEqual(['Order NW-10477', 'Order NW-10482', 'Order NW-10391']);
    expect(reply.text).toBe('Your 3 most recent orders: NW-10477 is being packed; NW-10482 is on its way with DHL; NW-10391 was delivered.');
  });

  it('asks a guest for order number and email, answers a right pair with the order’s card', async () => {
    const guest = await shopper();
    await guest.send('我的订单在哪里');
    const [ask] = await guest.botSaid(1);
    expect(ask.blocks[0]).toMatchObject({ type: 'form', submitLabel: '查询订单' });
    await guest.send('NW-10460 · li.wei@example.com', { form: { messageId: ask.id, values: { order: 'NW-10460', email: 'li.wei@example.com' } } });
    const [, found] = await guest.botSaid(2);
    expect(found.text).toBe('找到了：订单 NW-10460 正在打包。');
    expect(found.blocks[0]).toMatchObject({ type: 'card', title: '订单 NW-10460' });
  });

  it('gives a guest a second chance after a wrong pair, then a person, who sees what was typed', async () => {
    const guest = await shopper();
    await guest.send('has my parcel shipped');
    const [ask] = await guest.botSaid(1);
    await guest.send('x', { form: { messageId: ask.id, values: { order: 'NW-11111', email: 'sam@example.com' } } });
    const [, again] = await guest.botSaid(2);
    expect(again.blocks[0].type).toBe('form');
    await guest.send('y', { form: { messageId: again.id, values: { order: 'NW-22222', email: 'sam@example.com' } } });
    await guest.botSaid(3);
    const thread = await vi.waitFor(async () => {
      const t = (await api('GET', `/v1/threads/${guest.threadId}`)).body;
      if (t?.assignee?.kind !== 'queue') throw new Error('not in the queue yet');
      return t;
    }, { timeout: 10_000 });
    expect(thread.assignee.kind).toBe('queue');
    const events = (await api('GET', `/v1/threads/${guest.threadId}/messages`)).body.items.filter((m) => m.kind === 'event');
    expect(events.at(-1).meta).toMatchObject({ reason: 'Order lookup failed twice (entered: NW-22222, sam@example.com)' });
  });

  it('hands a damaged parcel with its photo to a person at once, with a one-line summary, and then stays silent', async () => {
    const alice = await shopper({ alice: true });
    await alice.send('My item arrived damaged', { attachmentIds: [await alice.photo()] });
    const [sorry] = await alice.botSaid(1);
    expect(sorry.text).toContain('Damaged item — order NW-10391 (Trail Runner 2), photo attached');
    const events = async () => (await api('GET', `/v1/threads/${alice.threadId}/messages`)).body.items.filter((m) => m.kind === 'event');
    await vi.waitFor(async () => expect((await events()).at(-1)?.meta).toMatchObject({ reason: 'Damaged item — order NW-10391 (Trail Runner 2), photo attached' }), { timeout: 10_000 });
    await vi.waitFor(async () => {
      if ((await api('GET', `/v1/threads/${alice.threadId}`)).body?.assignee?.kind !== 'queue') throw new Error('not in the queue yet');
    }, { timeout: 10_000 });
    // After the handoff the bot says nothing more.
    await alice.send('where is my order?');
    await new Promise((r) => setTimeout(r, 1000));
    expect(alice.messages.filter((m) => m.threadId === alice.threadId && m.author.kind === 'bot')).toHaveLength(1);
  });
});
