import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userHashOf } from '../../auth/identity.js';
import { SECRET, connect, eventually, newId, send, startServer, type Harness, type Visitor } from '../../test/harness.js';

const TOKEN_KEY = 'test-token-key';

let h: Harness;
beforeAll(async () => {
  h = await startServer({ tokenKey: TOKEN_KEY });
});
afterAll(() => h.close());

const revoke = (token: string, headers: Record<string, string> = {}) => h.api('DELETE', '/v1/session', undefined, headers, token);

async function uploadText(token: string): Promise<{ status: number; id?: string }> {
  const form = new FormData();
  form.append('file', new Blob(['receipt'], { type: 'text/plain' }), 'receipt.txt');
  const res = await fetch(`${h.url}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  const body = (await res.json()) as any;
  return { status: res.status, id: body.attachment?.id };
}
const download = async (token: string, id: string) => (await fetch(`${h.url}/v1/files/${id}`, { headers: { authorization: `Bearer ${token}` } })).status;

/** A signed-in visitor with a file in one of its threads. */
async function signedInWithFile(): Promise<{ v: Visitor; fileId: string }> {
  const userId = `gina-${newId()}`;
  const v = await connect(h.url, { userId, userHash: userHashOf(SECRET, userId) });
  const { id } = await uploadText(v.session.token);
  await send(v, newId(), 'my receipt', { create: true, attachmentIds: [id] });
  return { v, fileId: id! };
}

const disconnected = (v: Visitor) => new Promise<string>((resolve) => v.socket.once('disconnect', resolve));

describe('DELETE /v1/session', () => {
  it("revokes the token's session: files and uploads answer 401, live sockets are disconnected, the socket starts a new visitor", async () => {
    const { v, fileId } = await signedInWithFile();
    const token = v.session.token;
    expect(await download(token, fileId)).toBe(200);
    const gone = disconnected(v);

    const res = await revoke(token);
    expect(res.status).toBe(204);
    expect(await gone).toBe('io server disconnect');
    expect(await download(token, fileId)).toBe(401);
    expect((await uploadText(token)).status).toBe(401);

    const back = await connect(h.url, { token });
    back.close();
    expect(back.session.visitorId).not.toBe(v.session.visitorId);
  });

  it('answers 204 again for a token already revoked, and for an expired one', async () => {
    const v = await connect(h.url);
    v.close();
    expect((await revoke(v.session.token)).status).toBe(204);
    expect((await revoke(v.session.token)).status).toBe(204);

    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ app: 'demo', sid: newId() })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(v.session.visitorId)
      .setIssuer('threadline')
      .setAudience('visitor')
      .setIssuedAt(now - 3600)
      .setExpirationTime(now - 60)
      .sign(new TextEncoder().encode(TOKEN_KEY));
    expect((await revoke(expired)).status).toBe(204);
  });

  it('answers 401 for a forged or garbage token, an API key, or no credential', async () => {
    const v = await connect(h.url);
    v.close();
    const [head, body] = v.session.token.split('.');
    const forged = `${head}.${body}.${'A'.repeat(43)}`;
    for (const credential of [forged, 'garbage', 'a.b.c', h.server.demo.apiKey!]) {
      const res = await revoke(credential);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
    }
    expect((await h.api('DELETE', '/v1/session', undefined, {}, null)).status).toBe(401);
    // None of these touched the real session.
    expect((await uploadText(v.session.token)).status).toBe(201);
  });

  it('revokes a token issued before sessions for good, so it cannot become a session later', async () => {
    const v = await connect(h.url);
    v.close();
    const now = Math.floor(Date.now() / 1000);
    const legacy = await new SignJWT({ app: 'demo' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(v.session.visitorId)
      .setIssuer('threadline')
      .setAudience('visitor')
      .setIssuedAt(now)
      .setExpirationTime(now + 365 * 24 * 3600)
      .sign(new TextEncoder().encode(TOKEN_KEY));
    expect((await revoke(legacy)).status).toBe(204);
    const back = await connect(h.url, { token: legacy });
    back.close();
    expect(back.session.visitorId).not.toBe(v.session.visitorId);
  });

  it('lets a page on an allowed origin call it from the browser (CORS preflight and answer)', async () => {
    const v = await connect(h.url);
    v.close();
    const preflight = await fetch(`${h.url}/v1/session`, {
      method: 'OPTIONS',
      headers: { origin: 'http://shop.test', 'access-control-request-method': 'DELETE', 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://shop.test');
    expect(preflight.headers.get('access-control-allow-methods')).toMatch(/DELETE/);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/authorization/i);

    const res = await revoke(v.session.token, { origin: 'http://shop.test' });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://shop.test');

    const foreign = await fetch(`${h.url}/v1/session`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.test', 'access-control-request-method': 'DELETE', 'access-control-request-headers': 'authorization' },
    });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${h.url}/v1/openapi.json`)).json()) as any;
    expect(doc.paths['/v1/session'].delete).toBeDefined();
    expect(doc.paths['/v1/visitors/{id}/sessions'].delete).toBeDefined();
    expect(doc.paths['/v1/users/{userId}/sessions'].delete).toBeDefined();
  });
});

describe('revoking sessions with the API key', () => {
  it('revokes every session of a visitor and disconnects its sockets', async () => {
    const a = await connect(h.url);
    const b = await connect(h.url, { token: a.session.token });
    const gone = Promise.all([disconnected(a), disconnected(b)]);
    const res = await h.api('DELETE', `/v1/visitors/${a.session.visitorId}/sessions`);
    expect(res.status).toBe(200);
    expect(res.body.revoked).toBe(1); // b renewed a's session: one device, one session
    await gone;
    expect((await uploadText(b.session.token)).status).toBe(401);
    expect((await h.api('DELETE', `/v1/visitors/${newId()}/sessions`)).status).toBe(404);
    expect((await h.api('DELETE', `/v1/visitors/${a.session.visitorId}/sessions`, undefined, {}, b.session.token)).status).toBe(401);
  });

  it('revokes every session of a user, on every device, and the files stop answering', async () => {
    const userId = `hal-${newId()}`;
    const phone = await connect(h.url, { userId, userHash: userHashOf(SECRET, userId) });
    const laptop = await connect(h.url, { userId, userHash: userHashOf(SECRET, userId) });
    const { id } = await uploadText(phone.session.token);
    await send(phone, newId(), 'from the phone', { create: true, attachmentIds: [id] });
    expect(await download(laptop.session.token, id!)).toBe(200);

    const res = await h.api('DELETE', `/v1/users/${encodeURIComponent(userId)}/sessions`);
    expect(res.status).toBe(200);
    expect(res.body.revoked).toBe(2);
    await eventually(() => !phone.socket.connected && !laptop.socket.connected);
    expect(await download(laptop.session.token, id!)).toBe(401);
    expect(await download(phone.session.token, id!)).toBe(401);
  });
});
