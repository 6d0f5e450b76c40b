import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS, type RateLimitConfig, type ServerConfig } from '../config.js';
import { connect, eventually, startServer, type Harness } from '../test/harness.js';

// Raw engine.io clients, below socket.io: they open a transport and never join a namespace, which
// is what the per-IP budgets used to miss.

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function serve(limits: Partial<RateLimitConfig>, overrides: Partial<ServerConfig> = {}): Promise<Harness> {
  h = await startServer({ rateLimits: { ...DEFAULT_RATE_LIMITS, connectionsPerIp: 1000, httpPerIp: 1000, ...limits }, ...overrides });
  return h;
}

type Outcome = { kind: 'open'; ws: WebSocket } | { kind: 'refused'; status: number; body: string };

/** A raw WebSocket to /socket.io/: open once the engine's open packet arrives, or the refusal. */
function rawWebSocket(url: string, headers: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, { headers });
    ws.once('message', (data) => (String(data).startsWith('0') ? resolve({ kind: 'open', ws }) : reject(new Error(`unexpected first packet ${String(data)}`))));
    ws.once('unexpected-response', (req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => {
        req.destroy();
        resolve({ kind: 'refused', status: res.statusCode ?? 0, body });
      });
    });
    ws.once('error', (err) => reject(err));
  });
}

/** A raw long-polling handshake: the engine's open packet, or the refusal. */
async function pollingHandshake(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; sid?: string; retryAfter: string | null }> {
  const res = await fetch(`${url}/socket.io/?EIO=4&transport=polling`, { headers });
  const body = await res.text();
  const sid = body.startsWith('0') ? (JSON.parse(body.slice(1)) as { sid: string }).sid : undefined;
  return { status: res.status, body, sid, retryAfter: res.headers.get('retry-after') };
}

const closed = (ws: WebSocket) => new Promise<void>((r) => (ws.readyState === WebSocket.CLOSED ? r() : ws.once('close', () => r())));

describe('engine-level connection limits', () => {
  it('refuses raw WebSocket connections from one address past the engine budget, though none joins a namespace', async () => {
    const { url } = await serve({ connectionsPerIp: 3, openConnectionsPerIp: 100 });
    const outcomes: Outcome[] = [];
    for (let i = 0; i < 8; i++) outcomes.push(await rawWebSocket(url));
    // The engine budget is twice the handshake budget (6 here).
    expect(outcomes.map((o) => (o.kind === 'open' ? 'open' : o.status))).toEqual(['open', 'open', 'open', 'open', 'open', 'open', 429, 429]);
    const refusal = outcomes[6] as Extract<Outcome, { kind: 'refused' }>;
    expect(JSON.parse(refusal.body).error).toMatchObject({ code: 'rate_limited', retryAfterMs: expect.any(Number) });
    for (const o of outcomes) if (o.kind === 'open') o.ws.close();
  });

  it('refuses long-polling handshakes from one address past the engine budget with 429 and Retry-After', async () => {
    const { url } = await serve({ connectionsPerIp: 3, openConnectionsPerIp: 100 });
    const answers = [];
    for (let i = 0; i < 8; i++) answers.push(await pollingHandshake(url));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
    expect(Number(answers[6]!.retryAfter)).toBeGreaterThan(0);
    expect(JSON.parse(answers[6]!.body).error.code).toBe('rate_limited');
  });

  it('caps the connections one address holds open at once, over both transports, and frees a place when one closes', async () => {
    const { url } = await serve({ openConnectionsPerIp: 3 });
    const first = await rawWebSocket(url);
    const second = await rawWebSocket(url);
    expect((await pollingHandshake(url)).status).toBe(200);
    expect(await rawWebSocket(url)).toMatchObject({ kind: 'refused', status: 429 });
    expect((await pollingHandshake(url)).status).toBe(429);
    if (first.kind !== 'open' || second.kind !== 'open') throw new Error('expected open sockets');
    first.ws.close();
    const again = await eventually(async () => {
      const o = await rawWebSocket(url);
      return o.kind === 'open' ? o : null;
    });
    again.ws.close();
    second.ws.close();
  });

  it('drops a connection that never joins a namespace once the connect timeout passes', async () => {
    const { url } = await serve({}, { connectTimeoutMs: 200 });
    const idle = await rawWebSocket(url);
    if (idle.kind !== 'open') throw new Error('expected an open socket');
    await closed(idle.ws);
    expect(idle.ws.readyState).toBe(WebSocket.CLOSED);
  });

  it('counts long-polling requests against a per-IP HTTP budget of their own', async () => {
    const { url } = await serve({ httpPerIp: 4 });
    const { sid } = await pollingHandshake(url);
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      // "6" is an engine.io noop packet: a request that does nothing but count.
      const res = await fetch(`${url}/socket.io/?EIO=4&transport=polling&sid=${sid}`, { method: 'POST', body: '6', headers: { 'content-type': 'text/plain;charset=UTF-8' } });
      await res.text();
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    // The API's own budget is counted apart.
    expect((await fetch(`${url}/health`)).status).toBe(200);
  });

  it('counts the X-Forwarded-For client behind a trusted proxy', async () => {
    const { url } = await serve({ connectionsPerIp: 1 }, { trustProxy: true });
    const from = (ip: string) => ({ 'x-forwarded-for': `${ip}, 10.0.0.1` });
    expect((await pollingHandshake(url, from('203.0.113.7'))).status).toBe(200);
    expect((await pollingHandshake(url, from('203.0.113.7'))).status).toBe(200);
    expect((await pollingHandshake(url, from('203.0.113.7'))).status).toBe(429);
    expect((await pollingHandshake(url, from('203.0.113.8'))).status).toBe(200);
  });

  it('ignores X-Forwarded-For without a trusted proxy, since any client can write it', async () => {
    const { url } = await serve({ connectionsPerIp: 1 });
    expect((await pollingHandshake(url, { 'x-forwarded-for': '203.0.113.1' })).status).toBe(200);
    expect((await pollingHandshake(url, { 'x-forwarded-for': '203.0.113.2' })).status).toBe(200);
    expect((await pollingHandshake(url, { 'x-forwarded-for': '203.0.113.3' })).status).toBe(429);
  });

  it('still lets a socket.io client over the handshake budget hear a readable rate_limited', async () => {
    const { url } = await serve({ connectionsPerIp: 2 });
    const a = await connect(url);
    const b = await connect(url);
    const refused = await connect(url).catch((err: { data?: { code: string } }) => err);
    expect((refused as { data?: { code: string } }).data?.code).toBe('rate_limited');
    a.close();
    b.close();
  });
});
