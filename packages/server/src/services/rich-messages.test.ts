import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, connect, newId, send, startServer, type Harness } from '../test/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startServer();
});
afterAll(() => h.close());

describe('visitor sends: handoff and form answers', () => {
  it('stores a handoff request as meta.handoff and returns it in the ack and the thread', async () => {
    const v = await connect(h.url);
    const threadId = newId();
    const ack = await send(v, threadId, 'Talk to a person', { create: true, handoff: true });
    expect(ack.ok).toBe(true);
    expect(ack.message.meta).toEqual({ handoff: true });
    const stored = await h.api('GET', `/v1/threads/${threadId}/messages`);
    expect(stored.body.items[0].meta).toEqual({ handoff: true });
    v.close();
  });

  it('refuses a handoff that is not `true` as bad_request', async () => {
    const v = await connect(h.url);
    const ack = await send(v, newId(), 'hi', { create: true, handoff: 'yes' });
    expect(ack).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringMatching(/^handoff: /) } });
    v.close();
  });

  it('answers the same message for a repeated handoff send and conflict when the repeat drops it', async () => {
    const v = await connect(h.url);
    const threadId = newId();
    const clientId = newId();
    const first = await v.call('message.send', { threadId, create: true, clientId, text: 'person please', handoff: true });
    const again = await v.call('message.send', { threadId, clientId, text: 'person please', handoff: true });
    expect(again).toMatchObject({ ok: true, duplicate: true, message: { id: first.message.id } });
    const changed = await v.call('message.send', { threadId, clientId, text: 'person please' });
    expect(changed).toMatchObject({ ok: false, error: { code: 'conflict' } });
    v.close();
  });
});

const orderForm = {
  type: 'form',
  submitLabel: 'Find my order',
  fields: [
    { name: 'order', label: 'Order number', pattern: 'A-\\d{4}', hint: 'Like A-1234', required: true },
    { name: 'email', label: 'Email', type: 'email', required: true },
  ],
};
const orderCard = {
  type: 'card',
  title: 'Order A-1001',
  subtitle: 'Blue mug ×2',
  image: { url: 'https://cdn.example/mug.png', alt: 'A blue mug' },
  fields: [{ label: 'Status', value: 'Shipped' }, { label: 'ETA', value: 'Fri 4 Dec' }],
  buttons: [
    { type: 'url', label: 'Track parcel', url: 'https://carrier.example/t/123' },
    { type: 'reply', label: 'Something else', value: 'other' },
    { type: 'handoff', label: 'Talk to a person' },
  ],
};

/** A visitor with a thread, and the brand's message with `blocks` in it (live on the visitor's socket). */
async function threadWithBrandMessage(body: Record<string, unknown>) {
  const v = await connect(h.url);
  const threadId = newId();
  await send(v, threadId, 'where is my order?', { create: true });
  const live = v.next('message');
  const res = await h.api('POST', `/v1/threads/${threadId}/messages`, { author: { kind: 'bot', name: 'Order bot' }, ...body });
  return { v, threadId, res, live };
}

describe('brand messages with blocks (REST)', () => {
  it('stores blocks and quick replies and returns them in the answer, the live event, messages.list, sync and the REST list', async () => {
    const { v, threadId, res, live } = await threadWithBrandMessage({ text: 'Order A-1001: shipped, arriving Fri 4 Dec.', blocks: [orderCard], quickReplies: [{ label: 'Thanks!' }] });
    expect(res.status).toBe(201);
    expect(res.body.message).toMatchObject({ text: 'Order A-1001: shipped, arriving Fri 4 Dec.', blocks: [orderCard], quickReplies: [{ label: 'Thanks!' }] });
    expect(await live).toMatchObject({ id: res.body.message.id, blocks: [orderCard] });
    const listed = await v.call('messages.list', { threadId });
    expect(listed.items[1]).toMatchObject({ blocks: [orderCard], quickReplies: [{ label: 'Thanks!' }] });
    const synced = await v.call('sync', { cursors: {} });
    expect(synced.messages.find((m: any) => m.id === res.body.message.id)).toMatchObject({ blocks: [orderCard] });
    const rest = await h.api('GET', `/v1/threads/${threadId}/messages`);
    expect(rest.body.items[1].blocks).toEqual([orderCard]);
    v.close();
  });

  it('refuses a bad block with bad_request naming it, and stores nothing', async () => {
    const bad = { ...orderCard, buttons: [{ type: 'url', label: 'Go', url: 'javascript:alert(1)' }] };
    const { v, threadId, res } = await threadWithBrandMessage({ text: 'x', blocks: [bad] });
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ code: 'bad_request', message: 'body: blocks.0.buttons.0.url: must be an http or https URL' });
    const rest = await h.api('GET', `/v1/threads/${threadId}/messages`);
    expect(rest.body.items).toHaveLength(1);
    v.close();
  });

  it('refuses a form whose pattern could take exponential time on a visitor\'s value, and stores nothing', async () => {
    const form = { type: 'form', fields: [{ name: 'code', label: 'Code', pattern: '(a+)+$' }] };
    const { v, threadId, res } = await threadWithBrandMessage({ text: 'Your code?', blocks: [form] });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^body: blocks\.0\.fields\.0\.pattern: may take exponential time/);
    expect((await h.api('GET', `/v1/threads/${threadId}/messages`)).body.items).toHaveLength(1);
    // A plain pattern is fine.
    const ok = await h.api('POST', `/v1/threads/${threadId}/messages`, { text: 'Your code?', blocks: [{ ...form, fields: [{ name: 'code', label: 'Code', pattern: '[A-Z]-?\\d{4,8}' }] }] });
    expect(ok.status).toBe(201);
    v.close();
  });

  it('refuses a card image that is neither https nor this server\'s file store', async () => {
    const { v, res } = await threadWithBrandMessage({ text: 'x', blocks: [{ ...orderCard, image: { url: 'http://cdn.example/a.png' } }] });
    expect(res.body.error).toEqual({ code: 'bad_request', message: 'body: blocks.0.image.url: must be /v1/files/<id> or an https URL' });
    v.close();
  });

  it('describes blocks in the OpenAPI document', async () => {
    const doc = (await h.api('GET', '/v1/openapi.json')).body;
    const body = doc.paths['/v1/threads/{id}/messages'].post.requestBody.content['application/json'].schema;
    expect(body.properties.blocks.items.properties.type.enum).toEqual(['buttons', 'card', 'carousel', 'form']);
  });
});

describe('card images from the file store', () => {
  // A real 2×2 PNG.
  const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFElEQVR4nGP8z8DwnwEKmBiQAAAmOgICgbbCXQAAAABJRU5ErkJggg==', 'base64');
  async function brandUpload(): Promise<string> {
    const form = new FormData();
    form.append('file', new Blob([PNG], { type: 'image/png' }), 'mug.png');
    const res = await fetch(`${h.url}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}` }, body: form });
    return ((await res.json()) as any).attachment.url;
  }

  it("lets the thread's visitor read a brand image shown on a card, and refuses it on another thread's card", async () => {
    const url = await brandUpload();
    const { v, res } = await threadWithBrandMessage({ text: 'Your mug', blocks: [{ ...orderCard, image: { url, alt: 'mug' } }] });
    expect(res.status).toBe(201);
    const file = await fetch(`${h.url}${url}`, { headers: { authorization: `Bearer ${v.session.token}` } });
    expect(file.status).toBe(200);
    const elsewhere = await threadWithBrandMessage({ text: 'Your mug', blocks: [{ ...orderCard, image: { url } }] });
    expect(elsewhere.res.status).toBe(400);
    expect(elsewhere.res.body.error.message).toBe(`blocks: ${url} is not an image uploaded by this app for this thread`);
    v.close();
    elsewhere.v.close();
  });
});

describe('visitor form answers', () => {
  it('stores an answer that fits the form as meta.form', async () => {
    const { v, threadId, res } = await threadWithBrandMessage({ text: 'Your order number and email, please.', blocks: [orderForm] });
    const form = { messageId: res.body.message.id, values: { order: 'A-1234', email: 'ann@example.com' } };
    const ack = await send(v, threadId, 'A-1234 · ann@example.com', { form });
    expect(ack).toMatchObject({ ok: true, message: { meta: { form } } });
    const rest = await h.api('GET', `/v1/threads/${threadId}/messages`);
    expect(rest.body.items[2].meta).toEqual({ form });
    v.close();
  });

  it.each([
    [{ order: 'B-1', email: 'ann@example.com' }, "form.values.order: does not match the field's pattern"],
    [{ order: 'A-1234', email: 'ann' }, 'form.values.email: must be an email address'],
    [{ order: 'A-1234' }, 'form.values.email: is required'],
    [{ order: 'A-1234', email: 'ann@example.com', coupon: 'X' }, 'form.values.coupon: is not a field of this form'],
  ])('refuses %j as bad_request naming the field', async (values, message) => {
    const { v, threadId, res } = await threadWithBrandMessage({ text: 'Your order number and email, please.', blocks: [orderForm] });
    const ack = await send(v, threadId, 'answer', { form: { messageId: res.body.message.id, values } });
    expect(ack).toEqual({ ok: false, error: { code: 'bad_request', message } });
    v.close();
  });

  it('refuses an answer to a message without a form, or to another thread\'s form', async () => {
    const { v, threadId, res } = await threadWithBrandMessage({ text: 'Your order number and email, please.', blocks: [orderForm] });
    const plain = await h.api('POST', `/v1/threads/${threadId}/messages`, { text: 'hello' });
    const noForm = await send(v, threadId, 'answer', { form: { messageId: plain.body.message.id, values: {} } });
    expect(noForm).toEqual({ ok: false, error: { code: 'bad_request', message: 'form.messageId: no form in that message of this thread' } });
    const other = newId();
    await send(v, other, 'another question', { create: true });
    const elsewhere = await send(v, other, 'answer', { form: { messageId: res.body.message.id, values: { order: 'A-1234', email: 'ann@example.com' } } });
    expect(elsewhere.error.code).toBe('bad_request');
    v.close();
  });
});

describe('webhooks', () => {
  it('carry the blocks of a brand message and the values of a form answer', async () => {
    // Nothing listens on the discard port: the deliveries stay pending, to be read here.
    expect((await h.api('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hooks' })).status).toBe(201);
    const { v, threadId, res } = await threadWithBrandMessage({ text: 'Your order number and email, please.', blocks: [orderForm] });
    const form = { messageId: res.body.message.id, values: { order: 'A-1234', email: 'ann@example.com' } };
    await send(v, threadId, 'A-1234 · ann@example.com', { form });
    v.close();
    const rows = await h.server.store.db.selectFrom('webhook_deliveries').select('payload').orderBy('id').execute();
    const created = rows.map((r) => JSON.parse(r.payload)).filter((e) => e.type === 'message.created' && e.data.threadId === threadId);
    expect(created.map((e) => e.data.message)).toMatchObject([{ text: 'where is my order?' }, { blocks: [orderForm] }, { meta: { form } }]);
  });
});
