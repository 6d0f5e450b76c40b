import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDemo } from './server.mjs';

const consoleBuilt = fs.existsSync(path.join(import.meta.dirname, '../agent-console/dist/index.html'));
let demo;

beforeAll(async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-shop-'));
  demo = await startDemo({ PORT: '0', HOST: '127.0.0.1', THREADLINE_DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
});
afterAll(() => demo?.server.close());

it('redirects /agent to /agent/, keeping the query, with the console headers', async () => {
  for (const [from, to] of [['/agent', '/agent/'], ['/agent?lang=de', '/agent/?lang=de']]) {
    const res = await fetch(`${demo.server.url}${from}`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe(to);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
  }
});

it('lands on the agent console, served with its strict policy', async () => {
  const res = await fetch(`${demo.server.url}/agent`);
  expect(res.url).toBe(`${demo.server.url}/agent/`);
  if (!consoleBuilt) {
    // Only before `pnpm build` (which `pnpm test` runs first): the page says so.
    expect(res.status).toBe(404);
    return;
  }
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  const csp = res.headers.get('content-security-policy');
  for (const directive of ["default-src 'none'", "script-src 'self'", "frame-ancestors 'none'"]) expect(csp).toContain(directive);
  expect(res.headers.get('x-frame-options')).toBe('DENY');
});

it('describes the API alone in /v1/openapi.json, none of the shop’s own routes', async () => {
  const spec = await (await fetch(`${demo.server.url}/v1/openapi.json`)).json();
  const paths = Object.keys(spec.paths);
  expect(paths).toContain('/v1/threads');
  expect(paths).toContain('/health');
  for (const shopRoute of ['/', '/product/{id}', '/cart', '/checkout', '/shop/catalog.json', '/demo/session', '/demo/sign-in', '/demo/sign-out', '/agent']) {
    expect(paths).not.toContain(shopRoute);
  }
  expect(paths.filter((p) => p !== '/health' && !p.startsWith('/v1/'))).toEqual([]);
});

// Ctrl+C in a terminal signals the whole foreground process group: pnpm, the start script and the
// server alike. A stop asked for is a success: exit code 0, and pnpm reports no failed command.
for (const [label, command, args] of [
  ['the demo process', process.execPath, [path.join(import.meta.dirname, 'server.mjs')]],
  ['`pnpm start`', 'pnpm', ['start']],
]) {
  it(`stops with exit code 0 on Ctrl+C, run as ${label}`, async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-shop-stop-'));
    const child = spawn(command, args, {
      cwd: path.resolve(import.meta.dirname, '../..'),
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', THREADLINE_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
      // Its own process group, as a terminal gives a foreground job.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    await new Promise((resolve, reject) => {
      const read = (chunk) => {
        output += chunk;
        if (output.includes('Threadline demo is running')) resolve();
      };
      child.stdout.on('data', read);
      child.stderr.on('data', read);
      exited.then(() => reject(new Error(`exited before its banner:\n${output}`)));
    });
    process.kill(-child.pid, 'SIGINT');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(output).not.toMatch(/ELIFECYCLE|Command failed/);
  }, 120_000);
}
