import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { API_KEY, SECRET, TEST_ENGINE, connect, eventually, newId, send, tempDir, testDatabase } from './test/harness.js';
import type { TestDatabase } from './test/postgres.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/bin.js');
const children: ChildProcess[] = [];
const databases: TestDatabase[] = [];

/** What selects this run's engine for a process: on PostgreSQL, a new database for the test. */
async function engineEnv(): Promise<Record<string, string>> {
  const database = await testDatabase();
  if (!database) return {};
  databases.push(database);
  return { THREADLINE_DATABASE_URL: database.url };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function startProcess(dataDir: string, port: number, env: Record<string, string> = {}) {
  if (!fs.existsSync(BIN)) throw new Error(`${BIN} is missing: run "pnpm build" first (the test command does)`);
  const child = spawn(process.execPath, [BIN], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', THREADLINE_DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  // A process start (migrations included) takes a second or two; far longer on a busy machine.
  await eventually(() => output.includes('listening on'), 30_000).catch(() => {
    throw new Error(`server did not start:\n${output}`);
  });
  return { child, url: `http://127.0.0.1:${port}`, output: () => output };
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', (code) => r(code))));

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  // Dropped WITH (FORCE): connections of a process still dying are cut.
  for (const d of databases.splice(0)) await d.drop();
});

describe('threadline-server process', { timeout: 120_000 }, () => {
  it('creates the demo app on first start and prints its credentials, then reuses them', async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const engine = await engineEnv();
    const first = await startProcess(dataDir, port, engine);
    const key = /API key:\s+(tl_sk_\S+)/.exec(first.output())?.[1];
    expect(key).toBeTruthy();
    expect(fs.existsSync(path.join(dataDir, 'threadline.sqlite'))).toBe(TEST_ENGINE === 'sqlite');
    const ok = await fetch(`${first.url}/v1/threads`, { headers: { authorization: `Bearer ${key}` } });
    expect(ok.status).toBe(200);
    first.child.kill('SIGTERM');
    expect(await exited(first.child)).toBe(0);
    const second = await startProcess(dataDir, port, engine);
    const again = await fetch(`${second.url}/v1/threads`, { headers: { authorization: `Bearer ${key}` } });
    expect(again.status).toBe(200);
  });

  it('shuts down cleanly on SIGTERM and keeps every acknowledged message', async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const env = { THREADLINE_DEMO_API_KEY: API_KEY, THREADLINE_DEMO_SECRET: SECRET, ...(await engineEnv()) };
    const first = await startProcess(dataDir, port, env);
    expect(first.output()).toContain(`API key:   ${API_KEY}`);
    const v = await connect(first.url);
    const threadId = newId();
    await send(v, threadId, 'm0', { create: true });
    for (let i = 1; i < 20; i++) await send(v, threadId, `m${i}`);
    v.close();
    first.child.kill('SIGTERM');
    expect(await exited(first.child)).toBe(0);

    const second = await startProcess(dataDir, port, env);
    const res = await fetch(`${second.url}/v1/threads/${threadId}/messages?limit=100`, { headers: { authorization: `Bearer ${API_KEY}` } });
    const body = (await res.json()) as any;
    expect(body.items.map((m: any) => m.text)).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
  });

  it('loses no acknowledged message when killed with SIGKILL mid-stream', async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const env = { THREADLINE_DEMO_API_KEY: API_KEY, THREADLINE_DEMO_SECRET: SECRET, ...(await engineEnv()) };
    const first = await startProcess(dataDir, port, env);
    const v = await connect(first.url);
    const threadId = newId();
    await send(v, threadId, 'start', { create: true });
    const acked: string[] = ['start'];
    let stop = false;
    const writer = (async () => {
      for (let i = 0; !stop; i++) {
        const ack = await send(v, threadId, `m${i}`).catch(() => null);
        if (!ack) break;
        if (ack.ok) acked.push(`m${i}`);
      }
    })();
    await eventually(() => acked.length > 30, 10_000);
    first.child.kill('SIGKILL');
    stop = true;
    await writer;
    v.close();

    const second = await startProcess(dataDir, port, env);
    const res = await fetch(`${second.url}/v1/threads/${threadId}/messages?limit=200`, { headers: { authorization: `Bearer ${API_KEY}` } });
    const stored = ((await res.json()) as any).items.map((m: any) => m.text);
    // Every acknowledged message is there, in order; at most the one in flight may also be stored.
    expect(stored.slice(0, acked.length)).toEqual(acked);
    expect(stored.length - acked.length).toBeLessThanOrEqual(1);
  });
});
