import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '@threadline/protocol';
import { connect, newId, send, startServer, type Harness } from '../../test/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startServer();
});
afterAll(() => h.close());

describe('over-limit text on HTTP', () => {
  it('answers 413 payload_too_large for an agent reply over the text limit, and stores nothing', async () => {
    const v = await connect(h.url);
    const threadId = newId();
    await send(v, threadId, 'hello', { create: true });
    const res = await h.api('POST', `/v1/threads/${threadId}/messages`, { text: 'x'.repeat(LIMITS.maxTextLength + 1) });
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: 'payload_too_large', message: expect.stringMatching(/text/) });
    const messages = await h.api('GET', `/v1/threads/${threadId}/messages`);
    expect(messages.body.items).toHaveLength(1);
    v.close();
  });

  it('answers 413 payload_too_large for a proactive message over the text limit', async () => {
    const v = await connect(h.url);
    const res = await h.api('POST', '/v1/proactive', { to: { visitorId: v.session.visitorId }, text: 'x'.repeat(LIMITS.maxTextLength + 1) });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
    v.close();
  });

  it('still answers 400 bad_request for other fields over their bounds', async () => {
    const v = await connect(h.url);
    const threadId = newId();
    await send(v, threadId, 'hello', { create: true });
    const res = await h.api('POST', `/v1/threads/${threadId}/messages`, { text: 'hi', author: { kind: 'agent', name: 'x'.repeat(121) } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('bad_request');
    v.close();
  });
});
