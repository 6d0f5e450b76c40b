/**
 * Test harness: a real server on 127.0.0.1 with a real database, and real socket.io clients. The
 * database is an SQLite file, or with THREADLINE_TEST_DB=postgres (the `server-postgres` project,
 * vitest.postgres.config.ts) a new PostgreSQL database per server, dropped when it closes: the same
 * suite proves both engines.
 */
import fs from 'node:fs';
import { inject, vi } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import { io as ioClient, type Socket } from 'socket.io-client';
import { v7 as uuidv7 } from 'uuid';
import { PROTOCOL_VERSION, type Ack, type ClientEvents, type ServerEvents, type Session } from '@threadline/protocol';
import { createServer, type CreateServerOptions, type ThreadlineServer } from '../server.js';
import { DEFAULT_RATE_LIMITS, type ServerConfig } from '../config.js';
import type { Engine } from '../db/engine.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';

export const API_KEY = 'tl_sk_test_key';
export const SECRET = 'test-identity-secret';

export type VisitorSocket = Socket<ServerEvents, ClientEvents>;

/** The engine this run of the suite tests. */
export const TEST_ENGINE: Engine = process.env.THREADLINE_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';

/**
 * A database of its own for one test server: on PostgreSQL a new one (to drop after), on SQLite
 * none (the server makes its file in its data dir).
 */
export async function testDatabase(): Promise<TestDatabase | null> {
  return TEST_ENGINE === 'postgres' ? createTestDatabase(inject('postgresPrefix')) : null;
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-test-'));
}

export function testConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    dataDir: tempDir(),
    maxUploadBytes: 1024 * 1024,
    rateLimits: { ...DEFAULT_RATE_LIMITS, visitorEvents: 10_000, connectionsPerIp: 10_000, httpPerIp: 10_000, uploadsPerVisitor: 1000 },
    demo: { apiKey: API_KEY, secret: SECRET, allowedOrigins: ['http://shop.test'] },
    // Test receivers listen on loopback.
    webhooks: { baseMs: 50, maxAttempts: 5, timeoutMs: 2000, allowPrivate: true },
    logLevel: 'silent',
    trustProxy: false,
    ...overrides,
  };
}

export interface Harness {
  server: ThreadlineServer;
  config: ServerConfig;
  url: string;
  /** Calls the HTTP API with the demo API key unless `auth` is given (null: no header). */
  api<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>, auth?: string | null): Promise<{ status: number; body: T; headers: Headers }>;
  /** Closes and reopens the server on the same data dir and port. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startServer(overrides: Partial<ServerConfig> = {}, options: CreateServerOptions = {}): Promise<Harness> {
  const database = overrides.databaseUrl || options.db ? null : await testDatabase();
  const config = testConfig(database ? { databaseUrl: database.url, ...overrides } : overrides);
  let server: ThreadlineServer;
  try {
    server = await createServer(config, options);
    await server.listen();
  } catch (err) {
    await database?.drop();
    throw err;
  }
  const harness: Harness = {
    server,
    config,
    url: server.url,
    async api(method, p, body, headers = {}, auth = API_KEY) {
      const h: Record<string, string> = { ...headers };
      if (auth) h.authorization = `Bearer ${auth}`;
      if (body !== undefined) h['content-type'] = 'application/json';
      const res = await fetch(`${harness.url}${p}`, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
    },
    async restart() {
      const port = server.port;
      await server.close();
      server = await createServer({ ...config, port }, options);
      await server.listen();
      harness.server = server;
    },
    async close() {
      try {
        await server.close();
      } finally {
        await database?.drop();
      }
    },
  };
  return harness;
}

export interface ConnectOptions {
  token?: string;
  userId?: string;
  userHash?: string;
  jwt?: string;
  name?: string;
  email?: string;
  origin?: string;
  v?: number;
  appId?: string;
}

export interface Visitor {
  socket: VisitorSocket;
  session: Session;
  /** Emits with an ack and a timeout; resolves with the ack. */
  call<E extends keyof ClientEvents>(event: E, payload: Parameters<ClientEvents[E]>[0]): Promise<any>;
  /** Resolves with the next `event` the server sends (or rejects after a timeout). */
  next<E extends keyof ServerEvents>(event: E, timeoutMs?: number): Promise<Parameters<ServerEvents[E]>[0]>;
  /** Every `event` received so far. */
  received: { [E in keyof ServerEvents]?: Parameters<ServerEvents[E]>[0][] };
  close(): void;
}

export class ConnectError extends Error {
  constructor(readonly data: { code: string; message: string; retryAfterMs?: number } | undefined) {
    super(data?.message ?? 'connect_error');
  }
}

export function connect(url: string, opts: ConnectOptions = {}): Promise<Visitor> {
  const { origin, v, appId, ...rest } = opts;
  const socket: VisitorSocket = ioClient(url, {
    auth: { appId: appId ?? 'demo', v: v ?? PROTOCOL_VERSION, ...rest },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: origin ? { origin } : undefined,
  });
  const received: Visitor['received'] = {};
  for (const e of ['message', 'thread', 'read', 'typing', 'proactive', 'session'] as const) {
    socket.on(e as any, (payload: any) => {
      ((received as any)[e] ??= []).push(payload);
    });
  }
  return new Promise((resolve, reject) => {
    socket.once('connect_error', (err: Error & { data?: any }) => {
      socket.close();
      reject(new ConnectError(err.data));
    });
    socket.once('session', (session) => {
      resolve({
        socket,
        session,
        received,
        call: (event, payload) =>
          new Promise((res, rej) => {
            (socket.timeout(5000) as any).emit(event, payload, (err: Error | null, ack: Ack<object>) => (err ? rej(err) : res(ack)));
          }),
        next: (event, timeoutMs = 3000) =>
          new Promise((res, rej) => {
            const timer = setTimeout(() => rej(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
            socket.once(event as any, (payload: any) => {
              clearTimeout(timer);
              res(payload);
            });
          }),
        close: () => socket.close(),
      });
    });
  });
}

export const newId = () => uuidv7();

/** Sends a text message, creating the thread when asked. */
export function send(v: Visitor, threadId: string, text: string, extra: Record<string, unknown> = {}) {
  return v.call('message.send', { threadId, clientId: newId(), text, ...extra } as any);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What `eventually` resolves with: `check`'s value once it is truthy. */
export type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

/** Polls `check` until it returns truthy or the timeout passes. */
/** Vitest's `vi.waitFor`, passing once `check` returns something truthy (which it returns). */
export function eventually<T>(check: () => T | Promise<T>, timeoutMs = 3000): Promise<Truthy<T>> {
  return vi.waitFor(
    async () => {
      const v = await check();
      if (!v) throw new Error('condition not met yet');
      return v as Truthy<T>;
    },
    { timeout: timeoutMs, interval: 20 },
  );
}
