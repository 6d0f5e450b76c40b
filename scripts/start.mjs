#!/usr/bin/env node
// `pnpm start`: builds what is missing or stale, then runs the demo: the reference server serving
// the shop, the widget, the agent console and the headless example. A built tree starts in about a second; the first run builds every package.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIfStale } from './build-if-stale.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

buildIfStale();

const child = spawn(process.execPath, [path.join(root, 'examples/shop/server.mjs')], { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
