import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Block, ProactiveMessage } from '@threadline/protocol';
import { userHashOf } from '../auth/identity.js';
import { SECRET, connect, eventually, newId, send, startServer, type Harness } from '../test/harness.js';

/** Prompts with rich content: pushed, from campaigns (server and page triggers, variants), and copied into the thread they start. */

let h: Harness;

beforeAll(async () => {
  h = await startServer({ promptsPerDay: 1000 });
});
afterAll(() => h.close());

const blocks: Block[] = [
  { type: 'card', title: 'Free shipping over €50', subtitle: 'Your cart is €42', buttons: [{ type: 'url', label: 'See the rules', url: 'https://shop.example/shipping' }] },
  { type: 'buttons', buttons: [{ type: 'reply', label: 'Add a gift card', value: 'gift' }] },
];

describe('POST /v1/proactive with blocks', () => {
  it('stores the blocks with the prompt and delivers them live and in the next sync', async () => {
    const v = await connect(h.url);
    const live = v.next('proactive');
    const res = await h.api('POST', '/v1/proactive', { to: { visitorId: v.session.visitorId }, text: 'Almost free shipping', display: 'open', blocks });
    expect(res.status).toBe(202);
    expect(res.body.proactive.blocks).toEqual(blocks);
    expect(((await live) as ProactiveMessage).blocks).toEqual(blocks);
    v.close();
    await eventually(async () => !(await h.api('GET', `/v1/visitors/${v.session.visitorId}`)).body.online);
    const back = await connect(h.url, { token: v.session.token });
    const sync = await back.call('sync', { cursors: {} });
    expect(sync.proactive.find((p: ProactiveMessage) => p.id === res.body.proactive.id)?.blocks).toEqual(blocks);
    back.close();
  });

  it('leaves `blocks` out of a prompt of text only', async () => {
    const res = await h.api('POST', '/v1/proactive', { to: { userId: 'plain' }, text: 'Hello', blocks: [] });
    expect(res.status).toBe(202);
    expect(res.body.proactive).not.toHaveProperty('blocks');
  });

  it('refuses bad blocks with 400 naming the field, as for a message, and stores nothing', async () => {
    const userId = `bad-${newId()}`;
    const cases: [unknown, RegExp][] = [
      [[{ type: 'buttons', buttons: [{ type: 'url', label: 'Go', url: 'javascript:alert(1)' }] }], /^body: blocks\.0\.buttons\.0\.url: /],
      [[{ type: 'card', title: '' }], /^body: blocks\.0\.title: /],
      [[{ type: 'form', fields: [{ name: 'a', label: 'A' }] }, { type: 'form', fields: [{ name: 'b', label: 'B' }] }], /at most 1 form/],
      [[{ type: 'form', fields: [{ name: 'code', label: 'Code', pattern: '(a+)+$' }] }], /^body: blocks\.0\.fields\.0\.pattern: /],
    ];
    for (const [bad, message] of cases) {
      const res = await h.api('POST', '/v1/proactive', { to: { userId }, text: 'x', blocks: bad });
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'bad_request', message: expect.stringMatching(message) });
    }
    const v = await connect(h.url, { userId, userHash: userHashOf(SECRET, userId) });
    expect((await v.call('sync', { cursors: {} })).proactive).toEqual([]);
    v.close();
  });

  it('copies the blocks with the prompt into the thread the answer starts', async () => {
    const v = await connect(h.url);
    const pushed = await h.api('POST', '/v1/proactive', { to: { visitorId: v.session.visitorId }, text: 'Almost free shipping', blocks });
    const threadId = newId();
    const ack = await send(v, threadId, 'Add a gift card', { create: true, proactiveId: pushed.body.proactive.id, quickReply: 'gift' });
    expect(ack.ok).toBe(true);
    const stored = await h.api('GET', `/v1/threads/${threadId}/messages`);
    expect(stored.body.items.map((m: any) => [m.kind, m.text, m.blocks])).toEqual([
      ['proactive', 'Almost free shipping', blocks],
      ['text', 'Add a gift card', undefined],
    ]);
    // The visitor's side gets the same first message.
    const synced = await v.call('sync', { cursors: { [threadId]: 0 } });
    expect(synced.messages.find((m: any) => m.threadId === threadId && m.seq === 1)?.blocks).toEqual(blocks);
    v.close();
  });

  it('takes an answer to the prompt’s form in the send that starts the thread, named by the prompt’s copy there; a bad value is refused', async () => {
    const v = await connect(h.url);
    const form: Block[] = [{ type: 'form', fields: [{ name: 'order', label: 'Order number', pattern: 'A-\\d{4}', required: true }] }];
    const pushed = await h.api('POST', '/v1/proactive', { to: { visitorId: v.session.visitorId }, text: 'Which order is it about?', blocks: form });
    const promptId = pushed.body.proactive.id;
    const bad = await send(v, newId(), 'A-12', { create: true, proactiveId: promptId, form: { messageId: promptId, values: { order: 'A-12' } } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringMatching(/^form\.values\.order: /) } });
    const threadId = newId();
    const ack = await send(v, threadId, 'A-1234', { create: true, proactiveId: promptId, form: { messageId: promptId, values: { order: 'A-1234' } } });
    expect(ack.ok, JSON.stringify(ack)).toBe(true);
    const [copy, answer] = (await h.api('GET', `/v1/threads/${threadId}/messages`)).body.items;
    expect(copy).toMatchObject({ kind: 'proactive', blocks: form });
    expect(answer.meta.form).toEqual({ messageId: copy.id, values: { order: 'A-1234' } });
    v.close();
  });
});

describe('campaign prompts carry their message’s blocks', () => {
  const base = {
    name: 'Checkout help',
    status: 'live',
    message: { text: 'Almost free shipping', blocks },
    display: 'open',
    caps: { perVisitor: { count: 1 } },
  };

  it('a server-triggered campaign pushes its blocks', async () => {
    const id = `rich-server-${Date.now()}`;
    const event = `rich_checkout_${Date.now()}`;
    expect((await h.api('POST', '/v1/campaigns', { ...base, id, trigger: { kind: 'server_event', event } })).status).toBe(201);
    const v = await connect(h.url);
    const prompt = v.next('proactive');
    await v.call('track', { name: event });
    expect(((await prompt) as ProactiveMessage)).toMatchObject({ campaign: id, text: 'Almost free shipping', blocks });
    v.close();
  });

  it('a variant’s message brings its own blocks', async () => {
    const id = `rich-variant-${Date.now()}`;
    const event = `rich_variant_${Date.now()}`;
    const other: Block[] = [{ type: 'buttons', buttons: [{ type: 'handoff', label: 'Talk to a person' }] }];
    const created = await h.api('POST', '/v1/campaigns', {
      ...base,
      id,
      trigger: { kind: 'server_event', event },
      experiment: { holdoutShare: 0, variants: [{ id: 'b', share: 100, message: { text: 'Questions before you pay?', blocks: other } }] },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const v = await connect(h.url);
    const prompt = v.next('proactive');
    await v.call('track', { name: event });
    expect(((await prompt) as ProactiveMessage)).toMatchObject({ campaign: id, text: 'Questions before you pay?', blocks: other });
    v.close();
  });

  it('a page campaign lists its blocks in the session, and the fired prompt stores them for the thread it starts', async () => {
    const id = `rich-page-${Date.now()}`;
    expect((await h.api('POST', '/v1/campaigns', { ...base, id, trigger: { kind: 'exit_intent' } })).status).toBe(201);
    const v = await connect(h.url);
    const listed = v.session.campaigns?.find((c) => c.id === id);
    expect(listed?.prompt).toEqual({ text: 'Almost free shipping', display: 'open', author: { kind: 'bot' }, blocks });
    const promptId = newId();
    expect(await v.call('campaign.fire', { campaign: id, id: promptId })).toEqual({ ok: true, outcome: 'shown' });
    const threadId = newId();
    expect((await send(v, threadId, 'Tell me more', { create: true, proactiveId: promptId })).ok).toBe(true);
    const stored = await h.api('GET', `/v1/threads/${threadId}/messages`);
    expect(stored.body.items[0]).toMatchObject({ kind: 'proactive', text: 'Almost free shipping', blocks });
    v.close();
  });
});
