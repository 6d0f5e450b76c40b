import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '@threadline/protocol';
import { ConnectError, connect, newId, send, startServer, type Harness, type Visitor } from '../test/harness.js';

let h: Harness;
let alice: Visitor;
let mallory: Visitor;
let aliceThread: string;
let aliceFile: string;
let aliceProactive: string;

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFElEQVR4nGP8z8DwnwEKmBiQAAAmOgICgbbCXQAAAABJRU5ErkJggg==',
  'base64',
);

async function upload(token: string, bytes: Buffer, name: string, type: string) {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type }), name);
  const res = await fetch(`${h.url}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  return { status: res.status, body: (await res.json()) as any };
}

beforeAll(async () => {
  h = await startServer();
  alice = await connect(h.url);
  mallory = await connect(h.url);
  aliceThread = newId();
  const up = await upload(alice.session.token, PNG, 'receipt.png', 'image/png');
  aliceFile = up.body.attachment.id;
  await send(alice, aliceThread, 'my address is …', { create: true, attachmentIds: [aliceFile] });
  const pushed = await h.api('POST', '/v1/proactive', { to: { visitorId: alice.session.visitorId }, text: 'Need help?' });
  aliceProactive = pushed.body.proactive.id;
});
afterAll(async () => {
  alice.close();
  mallory.close();
  await h.close();
});

describe("a visitor cannot touch another visitor's thread", () => {
  // Each probe runs against Alice's real ids and against ids that do not exist: the answers must be
  // identical, so Mallory learns nothing about what exists.
  const probes: [string, (threadId: string) => Promise<any>][] = [
    ['messages.list', (threadId) => mallory.call('messages.list', { threadId })],
    ['message.send', (threadId) => mallory.call('message.send', { threadId, clientId: newId(), text: 'hijack' })],
    ['thread.read', (threadId) => mallory.call('thread.read', { threadId, seq: 1 })],
    ['typing', (threadId) => mallory.call('typing', { threadId, typing: true })],
    ['thread.rate', (threadId) => mallory.call('thread.rate', { threadId, score: 1 })],
  ];

  for (const [name, probe] of probes) {
    it(`${name} answers not_found, exactly as for an unknown thread`, async () => {
      const forbidden = await probe(aliceThread);
      const unknown = await probe(newId());
      expect(forbidden).toEqual({ ok: false, error: { code: 'not_found', message: 'thread not found' } });
      expect(unknown).toEqual(forbidden);
    });
  }

  it("cannot create a thread under the id of Alice's thread", async () => {
    // Thread ids are client-made UUIDv7s, unguessable; an existing one is simply not found.
    const ack = await mallory.call('message.send', { threadId: aliceThread, create: true, clientId: newId(), text: 'hijack' });
    expect(ack).toEqual({ ok: false, error: { code: 'not_found', message: 'thread not found' } });
    const stored = await h.api('GET', `/v1/threads/${aliceThread}/messages`);
    expect(stored.body.items.map((m: any) => m.text)).toEqual(['my address is …']);
  });

  it("does not list Alice's thread in Mallory's sync or thread list", async () => {
    const sync = await mallory.call('sync', { cursors: { [aliceThread]: 0 } });
    expect(sync.threads.map((t: any) => t.id)).not.toContain(aliceThread);
    expect(sync.messages.filter((m: any) => m.threadId === aliceThread)).toHaveLength(0);
    const list = await mallory.call('threads.list', {});
    expect(list.items.map((t: any) => t.id)).not.toContain(aliceThread);
  });

  it("cannot attach Alice's upload to its own message", async () => {
    const ack = await mallory.call('message.send', { threadId: newId(), create: true, clientId: newId(), text: 'x', attachmentIds: [aliceFile] });
    expect(ack.error.code).toBe('not_found');
  });

  it("cannot download Alice's file, and the answer matches an unknown file", async () => {
    const forbidden = await fetch(`${h.url}/v1/files/${aliceFile}`, { headers: { authorization: `Bearer ${mallory.session.token}` } });
    const unknown = await fetch(`${h.url}/v1/files/${newId()}`, { headers: { authorization: `Bearer ${mallory.session.token}` } });
    expect(forbidden.status).toBe(404);
    expect(await forbidden.json()).toEqual(await unknown.json());
    const own = await fetch(`${h.url}/v1/files/${aliceFile}`, { headers: { authorization: `Bearer ${alice.session.token}` } });
    expect(own.status).toBe(200);
    const anonymous = await fetch(`${h.url}/v1/files/${aliceFile}`);
    expect(anonymous.status).toBe(401);
  });

  it("cannot report on or answer Alice's proactive message", async () => {
    const report = await mallory.call('proactive.event', { id: aliceProactive, event: 'dismissed' });
    expect(report.error.code).toBe('not_found');
    const reply = await mallory.call('message.send', { threadId: newId(), create: true, clientId: newId(), text: 'yes', proactiveId: aliceProactive });
    expect(reply.error.code).toBe('not_found');
  });

  it('cannot use a forged visitor token over HTTP', async () => {
    const [head, body] = alice.session.token.split('.');
    const forged = `${head}.${body}.${'A'.repeat(43)}`;
    const res = await fetch(`${h.url}/v1/files/${aliceFile}`, { headers: { authorization: `Bearer ${forged}` } });
    expect(res.status).toBe(401);
  });

  it('gets a fresh visitor for a forged token on the socket, never the victim', async () => {
    const [head, body] = alice.session.token.split('.');
    const v = await connect(h.url, { token: `${head}.${body}.${'A'.repeat(43)}` });
    expect(v.session.visitorId).not.toBe(alice.session.visitorId);
    v.close();
  });
});

describe('handshake checks', () => {
  it('refuses an origin that is not on the allow-list, and accepts an allowed one', async () => {
    const err = await connect(h.url, { origin: 'http://evil.test' }).catch((e: ConnectError) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).data?.code).toBe('origin_not_allowed');
    const ok = await connect(h.url, { origin: 'http://shop.test' });
    ok.close();
  });

  it('refuses an unknown app and an unsupported protocol version', async () => {
    const unknownApp = await connect(h.url, { appId: 'nope' }).catch((e: ConnectError) => e);
    expect((unknownApp as ConnectError).data?.code).toBe('unauthorized');
    const oldVersion = await connect(h.url, { v: PROTOCOL_VERSION + 41 }).catch((e: ConnectError) => e);
    expect((oldVersion as ConnectError).data?.code).toBe('protocol_unsupported');
  });

  it('answers CORS preflights only for allowed origins', async () => {
    const ok = await fetch(`${h.url}/v1/uploads`, { method: 'OPTIONS', headers: { origin: 'http://shop.test', 'access-control-request-method': 'POST' } });
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://shop.test');
    const evil = await fetch(`${h.url}/v1/uploads`, { method: 'OPTIONS', headers: { origin: 'http://evil.test', 'access-control-request-method': 'POST' } });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('brand API authorisation', () => {
  it('refuses calls without a valid API key', async () => {
    expect((await h.api('GET', '/v1/threads', undefined, {}, null)).status).toBe(401);
    expect((await h.api('GET', '/v1/threads', undefined, {}, 'tl_sk_wrong')).body.error.code).toBe('unauthorized');
    // A visitor token is not an API key.
    expect((await h.api('GET', `/v1/threads/${aliceThread}`, undefined, {}, alice.session.token)).status).toBe(401);
  });
});
