/** A real reference server on 127.0.0.1 (SQLite in a temp dir) for integration tests, restartable on the same port. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServer, DEFAULT_RATE_LIMITS, type ServerConfig, type ThreadlineServer } from '@threadline/server';

export const API_KEY = 'tl_sk_core_test';
export const SECRET = 'core-test-secret';

export interface RealServer {
  url: string;
  port: number;
  server: ThreadlineServer | null;
  api<T = any>(method: string, p: string, body?: unknown): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
  start(): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startRealServer(overrides: Partial<ServerConfig> = {}): Promise<RealServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-core-'));
  const config: ServerConfig = {
    host: '127.0.0.1',
    port: 0,
    dataDir,
    maxUploadBytes: 1024 * 1024,
    rateLimits: { ...DEFAULT_RATE_LIMITS, visitorEvents: 100_000, connectionsPerIp: 100_000, openConnectionsPerIp: 100_000, agentEvents: 100_000, httpPerIp: 100_000, uploadsPerVisitor: 10_000 },
    demo: { apiKey: API_KEY, secret: SECRET, allowedOrigins: ['http://shop.test'] },
    webhooks: { baseMs: 50, maxAttempts: 1, timeoutMs: 1000 },
    logLevel: 'silent',
    trustProxy: false,
    ...overrides,
  };
  let server: ThreadlineServer | null = await createServer(config);
  await server.listen();
  const port = server.port;
  const rs: RealServer = {
    url: server.url,
    port,
    server,
    async api(method, p, body) {
      const headers: Record<string, string> = { authorization: `Bearer ${API_KEY}` };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${rs.url}${p}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    async stop() {
      const s = server;
      server = null;
      rs.server = null;
      await s?.close();
    },
    async start() {
      if (server) return;
      server = await createServer({ ...config, port });
      await server.listen();
      rs.server = server;
    },
    async restart() {
      await rs.stop();
      await rs.start();
    },
    async close() {
      await rs.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return rs;
}

/** Every message of a thread, from the brand API, ascending. */
export async function serverMessages(rs: RealServer, threadId: string): Promise<{ seq: number; text: string; clientId: string | null }[]> {
  const out: { seq: number; text: string; clientId: string | null }[] = [];
  let after = 0;
  for (;;) {
    const res = await rs.api('GET', `/v1/threads/${threadId}/messages?after=${after}&limit=200`);
    if (res.status !== 200) throw new Error(`list failed: ${res.status} ${JSON.stringify(res.body)}`);
    out.push(...res.body.items);
    if (!res.body.more) return out;
    after = out[out.length - 1]!.seq;
  }
}

/** Waits; for fault injection only (waiting for a condition is Vitest's `expect.poll` / `vi.waitFor`). */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
