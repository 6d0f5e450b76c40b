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
