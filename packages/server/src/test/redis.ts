/**
 * Redis for the tests that run several server nodes (vitest.cluster.config.ts). Every group of
 * nodes gets a key prefix of its own, and deletes its keys when it closes.
 */
import net from 'node:net';
import { randomBytes } from 'node:crypto';

/** The Redis the tests use. */
export const REDIS_URL = process.env.THREADLINE_TEST_REDIS_URL || 'redis://127.0.0.1:6379';

/** `host:port` of REDIS_URL, for messages. */
export const REDIS_HOST = (() => {
  const url = new URL(REDIS_URL);
  return `${url.hostname || '127.0.0.1'}:${url.port || 6379}`;
})();

/**
 * Sends one inline command and resolves with the first reply line. Plain TCP, so finding out
 * whether Redis answers needs no client library loaded into the config.
 */
function command(line: string, timeoutMs = 2000): Promise<string> {
  const url = new URL(REDIS_URL);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: url.hostname || '127.0.0.1', port: Number(url.port || 6379) });
    const timer = setTimeout(() => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    let buffered = '';
    socket.on('connect', () => {
      if (url.password) socket.write(`AUTH ${decodeURIComponent(url.username || 'default')} ${decodeURIComponent(url.password)}\r\n`);
      socket.write(`${line}\r\n`);
    });
    socket.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\r\n').filter(Boolean);
      const last = url.password ? lines[1] : lines[0];
      if (last !== undefined) {
        clearTimeout(timer);
        socket.end();
        resolve(last);
      }
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** Null when Redis answers PING at REDIS_URL; otherwise why it does not. */
export async function whyRedisUnusable(): Promise<string | null> {
  try {
    const reply = await command('PING');
    return reply === '+PONG' ? null : `PING answered ${reply}`;
  } catch (err) {
    return err instanceof Error ? err.message || (err as { code?: string }).code || err.name : String(err);
  }
}

/** A key prefix of its own for one group of nodes, e.g. `threadline-test:3f9a…:`. */
export function newRedisPrefix(): string {
  return `threadline-test:${randomBytes(6).toString('hex')}:`;
}

/** Deletes every key under `prefix` (SCAN + UNLINK over one plain connection). */
export async function dropRedisPrefix(prefix: string): Promise<void> {
  if (!/^[\w:.-]+$/.test(prefix)) throw new Error(`unsafe Redis prefix ${prefix}`);
  // EVAL keeps it to one round trip: scan and unlink server-side.
  const script = "local c='0' repeat local r=redis.call('SCAN',c,'MATCH',ARGV[1],'COUNT',1000) c=r[1] for _,k in ipairs(r[2]) do redis.call('UNLINK',k) end until c=='0' return 1";
  await command(`EVAL "${script}" 0 ${prefix}*`);
}

/**
 * A TCP relay to REDIS_URL on loopback: counts the client connections through it (`open`), and
 * can drop them all and refuse new ones for a while (`down` … `up`) — a network blip between one
 * node and Redis, with Redis itself untouched (other suites share it).
 */
export async function redisRelay(): Promise<{ url: string; open(): number; down(): void; up(): void; close(): Promise<void> }> {
  const target = new URL(REDIS_URL);
  const clients = new Set<net.Socket>();
  const sockets = new Set<net.Socket>();
  let refusing = false;
  const server = net.createServer((client) => {
    if (refusing) return void client.destroy();
    const upstream = net.connect({ host: target.hostname || '127.0.0.1', port: Number(target.port || 6379) });
    clients.add(client);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        sockets.delete(s);
        clients.delete(client);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = new URL(REDIS_URL);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as net.AddressInfo).port);
  return {
    url: url.toString(),
    open: () => clients.size,
    down() {
      refusing = true;
      for (const s of sockets) s.destroy();
    },
    up() {
      refusing = false;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
