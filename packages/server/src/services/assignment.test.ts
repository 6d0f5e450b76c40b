import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SqlStore } from '../store/sql-store.js';
import { connect, eventually, newId, send, startServer, type Harness, type Visitor } from '../test/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startServer();
  // Nothing listens on the discard port: every delivery stays pending, to be read here.
  expect((await h.api('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hooks' })).status).toBe(201);
});
afterAll(() => h.close());

/** The deliveries of one thread written so far, as [type, data], in the order written. */
async function deliveries(threadId: string): Promise<[string, any][]> {
  const rows = await h.server.store.db.selectFrom('webhook_deliveries').select('payload').orderBy('id').execute();
  return rows
    .map((r) => JSON.parse(r.payload) as { type: string; data: any })
    .filter(({ data }) => (data.threadId ?? data.thread?.id) === threadId)
    .map(({ type, data }) => [type, data]);
}

const botSays = (threadId: string, text: string) => h.api('POST', `/v1/threads/${threadId}/messages`, { text, author: { kind: 'bot', name: 'Order bot' } });
const assign = (threadId: string, body: unknown) => h.api('POST', `/v1/threads/${threadId}/assign`, body);
const assigneeOf = async (threadId: string) => (await h.api('GET', `/v1/threads/${threadId}`)).body.assignee;

async function botThread(v: Visitor, first = 'where is my order?'): Promise<string> {
  const threadId = newId();
  const ack = await send(v, threadId, first, { create: true });
  expect(ack.thread.assignee).toEqual({ kind: 'bot' });
  return threadId;
}

describe('an app without a bot', () => {
  beforeEach(async () => {
    expect((await h.api('PUT', '/v1/bot', { enabled: false })).status).toBe(200);
  });

  it('puts new threads in the queue and still takes messages a brand posts as a bot', async () => {
    const v = await connect(h.url);
    const threadId = newId();
    const ack = await send(v, threadId, 'human', { create: true });
    expect(ack.thread.assignee).toEqual({ kind: 'queue' });
    // Nothing to hand off from: no event.
    expect(ack.thread.lastSeq).toBe(1);
    expect((await botSays(threadId, 'An automated note')).status).toBe(201);
    v.close();
  });

  it('refuses to give a thread to a bot it does not have', async () => {
    const v = await connect(h.url);
    const threadId = newId();
    await send(v, threadId, 'hello', { create: true });
    const res = await assign(threadId, { to: 'bot' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'bad_request', message: expect.stringContaining('no bot') });
    v.close();
  });
});

describe('an app with a bot', () => {
  beforeEach(async () => {
    const res = await h.api('PUT', '/v1/bot', { enabled: true });
    expect(res.body).toEqual({ enabled: true, handoffWords: ['human', 'agent', 'person', '人工', '真人', '客服'] });
  });

  it('gives new threads to the bot, and its webhooks say so', async () => {
    const v = await connect(h.url);
    const threadId = await botThread(v);
    expect(await assigneeOf(threadId)).toEqual({ kind: 'bot', since: expect.any(String) });
    const [created, message] = await deliveries(threadId);
    expect(created).toMatchObject(['thread.created', { thread: { assignee: { kind: 'bot' } } }]);
    expect(message).toMatchObject(['message.created', { message: { text: 'where is my order?' }, assignee: { kind: 'bot' } }]);
    v.close();
  });

  it('hands off when the visitor taps "Talk to a person" (handoff: true), in the transaction of the message', async () => {
    const v = await connect(h.url);
    const threadId = await botThread(v);
    const heard = v.next('thread');
    const ack = await send(v, threadId, 'Talk to a person', { handoff: true });
    expect(ack.message).toMatchObject({ seq: 2, text: 'Talk to a person', meta: { handoff: true } });
    expect(ack.thread.assignee).toEqual({ kind: 'queue' });
    expect((await heard).assignee).toEqual({ kind: 'queue' });
    const event = await eventually(() => v.received.message?.find((m) => m.seq === 3));
    expect(event).toMatchObject({
      author: { kind: 'system' },
      kind: 'event',
      text: 'Waiting for a person',
      meta: { event: 'thread.assigned', from: { kind: 'bot' }, to: { kind: 'queue' }, by: { kind: 'visitor' }, reason: 'handoff_requested' },
    });
    const events = await deliveries(threadId);
    expect(events.map(([type]) => type)).toEqual(['thread.created', 'message.created', 'message.created', 'message.created', 'thread.assigned']);
    // The bot hears the visitor's request already handed off: it does not answer it.
    expect(events[2]![1]).toMatchObject({ message: { seq: 2 }, assignee: { kind: 'queue' } });
    expect(events[4]![1]).toMatchObject({ from: { kind: 'bot' }, to: { kind: 'queue' }, by: { kind: 'visitor' }, reason: 'handoff_requested', messageId: event.id, thread: { assignee: { kind: 'queue' } } });
    v.close();
  });

  it('hands off on a handoff word in English and Chinese, as a whole message or a word of a short one', async () => {
    const v = await connect(h.url);
    for (const text of ['Human', 'human please!', 'talk to a real person please', '人工', '我要人工客服', '真人？', '客服']) {
      const threadId = await botThread(v, 'hi');
      const ack = await send(v, threadId, text);
      expect([text, ack.thread.assignee]).toEqual([text, { kind: 'queue' }]);
      const [last] = (await h.api('GET', `/v1/threads/${threadId}/messages`)).body.items.slice(-1);
      expect(last.meta).toMatchObject({ reason: 'handoff_words', by: { kind: 'visitor' } });
    }
    for (const text of ['My travel agent booked the wrong delivery date for my parcel last week', 'humane treatment', 'personal order']) {
      const threadId = await botThread(v, 'hi');
      expect((await send(v, threadId, text)).thread.assignee).toEqual({ kind: 'bot' });
    }
    v.close();
  });

  it("uses the app's own handoff words instead of the default ones", async () => {
    expect((await h.api('PUT', '/v1/bot', { enabled: true, handoffWords: ['Mensch', ' MITARBEITER '] })).body.handoffWords).toEqual(['mensch', 'mitarbeiter']);
    const v = await connect(h.url);
    const threadId = await botThread(v, 'hallo');
    expect((await send(v, threadId, 'human')).thread.assignee).toEqual({ kind: 'bot' });
    expect((await send(v, threadId, 'Mitarbeiter!')).thread.assignee).toEqual({ kind: 'queue' });
    v.close();
  });

  it('hands off by itself when the bot has answered two messages in a row and the visitor writes again (bot_limit)', async () => {
    const v = await connect(h.url);
    const threadId = await botThread(v, 'where is my order?');
    expect((await botSays(threadId, 'Which order?')).status).toBe(201);
    expect((await botSays(threadId, 'You can find the number in your email.')).status).toBe(201); // one answer in two messages
    expect((await send(v, threadId, 'the blue one')).thread.assignee).toEqual({ kind: 'bot' });
    expect((await botSays(threadId, 'I could not find a blue one.')).status).toBe(201);
    const ack = await send(v, threadId, 'it was last week');
    expect(ack.thread.assignee).toEqual({ kind: 'queue' });
    const items = (await h.api('GET', `/v1/threads/${threadId}/messages`)).body.items;
    expect(items.at(-1)).toMatchObject({ kind: 'event', meta: { reason: 'bot_limit', by: { kind: 'system' }, from: { kind: 'bot' }, to: { kind: 'queue' } } });
    const assigned = (await deliveries(threadId)).filter(([type]) => type === 'thread.assigned');
    expect(assigned.map(([, d]) => d.reason)).toEqual(['bot_limit']);
    v.close();
  });

  it('counts again when the visitor moves on with a quick reply, and after the thread was resolved', async () => {
    const v = await connect(h.url);
    const threadId = await botThread(v, 'where is my order?');
    await botSays(threadId, 'Pick one');
    expect((await send(v, threadId, 'Order 1042', { quickReply: '1042' })).thread.assignee).toEqual({ kind: 'bot' });
    await botSays(threadId, 'Order 1042 ships tomorrow.');
    expect((await send(v, threadId, 'and the other one?')).thread.assignee).toEqual({ kind: 'bot' });
    await botSays(threadId, 'It arrived yesterday.');
    expect((await h.api('POST', `/v1/threads/${threadId}/resolve`)).status).toBe(200);
    // Two answers in a row before the resolve; the message that reopens it starts again.
    expect((await send(v, threadId, 'one more question')).thread.assignee).toEqual({ kind: 'bot' });
    v.close();
  });

  it("counts neither the server's away message nor a rating in the bot's stretch", async () => {
    const v = await connect(h.url);
    const threadId = await botThread(v);
    // What the away reply does (services/availability.ts): a bot-authored message with no bot policy.
    await h.server.store.append({ appId: 'demo', threadId, message: { clientId: 'away:1', author: { kind: 'bot' }, text: 'We are away', kind: 'text', meta: { away: true } }, reopen: false });
    let row = (await h.server.store.getThread(threadId))!;
    expect([row.bot_streak, row.bot_waiting]).toEqual([0, 1]);
    await botSays(threadId, 'Which order?');
    await send(v, threadId, 'the blue one');
    expect((await v.call('thread.rate', { threadId, score: 2, comment: 'agent' })).ok).toBe(true);
    row = (await h.server.store.getThread(threadId))!;
    expect([row.assignee_kind, row.bot_streak, row.bot_waiting]).toEqual(['bot', 1, 1]);
    v.close();
  });

  it('keeps the bot silent after a handoff until an agent hands the thread back', async () => {
    const v = await connect(h.url);
    const threadId = await botThread(v);
    await send(v, threadId, 'agent');
    const before = (await h.api('GET', `/v1/threads/${threadId}`)).body.lastSeq;
    const refused = await botSays(threadId, 'Still here!');
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'bot_not_assigned', message: expect.stringContaining('waiting for a person') });
    expect((await h.api('GET', `/v1/threads/${threadId}`)).body.lastSeq).toBe(before);
    // A person may write, and the bot stays refused once an agent has the thread.
    const taken = await assign(threadId, { to: { agent: { id: 'u_maya', name: 'Maya' } }, reason: 'took it', by: { kind: 'agent', name: 'Maya' } });
    expect(taken.status).toBe(200);
    expect((await h.api('POST', `/v1/threads/${threadId}/messages`, { text: 'Hi, Maya here', author: { kind: 'agent', name: 'Maya' } })).status).toBe(201);
    expect((await botSays(threadId, 'Me again')).body.error.code).toBe('bot_not_assigned');

    const back = await assign(threadId, { to: 'bot', reason: 'order question answered' });
    expect(back.body).toMatchObject({ thread: { assignee: { kind: 'bot' } }, message: { kind: 'event', text: 'The assistant is back', meta: { from: { kind: 'agent', name: 'Maya' }, to: { kind: 'bot' } } } });
    expect((await botSays(threadId, 'Anything else?')).status).toBe(201);
    // A new stretch: two answers again before the limit.
    expect((await send(v, threadId, 'yes, returns')).thread.assignee).toEqual({ kind: 'bot' });
    v.close();
  });

  it('assigns through the API: an agent by id and name (the visitor sees the name only), once per change', async () => {
    const v = await connect(h.url);
    const threadId = await botThread(v);
    const heard = v.next('thread');
    const res = await assign(threadId, { to: { agent: { id: 'u_maya', name: 'Maya' } } });
    expect(res.status).toBe(200);
    expect(res.body.thread.assignee).toEqual({ kind: 'agent', id: 'u_maya', name: 'Maya', since: expect.any(String) });
    expect(res.body.message).toMatchObject({ author: { kind: 'system' }, kind: 'event', text: 'Maya joined the conversation', meta: { to: { kind: 'agent', name: 'Maya' }, by: { kind: 'agent' }, reason: 'assigned' } });
    expect(JSON.stringify(res.body.message.meta)).not.toContain('u_maya');
    expect((await heard).assignee).toEqual({ kind: 'agent', name: 'Maya' });

    const again = await assign(threadId, { to: { agent: { id: 'u_maya', name: 'Maya' } } });
    expect(again.body.message).toBeNull();
    const assigned = (await deliveries(threadId)).filter(([type]) => type === 'thread.assigned');
    expect(assigned).toHaveLength(1);
    expect(assigned[0]![1]).toMatchObject({ from: { kind: 'bot' }, to: { kind: 'agent', id: 'u_maya', name: 'Maya' }, by: { kind: 'agent' } });

    const reassigned = await assign(threadId, { to: { agent: { id: 'u_leo', name: 'Leo' } } });
    expect(reassigned.body.message.text).toBe('Leo joined the conversation');
    v.close();
  });

  it('answers typed errors for a bad body and an unknown thread', async () => {
    const v = await connect(h.url);
    const threadId = await botThread(v);
    for (const body of [{}, { to: 'nobody' }, { to: { agent: { id: 'x' } } }, { to: 'queue', extra: 1 }]) {
      const res = await assign(threadId, body);
      expect([JSON.stringify(body), res.status, res.body.error.code]).toEqual([JSON.stringify(body), 400, 'bad_request']);
    }
    expect((await assign(newId(), { to: 'queue' })).body.error.code).toBe('not_found');
    expect((await h.api('POST', `/v1/threads/${threadId}/assign`, { to: 'queue' }, {}, 'wrong-key')).status).toBe(401);
    v.close();
  });

  it('lists the queue longest waiting first', async () => {
    const v = await connect(h.url);
    const [a, b] = [await botThread(v), await botThread(v)];
    await send(v, b, 'human');
    await send(v, a, 'human');
    const queue = (await h.api('GET', '/v1/queue?limit=200')).body.items as { id: string; assignee: { since: string } }[];
    const mine = queue.filter((t) => t.id === a || t.id === b);
    expect(mine.map((t) => t.id)).toEqual([b, a]);
    expect(queue.every((t, i) => i === 0 || (queue[i - 1]!.assignee.since ?? '') <= (t.assignee.since ?? ''))).toBe(true);
    await assign(b, { to: { agent: { id: 'u_leo', name: 'Leo' } } });
    expect((await h.api('GET', '/v1/queue?limit=200')).body.items.some((t: { id: string }) => t.id === b)).toBe(false);
    v.close();
  });

  it('is in the OpenAPI document, with its typed errors', async () => {
    const doc = (await h.api('GET', '/v1/openapi.json')).body;
    const assign = doc.paths['/v1/threads/{id}/assign'].post;
    expect(Object.keys(assign.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '404']));
    expect(assign.requestBody.content['application/json'].schema.required).toEqual(['to']);
    expect(doc.paths['/v1/queue'].get).toBeDefined();
    expect(Object.keys(doc.paths['/v1/bot'])).toEqual(expect.arrayContaining(['get', 'put']));
    expect(Object.keys(doc.paths['/v1/threads/{id}/messages'].post.responses)).toContain('409');
  });

  it('rolls the assignment back when its deliveries cannot be written', async () => {
    const v = await connect(h.url);
    const threadId = await botThread(v);
    const failing = new SqlStore(h.server.store.db, { onAppend: () => Promise.reject(new Error('outbox write failed')) });
    await expect(failing.assign('demo', threadId, { to: { kind: 'queue' }, by: { kind: 'agent' }, reason: 'assigned' })).rejects.toThrow('outbox write failed');
    const row = (await h.server.store.getThread(threadId))!;
    expect([row.assignee_kind, row.last_seq]).toEqual(['bot', 1]);
    v.close();
  });
});
