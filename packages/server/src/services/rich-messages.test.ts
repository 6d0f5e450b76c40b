import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, newId, send, startServer, type Harness } from '../test/harness.js';

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
