/**
 * `setNotifyEmail` against the reference server on 127.0.0.1 (real socket.io): the address the
 * brand's replies are emailed to while the shopper is away, its typed errors, and the state every
 * tab sees.
 */
import 'fake-indexeddb/auto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient, indexedDbStorage, socketIoTransport, type Client, type ClientError, type ClientOptions, type StorageAdapter } from '../src/index.js';
import { userHashOf } from '@threadline/server';
import { SECRET, startRealServer, type RealServer } from '../src/test/real-server.js';

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
  });
});

