/** Starts the real demo (shop + widget + reference server on SQLite) on a free port. */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { vi } from 'vitest';
import type { RuleEvaluation, ThreadlineServer } from '@threadline/server';
// The demo's own entry point, exactly what `pnpm start` runs.
import { startDemo } from '../../shop/server.mjs';

export const API_KEY = 'tl_sk_e2e_key';
export const SECRET = 'e2e-identity-secret';
const here = path.dirname(fileURLToPath(import.meta.url));

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface Demo {
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
  /** Starts the server again on the same port and data (after `stop`). */
  start(): Promise<void>;
  api<T = any>(method: string, p: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T }>;
  /** The first thread of `GET /v1/threads` that `match` accepts (newest first), once the server has one. */
  thread(match?: (thread: any) => boolean, timeout?: number): Promise<any>;
  /** Every evaluation of a campaign rule so far, in order, with its outcome (`pushed`, `capped`…). */
  ruleEvaluations: RuleEvaluation[];
}

export async function startDemoServer(options: { rulesDelayMs?: number; env?: Record<string, string> } = {}): Promise<Demo> {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-e2e-'));
  // The checkout rule as the shop configures it, with a shorter delay so the journey stays quick.
  const rules = JSON.parse(fs.readFileSync(path.join(here, '../../shop/rules.json'), 'utf8'));
  if (options.rulesDelayMs !== undefined) for (const r of rules.rules) r.delayMs = options.rulesDelayMs;
  const rulesFile = path.join(dataDir, 'rules.json');
  fs.writeFileSync(rulesFile, JSON.stringify(rules));
  const env = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    THREADLINE_DATA_DIR: dataDir,
    THREADLINE_DEMO_API_KEY: API_KEY,
    THREADLINE_DEMO_SECRET: SECRET,
    THREADLINE_RULES_FILE: rulesFile,
    LOG_LEVEL: 'warn',
    // The demo's order bot answers every new thread: only the journeys about it turn it on.
    THREADLINE_DEMO_BOT: '0',
    ...options.env,
  };
  let running: { server: ThreadlineServer } | null = null;
  const demo: Demo = {
    url: `http://localhost:${port}`,
    port,
    dataDir,
    ruleEvaluations: [],
    async start() {
      running = await startDemo(env);
      running!.server.rules?.subscribe((evaluation) => demo.ruleEvaluations.push(evaluation));
    },
    async stop() {
      await running?.server.close();
      running = null;
    },
    async api(method, p, body, headers = {}) {
      const res = await fetch(`http://127.0.0.1:${port}${p}`, {
        method,
        headers: { authorization: `Bearer ${API_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    thread(match = () => true, timeout = 10_000) {
      return vi.waitFor(
        async () => {
          const thread = (await demo.api('GET', '/v1/threads')).body.items.find(match);
          if (!thread) throw new Error('no such thread on the server yet');
          return thread;
        },
        { timeout, interval: 100 },
      );
    },
  };
  await demo.start();
  return demo;
}
