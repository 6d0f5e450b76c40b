// The demo shop as `pnpm start` runs it (examples/shop/server.mjs: the reference server on a
// temporary SQLite data dir, on a free port on 127.0.0.1, with the order bot unless `env` says
// THREADLINE_DEMO_BOT=0), in a child process so that the benchmark's own work in this process
// never delays the server's answers.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT_DIR } from './common.mjs';

const DEMO = join(ROOT_DIR, 'examples', 'shop', 'server.mjs');

/** Resolves to `{ origin, stop() }` once the demo prints its address. */
export async function startShop({ env = {} } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-demo-'));
  // A port chosen here, not 0: the demo allows its own origin (http://localhost:PORT and
  // 127.0.0.1) for the widget's socket, which it can only name with the port it was given.
  const port = await freePort();
  const child = spawn(process.execPath, [DEMO], {
    cwd: ROOT_DIR,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', THREADLINE_DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const origin = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo shop did not start within 30 s:\n${out}`)), 30_000);
    const onData = (d) => {
      out += d;
      const m = out.match(/Shop:\s+(http:\/\/\S+?)\/?\s/);
      if (m) {
        clearTimeout(timer);
        // 127.0.0.1, not localhost: one address family, and the benchmark browser resolves nothing else.
        resolve(m[1].replace('//localhost', '//127.0.0.1'));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d) => (out += d));
    // BENCH_DEMO_STDERR=1: the demo's warnings (e.g. the order bot's) on this process's stderr.
    if (process.env.BENCH_DEMO_STDERR) child.stderr.pipe(process.stderr);
    child.once('exit', (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`the demo shop exited (${code ?? sig}) before listening:\n${out}`));
    });
  });
  return {
    origin,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}
