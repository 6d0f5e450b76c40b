/**
 * `setNotifyEmail` against the reference server on 127.0.0.1 (real socket.io): the address the
 * brand's replies are emailed to while the shopper is away, its typed errors, and the state every
 * tab sees.
 */
import 'fake-indexeddb/auto';
import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient, indexedDbStorage, socketIoTransport, type Client, type ClientError, type ClientOptions, type StorageAdapter } from '../src/index.js';
import { userHashOf } from '@threadline/server';
import { io as ioClient } from 'socket.io-client';
import { API_KEY, SECRET, startRealServer, type RealServer } from '../src/test/real-server.js';
import { startNetworkProxy } from '../src/test/network-proxy.js';

let withMail: RealServer;
let withoutMail: RealServer;
const clients: Client[] = [];
let db = 0;

beforeAll(async () => {
  // A relay nobody listens on: these tests never reach the point of sending an email.
  withMail = await startRealServer({ notifications: { smtpUrl: 'smtp://127.0.0.1:9', delayMs: 3_600_000 } });
  withoutMail = await startRealServer();
});
afterAll(async () => {
  await withMail.close();
  await withoutMail.close();
});
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
});

function client(rs: RealServer, storage: StorageAdapter = indexedDbStorage(`notify-${process.pid}-${++db}`), extra: Partial<ClientOptions> = {}): Client {
  const c = createClient({
    appId: 'demo',
    serverUrl: rs.url,
    storage,
    multiTab: false,
    ackTimeoutMs: 2000,
    transport: socketIoTransport({ transports: ['websocket'], reconnectionDelay: 100, reconnectionDelayMax: 500 }),
    ...extra,
  });
  clients.push(c);
  return c;
}

const wait = { timeout: 10_000 };
const connected = (c: Client) => expect.poll(() => c.getSnapshot().connection, wait).toBe('connected');

describe('setNotifyEmail', () => {
  it('stores the address, shows it in the session, and keeps it for the next connection', async () => {
    const storage = indexedDbStorage(`notify-${process.pid}-${++db}`);
    const a = client(withMail, storage);
    await connected(a);
    expect(a.getSnapshot().session?.notifyEmail).toBeNull();
    const res = await a.setNotifyEmail('  Alice@Example.COM ');
    expect(res).toEqual({ ok: true, email: 'Alice@example.com' });
    expect(a.getSnapshot().session?.notifyEmail).toBe('Alice@example.com');
    const visitorId = a.getSnapshot().session!.visitorId;
    a.destroy();
    const b = client(withMail, storage);
    await connected(b);
    expect(b.getSnapshot().session).toMatchObject({ visitorId, notifyEmail: 'Alice@example.com' });
  });

  it('removes the address with null', async () => {
    const a = client(withMail);
    await connected(a);
    await a.setNotifyEmail('bob@example.com');
    expect(await a.setNotifyEmail(null)).toEqual({ ok: true, email: null });
    expect(a.getSnapshot().session?.notifyEmail).toBeNull();
  });

  it('answers email_invalid for what is not an address, from the client or the server, and changes nothing', async () => {
    const a = client(withMail);
    await connected(a);
    await a.setNotifyEmail('carol@example.com');
    const errors: ClientError[] = [];
    a.on('error', (e) => errors.push(e));
    const local = await a.setNotifyEmail('carol at example');
    expect(local).toMatchObject({ ok: false, error: { code: 'email_invalid' } });
    // Has an @, so only the server can tell.
    const remote = await a.setNotifyEmail('carol@@example');
    expect(remote).toMatchObject({ ok: false, error: { code: 'email_invalid' } });
    expect(errors.map((e) => e.code)).toEqual(['email_invalid', 'email_invalid']);
    expect(a.getSnapshot().session?.notifyEmail).toBe('carol@example.com');
  });

  it('says notifications_off on a server that sends no email, whose session carries no notifyEmail', async () => {
    const a = client(withoutMail);
    await connected(a);
    expect(a.getSnapshot().session?.notifyEmail).toBeUndefined();
    expect(await a.setNotifyEmail('dan@example.com')).toMatchObject({ ok: false, error: { code: 'notifications_off' } });
  });

  it('answers network while not connected, without waiting for the connection', async () => {
    const a = client(withMail, undefined, { consent: false });
    const res = await a.setNotifyEmail('erin@example.com');
    expect(res).toMatchObject({ ok: false, error: { code: 'network' } });
  });
});

describe('session.notifyIdentified', () => {
  it('is set for a shopper identified with an email from the brand, not for one without', async () => {
    const withEmail = client(withMail, undefined, { identity: { userId: 'u-mail', userHash: userHashOf(SECRET, 'u-mail'), email: 'u@example.com' } });
    const without = client(withMail, undefined, { identity: { userId: 'u-none', userHash: userHashOf(SECRET, 'u-none') } });
    await connected(withEmail);
    await connected(without);
    expect(withEmail.getSnapshot().session).toMatchObject({ userId: 'u-mail', notifyIdentified: true });
    expect(without.getSnapshot().session?.notifyIdentified).toBeUndefined();
  });
});

describe('availability', () => {
  it('reads the app’s hours and reply time, and null while not connected', async () => {
    const hours = { timeZone: 'Europe/Paris', weekly: { mon: [['09:00', '18:00']] }, holidays: ['2026-12-25'] };
    expect((await withMail.api('PUT', '/v1/availability', { hours, replyTimeMinutes: 20, awayMessage: 'Back Monday.' })).status).toBe(200);
    const idle = client(withMail, undefined, { consent: false });
    expect(await idle.availability()).toBeNull();
    const a = client(withMail);
    await connected(a);
    expect(await a.availability()).toEqual({ hours, replyTimeMinutes: 20, awayMessage: 'Back Monday.', agentsOnline: false });
    // Unset again: the other stories do not expect an away message.
    expect((await withMail.api('PUT', '/v1/availability', {})).status).toBe(200);
  });

  it('shows in the session whether an agent inbox is connected, as inboxes connect and close', async () => {
    const a = client(withoutMail);
    await connected(a);
    expect((await a.availability())?.agentsOnline).toBe(false);
    expect(a.getSnapshot().session?.agentsOnline).toBeUndefined();
    const inbox = ioClient(`${withoutMail.url}/agent`, { auth: { apiKey: API_KEY }, transports: ['websocket'], forceNew: true, reconnection: false });
    try {
      await expect.poll(() => a.getSnapshot().session?.agentsOnline, wait).toBe(true);
    } finally {
      inbox.close();
    }
    await expect.poll(() => a.getSnapshot().session?.agentsOnline, wait).toBe(false);
  });
});

/** What an email's continue link carries, signed as the server signs it (its `link_key`), for an email recorded on that server. */
async function continueToken(rs: RealServer, threadId: string, visitorId: string, exp = Date.now() + 60_000): Promise<string> {
  const db = rs.server!.store.db;
  const id = crypto.randomUUID();
  await db
    .insertInto('email_notifications')
    .values({ id, app_id: 'demo', thread_id: threadId, visitor_id: visitorId, email: 'a@example.com', from_seq: 0, to_seq: 1, message_id: `${id}@shop.test`, status: 'sent', error: null, created_at: Date.now() })
    .execute();
  const key = (await db.selectFrom('settings').select('value').where('key', '=', 'link_key').executeTakeFirstOrThrow()).value;
  const hex = id.replace(/-/g, '');
  return `${hex}.${exp}.${createHmac('sha256', key).update(`continue\n${hex}:${exp}`).digest('hex').slice(0, 24)}`;
}

describe('attachThread', () => {
  it('opens another device’s thread here from a continue link, stored, and keeps it after a reload', async () => {
    const a = client(withMail);
    const t = a.startThread({ text: 'Is the blue one in stock?' });
    await expect.poll(() => a.getSnapshot().messages[t]?.[0]?.state, wait).toBe('sent');
    await withMail.api('POST', `/v1/threads/${t}/messages`, { text: 'It is, in every size.', author: { kind: 'agent', name: 'Sam' } });
    const token = await continueToken(withMail, t, a.getSnapshot().session!.visitorId);

    const storage = indexedDbStorage(`notify-${process.pid}-${++db}`);
    const b = client(withMail, storage);
    expect(await b.attachThread(token)).toBe(t);
    expect(b.getSnapshot().threads.map((x) => x.id)).toEqual([t]);
    expect(b.getSnapshot().messages[t]!.map((m) => m.text)).toEqual(['Is the blue one in stock?', 'It is, in every size.']);
    b.send(t, { text: 'Then I take it' });
    await expect.poll(async () => (await withMail.api('GET', `/v1/threads/${t}/messages`)).body.items.map((m: { text: string }) => m.text), wait).toContain('Then I take it');
    b.destroy();
    const reloaded = client(withMail, storage);
    await connected(reloaded);
    expect(reloaded.getSnapshot().threads.map((x) => x.id)).toEqual([t]);
  });

  it('tries again when the connection silently dies under the request, and lands in the thread', async () => {
    const a = client(withMail);
    const t = a.startThread({ text: 'Does it come in red?' });
    await expect.poll(() => a.getSnapshot().messages[t]?.[0]?.state, wait).toBe('sent');
    const token = await continueToken(withMail, t, a.getSnapshot().session!.visitorId);
    const proxy = await startNetworkProxy(withMail.port);
    try {
      const b = createClient({
        appId: 'demo',
        serverUrl: proxy.url,
        storage: indexedDbStorage(`notify-${process.pid}-${++db}`),
        multiTab: false,
        ackTimeoutMs: 1000,
        transport: socketIoTransport({ transports: ['websocket'], reconnectionDelay: 100, reconnectionDelayMax: 500 }),
      });
      clients.push(b);
      await connected(b);
      const errors: ClientError[] = [];
      b.on('error', (e) => errors.push(e));
      // The network stops forwarding without closing: the first request is never answered.
      proxy.stall();
      const accepted = proxy.accepted;
      expect(await b.attachThread(token)).toBe(t);
      expect(proxy.accepted).toBeGreaterThan(accepted); // answered on a new connection
      expect(b.getSnapshot().messages[t]!.map((m) => m.text)).toEqual(['Does it come in red?']);
      expect(errors).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it('resolves null with a not_found error for an expired link, and opens nothing', async () => {
    const a = client(withMail);
    const t = a.startThread({ text: 'hello' });
    await expect.poll(() => a.getSnapshot().messages[t]?.[0]?.state, wait).toBe('sent');
    const token = await continueToken(withMail, t, a.getSnapshot().session!.visitorId, Date.now() - 1);
    const b = client(withMail);
    const errors: ClientError[] = [];
    b.on('error', (e) => errors.push(e));
    expect(await b.attachThread(token)).toBeNull();
    expect(errors.map((e) => e.code)).toEqual(['not_found']);
    expect(b.getSnapshot().threads).toEqual([]);
  });
});

