// Starts the reference server (`threadline-server`, packages/server/dist/bin.js) as a child process
// on 127.0.0.1 with its embedded SQLite in a temporary data directory.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVER_DIR } from './common.mjs';

export const SERVER_BIN = join(SERVER_DIR, 'dist', 'bin.js');
export const DEMO_API_KEY = 'tl_bench_api_key_0123456789abcdef';
export const DEMO_SECRET = 'bench-secret-0123456789abcdef0123456789';

export function serverBuilt() {
  return existsSync(SERVER_BIN);
}

/**
 * Start (or restart, with the same `dataDir` and `port`) the server. Resolves once it prints its
 * URL. `env` adds to the environment (rate limits, origins).
 */
export async function startServer({ dataDir, port = 0, origins = [], env = {}, log = () => {} } = {}) {
  if (!serverBuilt()) throw new Error('packages/server/dist/bin.js is not built (run `pnpm build`)');
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'threadline-bench-'));
  const child = spawn(process.execPath, [SERVER_BIN], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      THREADLINE_DATA_DIR: dir,
      THREADLINE_DEMO_API_KEY: DEMO_API_KEY,
      THREADLINE_DEMO_SECRET: DEMO_SECRET,
      THREADLINE_TOKEN_KEY: 'bench-token-key-0123456789abcdef0123456789',
      LOG_LEVEL: 'warn',
      ...(origins.length ? { THREADLINE_DEMO_ORIGINS: origins.join(',') } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within 20 s:\n${out}`)), 20_000);
    const onData = (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/[^\s]+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d) => {
      out += d;
      log(String(d).trimEnd());
    });
    child.on('exit', (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? sig}) before listening:\n${out}`));
    });
  });
  const actualPort = Number(new URL(url).port);
  return {
    url,
    port: actualPort,
    dataDir: dir,
    child,
    pid: child.pid,
    /** Graceful stop (SIGTERM). */
    async stop() {
      if (child.exitCode !== null || child.signalCode) return;
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null && !child.signalCode) child.kill('SIGKILL');
    },
    /** Crash it: kill -9. */
    async kill9() {
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await done;
    },
    cleanup() {
      if (!dataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
