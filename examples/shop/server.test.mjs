import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEMO_REPLY_TIME_MINUTES, demoSettingsFor, demoTeam } from './demo-settings.mjs';
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

it('shows a newcomer the full first screen: the shop’s name and logo in the boot options, its team and reply time in the app’s settings, every picture served by the shop', async () => {
  const site = demo.server.url.replace('127.0.0.1', 'localhost');
  const page = await (await fetch(`${demo.server.url}/`)).text();
  expect(page).toContain(`brandName: 'Northwind Outfitters', brandAvatarUrl: '${demo.server.url}/shop/img/logo.svg'`);
  const settings = await (await fetch(`${demo.server.url}/v1/availability`, { headers: { authorization: `Bearer ${demo.config.demo.apiKey}` } })).json();
  expect(settings.replyTimeMinutes).toBe(DEMO_REPLY_TIME_MINUTES);
  expect(settings.team.map((m) => m.name)).toEqual(['Maya', 'Leo', 'Sam']);
  for (const url of [`${demo.server.url}/shop/img/logo.svg`, ...settings.team.map((m) => m.avatarUrl)]) {
    expect(url.startsWith(site) || url.startsWith(demo.server.url)).toBe(true);
    const res = await fetch(url.replace(site, demo.server.url));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
  }
  // The page may show them, opened at localhost or at 127.0.0.1.
  const csp = (await fetch(`${demo.server.url}/`)).headers.get('content-security-policy');
  expect(csp).toContain(`img-src 'self' ${site} data: blob:`);
});

it('seeds the demo app’s settings only while nobody set any; the demo’s own team follows the shop to another port', () => {
  const unset = { hours: null, replyTimeMinutes: null, awayMessage: null };
  expect(demoSettingsFor(unset, 'http://localhost:3000')).toEqual({ replyTimeMinutes: 30, team: demoTeam('http://localhost:3000') });
  expect(demoSettingsFor({ ...unset, team: [] }, 'http://localhost:3000')).not.toBeNull();
  // Anything someone set is kept: a reply time alone, an away message, their own team.
  expect(demoSettingsFor({ ...unset, replyTimeMinutes: 120 }, 'http://localhost:3000')).toBeNull();
  expect(demoSettingsFor({ ...unset, awayMessage: 'Back on Monday' }, 'http://localhost:3000')).toBeNull();
  expect(demoSettingsFor({ ...unset, team: [{ name: 'Ana' }] }, 'http://localhost:3000')).toBeNull();
  const seeded = { ...unset, replyTimeMinutes: 45, team: demoTeam('http://localhost:3000') };
  expect(demoSettingsFor(seeded, 'http://localhost:3000')).toBeNull();
  expect(demoSettingsFor(seeded, 'http://localhost:4000')).toEqual({ ...seeded, team: demoTeam('http://localhost:4000') });
  // The demo's names with other pictures are someone's team.
  expect(demoSettingsFor({ ...unset, team: demoTeam('http://localhost:3000').map((m) => ({ ...m, avatarUrl: 'https://cdn.example/x.png' })) }, 'http://localhost:4000')).toBeNull();
});

it('keeps settings changed through the API across a restart', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-shop-keep-'));
  const env = { PORT: '0', HOST: '127.0.0.1', THREADLINE_DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
  const first = await startDemo(env);
  const headers = { authorization: `Bearer ${first.config.demo.apiKey}`, 'content-type': 'application/json' };
  const mine = { hours: null, replyTimeMinutes: 240, awayMessage: null, team: [{ name: 'Ana' }] };
  expect((await fetch(`${first.server.url}/v1/availability`, { method: 'PUT', headers, body: JSON.stringify(mine) })).status).toBe(200);
  await first.server.close();
  const second = await startDemo(env);
  try {
    expect(await (await fetch(`${second.server.url}/v1/availability`, { headers })).json()).toEqual(mine);
  } finally {
    await second.server.close();
  }
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
