import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, eventually, newId, send, startServer, testConfig, type Harness } from '../test/harness.js';

/** A real receiver on loopback that records what reaches it. */
let receiver: http.Server;
let port: number;
const received: { host: string | undefined; body: string }[] = [];
beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ host: req.headers.host, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  port = (receiver.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => receiver.close(() => r())));

const strict = () => ({ webhooks: { ...testConfig().webhooks, allowPrivate: false } });
const PUBLIC = '93.184.216.34'; // never connected to: only handed out by the test resolver

/** Host names the tests control; each call answers the next entry (the last one repeats). */
function resolver(answers: Record<string, string[][]>) {
  const calls: string[] = [];
  const resolveHost = async (host: string) => {
    calls.push(host);
    const list = answers[host];
    if (!list) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    const nth = list[Math.min(calls.filter((c) => c === host).length - 1, list.length - 1)]!;
    return nth.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { resolveHost, calls };
}

const deliveriesOf = (h: Harness, webhookId: string) =>
  h.server.store.db.selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', webhookId).execute();

describe('webhook targets', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startServer(strict());
  });
  afterAll(() => h.close());

  it('refuses URLs that point at loopback, private, link-local or metadata addresses, however they are spelled', async () => {
    const urls = [
      'http://127.0.0.1:8080/hook',
      'http://127.1/',
      'http://2130706433/', // 127.0.0.1 as one decimal number
      'http://0177.0.0.1/', // octal
      'http://0x7f.0.0.1/', // hexadecimal
      'http://0.0.0.0/',
      'http://0/',
      'http://10.1.2.3/',
      'http://172.16.0.1/',
      'http://172.31.255.255/',
      'http://192.168.1.1/',
      'http://100.64.0.1/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]/',
      'http://[::]/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::ffff:a9fe:a9fe]/', // 169.254.169.254, IPv4-mapped in hex
      'http://[64:ff9b::a9fe:a9fe]/', // NAT64
      'http://[2002:7f00:1::]/', // 6to4 around 127.0.0.1
      'http://[fc00::1]/',
      'http://[fd12:3456::1]/',
      'http://[fe80::1]/',
      'https://localhost/',
      'https://LOCALHOST./',
      'https://admin.localhost/',
    ];
    for (const url of urls) {
      const res = await h.api('POST', '/v1/webhooks', { url });
      expect([url, res.status, res.body?.error?.code]).toEqual([url, 400, 'webhook_url_not_allowed']);
    }
    expect((await h.api('GET', '/v1/webhooks')).body.items).toEqual([]);
  });

  it('accepts a public address', async () => {
    for (const url of [`http://${PUBLIC}/hook`, 'https://[2606:4700:4700::1111]/hook']) {
      const res = await h.api('POST', '/v1/webhooks', { url });
      expect(res.status).toBe(201);
      await h.api('DELETE', `/v1/webhooks/${res.body.id}`);
    }
  });
});

describe('webhook delivery', () => {
  it('refuses at delivery a name that now resolves to loopback (DNS rebinding), recording a failed attempt with the reason', async () => {
    const dns = resolver({ 'hooks.shop.test': [[PUBLIC], ['127.0.0.1']] });
    const h = await startServer(strict(), { resolveHost: dns.resolveHost });
    try {
      const created = await h.api('POST', '/v1/webhooks', { url: `http://hooks.shop.test:${port}/hook`, events: ['message.created'] });
      expect(created.status).toBe(201);
      const before = received.length;
      const v = await connect(h.url);
      await send(v, newId(), 'rebind me', { create: true });
      v.close();
      const [delivery] = await eventually(async () => {
        const rows = await deliveriesOf(h, created.body.id);
        return rows.length && Number(rows[0]!.attempts) >= 1 && rows;
      });
      expect(delivery!.last_error).toMatch(/hooks\.shop\.test resolves to 127\.0\.0\.1, a loopback address/);
      expect(received.length).toBe(before);
      expect((await h.api('GET', '/health')).status).toBe(200);
    } finally {
      await h.close();
    }
  });

  it('refuses a name with any private address among its answers', async () => {
    const dns = resolver({ 'mixed.shop.test': [[PUBLIC, '10.0.0.7']] });
    const h = await startServer(strict(), { resolveHost: dns.resolveHost });
    try {
      const res = await h.api('POST', '/v1/webhooks', { url: 'https://mixed.shop.test/hook' });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'webhook_url_not_allowed', message: expect.stringMatching(/10\.0\.0\.7, a private address/) });
    } finally {
      await h.close();
    }
  });

  it('connects to the address it resolved and checked, sending the name as Host', async () => {
    // hooks.local.test exists only in this resolver: the delivery can only arrive through the
    // address it handed out, never through a second lookup of the HTTP client.
    const dns = resolver({ 'hooks.local.test': [['127.0.0.1']] });
    const h = await startServer({}, { resolveHost: dns.resolveHost });
    try {
      const created = await h.api('POST', '/v1/webhooks', { url: `http://hooks.local.test:${port}/pinned`, events: ['message.created'] });
      expect(created.status).toBe(201);
      const v = await connect(h.url);
      await send(v, newId(), 'pin me', { create: true });
      v.close();
      const got = await eventually(() => received.find((r) => r.body.includes('pin me')));
      expect(got.host).toBe(`hooks.local.test:${port}`);
      const [delivery] = await deliveriesOf(h, created.body.id);
      expect(delivery).toMatchObject({ status: 'delivered', attempts: 1 });
      expect(dns.calls.filter((c) => c === 'hooks.local.test').length).toBe(1);
    } finally {
      await h.close();
    }
  });

  it('lets the operator allow private targets (THREADLINE_WEBHOOK_ALLOW_PRIVATE)', async () => {
    const h = await startServer({ webhooks: { ...testConfig().webhooks, allowPrivate: true } });
    try {
      expect((await h.api('POST', '/v1/webhooks', { url: `http://127.0.0.1:${port}/` })).status).toBe(201);
    } finally {
      await h.close();
    }
  });
});
