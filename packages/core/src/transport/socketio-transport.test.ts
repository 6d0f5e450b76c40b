import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '@threadline/protocol';
import { startRealServer, type RealServer } from '../test/real-server.js';
import { startNetworkProxy } from '../test/network-proxy.js';
import { socketIoTransport } from './socketio-transport.js';
import type { Transport, TransportEvent } from './transport.js';

/** An HTTP proxy in front of the real server that can refuse WebSocket upgrades, as some corporate proxies do. */
async function startProxy(target: number, blockUpgrades: boolean) {
  const seen = { polling: 0, upgrades: 0 };
  const server = http.createServer((req, res) => {
    if (req.url?.includes('transport=polling')) seen.polling++;
    const upstream = http.request({ host: '127.0.0.1', port: target, path: req.url, method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('upgrade', (req, socket: net.Socket, head: Buffer) => {
    seen.upgrades++;
    if (blockUpgrades) return void socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
    const upstream = net.connect(target, '127.0.0.1', () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(lines.join('\r\n') + '\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function open(url: string): { transport: Transport; events: TransportEvent[] } {
  const events: TransportEvent[] = [];
  const transport = socketIoTransport({ reconnectionDelay: 50, reconnectionDelayMax: 200 })({ serverUrl: url });
  transport.on((e) => events.push(e));
  transport.connect(() => ({ appId: 'demo', v: PROTOCOL_VERSION }));
  return { transport, events };
}

let rs: RealServer;
beforeAll(async () => {
  rs = await startRealServer();
});
afterAll(async () => {
  await rs?.close();
});

describe('socketIoTransport', () => {
  it('connects over WebSocket without ever making a long-polling request', async () => {
    const proxy = await startProxy(rs.port, false);
    const { transport, events } = open(proxy.url);
    try {
      await expect.poll(() => events.some((e) => e.type === 'session'), { timeout: 10_000, message: 'session' }).toBe(true);
      const res = await transport.request('sync', { cursors: {}, limit: 10 }, 5000);
      expect(res.ok).toBe(true);
      expect(proxy.seen.upgrades).toBe(1);
      expect(proxy.seen.polling).toBe(0);
    } finally {
      transport.close();
      await proxy.close();
    }
  });

  it('falls back to long-polling when WebSocket upgrades are refused, and works over it', async () => {
    const proxy = await startProxy(rs.port, true);
    const { transport, events } = open(proxy.url);
    try {
      await expect.poll(() => events.some((e) => e.type === 'session'), { timeout: 15_000, message: 'session over long-polling' }).toBe(true);
      expect(proxy.seen.upgrades).toBeGreaterThanOrEqual(2);
      expect(proxy.seen.polling).toBeGreaterThan(0);
      const res = await transport.request('sync', { cursors: {}, limit: 10 }, 5000);
      expect(res.ok).toBe(true);
      expect(events.some((e) => e.type === 'refused')).toBe(false);
    } finally {
      transport.close();
      await proxy.close();
    }
  });

  it('does not fall back when the server refuses the visitor (a refusal is an answer)', async () => {
    const proxy = await startProxy(rs.port, false);
    const events: TransportEvent[] = [];
    const transport = socketIoTransport({ reconnectionDelay: 50, reconnectionDelayMax: 200 })({ serverUrl: proxy.url });
    transport.on((e) => events.push(e));
    transport.connect(() => ({ appId: 'no-such-app', v: PROTOCOL_VERSION }));
    try {
      await expect.poll(() => events.some((e) => e.type === 'refused'), { timeout: 10_000, message: 'refusal' }).toBe(true);
      expect(proxy.seen.polling).toBe(0);
    } finally {
      transport.close();
      await proxy.close();
    }
  });

  it('finds a connection that stopped forwarding without closing when an ack is late, and reconnects on a fresh one', async () => {
    const proxy = await startNetworkProxy(rs.port);
    const { transport, events } = open(proxy.url);
    try {
      await expect.poll(() => events.some((e) => e.type === 'session'), { timeout: 10_000, message: 'session' }).toBe(true);
      proxy.stall();
      // The request goes into the black hole; the probe that its late ack triggers gets no answer
      // either, so the connection is dropped and socket.io opens a new one through the proxy.
      const lost = await transport.request('sync', { cursors: {}, limit: 10 }, 20_000);
      expect(lost).toMatchObject({ ok: false, error: { code: 'timeout' } });
      await expect.poll(() => events.filter((e) => e.type === 'session').length, { timeout: 10_000, message: 'a second session' }).toBe(2);
      expect(events.some((e) => e.type === 'disconnected')).toBe(true);
      expect((await transport.request('sync', { cursors: {}, limit: 10 }, 5000)).ok).toBe(true);
    } finally {
      transport.close();
      await proxy.close();
    }
  });

  it('answers verify with true on a live connection and false (then reconnects) on a black-holed one', async () => {
    const proxy = await startNetworkProxy(rs.port);
    const { transport, events } = open(proxy.url);
    try {
      await expect.poll(() => events.some((e) => e.type === 'session'), { timeout: 10_000, message: 'session' }).toBe(true);
      expect(await transport.verify!(3000)).toBe(true);
      proxy.stall();
      expect(await transport.verify!(500)).toBe(false);
      await expect.poll(() => events.filter((e) => e.type === 'session').length, { timeout: 10_000, message: 'a second session' }).toBe(2);
      expect(await transport.verify!(3000)).toBe(true);
    } finally {
      transport.close();
      await proxy.close();
    }
  });
});
