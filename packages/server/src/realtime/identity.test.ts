import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userHashOf } from '../auth/identity.js';
import { ConnectError, SECRET, connect, newId, send, startServer, type Harness } from '../test/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startServer();
});
afterAll(() => h.close());

const key = new TextEncoder().encode(SECRET);
const jwtFor = (sub: string, exp: number | string = '1h') =>
  new SignJWT({ name: 'Alice' }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuedAt().setExpirationTime(exp).sign(key);

async function refusal(p: Promise<unknown>): Promise<ConnectError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnectError);
  return err as ConnectError;
}

describe('identity', () => {
  it("moves an anonymous visitor's threads to the user, visible from another device", async () => {
    const anon = await connect(h.url);
    const threadId = newId();
    await send(anon, threadId, 'written before signing in', { create: true });
    anon.close();

    const userId = `alice-${newId()}`;
    const signedIn = await connect(h.url, { token: anon.session.token, userId, userHash: userHashOf(SECRET, userId) });
    expect(signedIn.session).toMatchObject({ visitorId: anon.session.visitorId, userId });
    signedIn.close();

    const otherDevice = await connect(h.url, { jwt: await jwtFor(userId) });
    expect(otherDevice.session.visitorId).not.toBe(anon.session.visitorId);
    const sync = await otherDevice.call('sync', { cursors: {} });
    expect(sync.threads.map((t: any) => t.id)).toContain(threadId);
    const live = otherDevice.next('message');
    await h.api('POST', `/v1/threads/${threadId}/messages`, { text: 'reply reaches every device' });
    expect((await live).text).toBe('reply reaches every device');

    // Without proof the same browser is anonymous again and sees none of the user's threads.
    const anonAgain = await connect(h.url, { token: signedIn.session.token });
    const anonSync = await anonAgain.call('sync', { cursors: {} });
    expect(anonSync.threads.map((t: any) => t.id)).not.toContain(threadId);
    expect((await anonAgain.call('messages.list', { threadId })).error.code).toBe('not_found');
    otherDevice.close();
    anonAgain.close();
  });

  it('gives a fresh visitor when a device of one user signs in as another', async () => {
    const bob = 'bob-' + newId();
    const carol = 'carol-' + newId();
    const asBob = await connect(h.url, { userId: bob, userHash: userHashOf(SECRET, bob) });
    asBob.close();
    const asCarol = await connect(h.url, { token: asBob.session.token, userId: carol, userHash: userHashOf(SECRET, carol) });
    expect(asCarol.session.visitorId).not.toBe(asBob.session.visitorId);
    asCarol.close();
  });

  it('refuses a wrong userHash', async () => {
    const err = await refusal(connect(h.url, { userId: 'alice', userHash: userHashOf('not-the-secret', 'alice') }));
    expect(err.data?.code).toBe('identity_invalid');
  });

  it('refuses a correct userHash with anything after it, or anything but 64 hex characters', async () => {
    const userId = 'alice';
    const good = userHashOf(SECRET, userId);
    for (const userHash of [`${good}zz`, `${good}0`, `${good}00`, `${good} `, good.slice(0, 63), `0x${good}`]) {
      expect((await refusal(connect(h.url, { userId, userHash }))).data?.code).toBe('identity_invalid');
    }
    const upper = await connect(h.url, { userId, userHash: good.toUpperCase() });
    expect(upper.session.userId).toBe(userId);
    upper.close();
  });

  it('refuses a userId without a hash, and an email grants nothing', async () => {
    expect((await refusal(connect(h.url, { userId: 'alice' }))).data?.code).toBe('identity_invalid');
    const withEmail = await connect(h.url, { email: 'alice@example.com' });
    expect(withEmail.session.userId).toBeNull();
    withEmail.close();
  });

  it("keeps a signed-in user's name and email when a later connection without a proof declares others", async () => {
    const userId = `erin-${newId()}`;
    const signedIn = await connect(h.url, { userId, userHash: userHashOf(SECRET, userId), name: 'Erin Shaw', email: 'erin@example.com' });
    signedIn.close();
    const visitorId = signedIn.session.visitorId;

    const impostor = await connect(h.url, { token: signedIn.session.token, name: 'Mallory', email: 'mallory@evil.test' });
    expect(impostor.session).toMatchObject({ visitorId, userId: null });
    impostor.close();
    const profile = await h.api('GET', `/v1/visitors/${visitorId}`);
    expect(profile.body).toMatchObject({ userId, name: 'Erin Shaw', email: 'erin@example.com' });

    // With the proof on the connection, the profile may change.
    const renamed = await connect(h.url, { token: signedIn.session.token, userId, userHash: userHashOf(SECRET, userId), name: 'Erin S.' });
    renamed.close();
    expect((await h.api('GET', `/v1/visitors/${visitorId}`)).body).toMatchObject({ name: 'Erin S.', email: 'erin@example.com' });
  });

  it('lets an anonymous visitor declare its own name and email', async () => {
    const anon = await connect(h.url, { name: 'Frank', email: 'frank@example.com' });
    anon.close();
    const again = await connect(h.url, { token: anon.session.token, name: 'Frankie' });
    again.close();
    const profile = await h.api('GET', `/v1/visitors/${anon.session.visitorId}`);
    expect(profile.body).toMatchObject({ userId: null, name: 'Frankie', email: 'frank@example.com' });
  });

  it('refuses an unsigned JWT (alg: none)', async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'alice', exp: Math.floor(Date.now() / 1000) + 3600 })}.`;
    expect((await refusal(connect(h.url, { jwt: none }))).data?.code).toBe('identity_invalid');
  });

  it('refuses an expired JWT, a JWT signed with another key, and one without exp', async () => {
    expect((await refusal(connect(h.url, { jwt: await jwtFor('alice', Math.floor(Date.now() / 1000) - 60) }))).data?.message).toMatch(/expired/);
    const forged = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setExpirationTime('1h').sign(new TextEncoder().encode('other'));
    expect((await refusal(connect(h.url, { jwt: forged }))).data?.code).toBe('identity_invalid');
    const noExp = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').sign(key);
    expect((await refusal(connect(h.url, { jwt: noExp }))).data?.code).toBe('identity_invalid');
  });

  it('accepts a valid JWT and records its name', async () => {
    const userId = 'dave-' + newId();
    const v = await connect(h.url, { jwt: await jwtFor(userId) });
    expect(v.session.userId).toBe(userId);
    const threadId = newId();
    await send(v, threadId, 'hi', { create: true });
    const thread = await h.api('GET', `/v1/threads/${threadId}`);
    expect(thread.body.visitor).toMatchObject({ userId, name: 'Alice' });
    v.close();
  });
});
