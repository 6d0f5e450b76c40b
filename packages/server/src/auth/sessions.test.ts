import { SignJWT, decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../config.js';
import { SessionStore } from '../store/session-store.js';
import { VisitorSessions } from './sessions.js';
import { TEST_ENGINE, connect, startServer, type Harness } from '../test/harness.js';
import { Statements } from '../test/statements.js';

const TOKEN_KEY = 'test-token-key';
const DAY_S = 24 * 3600;

let h: Harness;
beforeAll(async () => {
  h = await startServer({ tokenKey: TOKEN_KEY, tokenTtlDays: 7 });
});
afterAll(() => h.close());

const sessionRow = (id: string) => h.server.store.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const setExpiry = (id: string, at: number) => h.server.store.db.updateTable('sessions').set({ expires_at: at }).where('id', '=', id).execute();
const sidOf = (token: string) => decodeJwt(token).sid as string;

/** A visitor token as servers before sessions signed it: no `sid`, valid for a year. */
function legacyToken(visitorId: string, issuedAtS = Math.floor(Date.now() / 1000)) {
  return new SignJWT({ app: 'demo' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(visitorId)
    .setIssuer('threadline')
    .setAudience('visitor')
    .setIssuedAt(issuedAtS)
    .setExpirationTime(issuedAtS + 365 * DAY_S)
    .sign(new TextEncoder().encode(TOKEN_KEY));
}

async function upload(token: string) {
  const form = new FormData();
  form.append('file', new Blob(['hello'], { type: 'text/plain' }), 'hello.txt');
  const res = await fetch(`${h.url}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  return res.status;
}

describe('visitor sessions', () => {
  it('carries a session id in every token and lives the configured number of days', async () => {
    const v = await connect(h.url);
    v.close();
    const claims = decodeJwt(v.session.token);
    expect(claims.sid).toEqual(expect.any(String));
    expect(claims.exp! - claims.iat!).toBe(7 * DAY_S);
    const row = await sessionRow(claims.sid as string);
    expect(row).toMatchObject({ app_id: 'demo', visitor_id: v.session.visitorId, revoked_at: null });
  });

  it('keeps the same session alive for another full term on every connection (sliding expiry)', async () => {
    const first = await connect(h.url);
    first.close();
    const sid = sidOf(first.session.token);
    await setExpiry(sid, Date.now() + 60_000); // about to run out

    const back = await connect(h.url, { token: first.session.token });
    back.close();
    expect(back.session.visitorId).toBe(first.session.visitorId);
    expect(sidOf(back.session.token)).toBe(sid);
    expect(Number((await sessionRow(sid)).expires_at)).toBeGreaterThan(Date.now() + 6 * DAY_S * 1000);
  });

  it('makes a visitor whose session ran out a new visitor, and refuses its token over HTTP', async () => {
    const first = await connect(h.url);
    first.close();
    expect(await upload(first.session.token)).toBe(201);
    await setExpiry(sidOf(first.session.token), Date.now() - 1);

    expect(await upload(first.session.token)).toBe(401);
    const back = await connect(h.url, { token: first.session.token });
    back.close();
    expect(back.session.visitorId).not.toBe(first.session.visitorId);
  });

  it('moves a token issued before sessions into a session on its next connection', async () => {
    const first = await connect(h.url);
    first.close();
    const legacy = await legacyToken(first.session.visitorId);
    expect(await upload(legacy)).toBe(401); // never seen on a handshake: no session yet

    const back = await connect(h.url, { token: legacy });
    back.close();
    expect(back.session.visitorId).toBe(first.session.visitorId);
    const sid = sidOf(back.session.token);
    expect((await sessionRow(sid)).visitor_id).toBe(first.session.visitorId);
    // The old token now belongs to that session: it works over HTTP and shares its fate.
    expect(await upload(legacy)).toBe(201);
    const again = await connect(h.url, { token: legacy });
    again.close();
    expect(sidOf(again.session.token)).toBe(sid);
  });

  it('treats a token issued before sessions and older than the token life as a new visitor', async () => {
    const first = await connect(h.url);
    first.close();
    const old = await legacyToken(first.session.visitorId, Math.floor(Date.now() / 1000) - 8 * DAY_S);
    const back = await connect(h.url, { token: old });
    back.close();
    expect(back.session.visitorId).not.toBe(first.session.visitorId);
  });

  it('does not bring back a session revoked while a handshake was renewing it', async () => {
    const v = await connect(h.url);
    const sid = sidOf(v.session.token);
    v.close();
    const sessions = new VisitorSessions(new SessionStore(h.server.store.db), 7 * DAY_S * 1000);
    // A logout lands between the handshake's resume (session live) and its renew.
    await h.server.store.db.updateTable('sessions').set({ revoked_at: Date.now() }).where('id', '=', sid).execute();
    expect(await sessions.renew(sid, { appId: 'demo', visitorId: v.session.visitorId, userId: null })).toBeNull();
    expect((await sessionRow(sid)).revoked_at).not.toBeNull();
  });

  it('renews a returning device’s session and marks its visitor seen in one statement on PostgreSQL, only while the session is live', async () => {
    const v = await connect(h.url);
    const sid = sidOf(v.session.token);
    v.close();
    const statements = new Statements();
    const store = new SessionStore(h.server.store.db.withPlugin(statements));
    const sessions = new VisitorSessions(store, 7 * DAY_S * 1000);
    const claims = { appId: 'demo', visitorId: v.session.visitorId, userId: null, sessionId: sid, issuedAt: Date.now() };
    await setExpiry(sid, Date.now() + 1000);
    const before = Date.now();
    const seen = await sessions.resumeAnonymous(claims);
    if (TEST_ENGINE !== 'postgres') {
      expect(seen).toBeNull(); // SQLite: the handshake's general way
      return;
    }
    expect(statements.sql).toHaveLength(1);
    expect(seen).toMatchObject({ id: v.session.visitorId, app_id: 'demo' });
    expect(Number(seen!.last_seen_at)).toBeGreaterThanOrEqual(before);
    expect(Number((await sessionRow(sid)).expires_at)).toBeGreaterThan(Date.now() + 6 * DAY_S * 1000);
    // Not another visitor's, not past its end, not revoked: nothing written.
    expect(await sessions.resumeAnonymous({ ...claims, visitorId: 'someone-else' })).toBeNull();
    await setExpiry(sid, Date.now() - 1);
    expect(await sessions.resumeAnonymous(claims)).toBeNull();
    expect(Number((await sessionRow(sid)).expires_at)).toBeLessThan(Date.now());
    await setExpiry(sid, Date.now() + 60_000);
    await h.server.store.db.updateTable('sessions').set({ revoked_at: Date.now() }).where('id', '=', sid).execute();
    expect(await sessions.resumeAnonymous(claims)).toBeNull();
    expect(Number((await sessionRow(sid)).expires_at)).toBeLessThan(Date.now() + 120_000);
  });

  it('reads the token life from THREADLINE_TOKEN_TTL_DAYS, 30 days by default', () => {
    expect(configFromEnv({}).tokenTtlDays).toBe(30);
    expect(configFromEnv({ THREADLINE_TOKEN_TTL_DAYS: '3' }).tokenTtlDays).toBe(3);
    expect(() => configFromEnv({ THREADLINE_TOKEN_TTL_DAYS: '0' })).toThrow(/THREADLINE_TOKEN_TTL_DAYS/);
  });
});
