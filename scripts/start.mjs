#!/usr/bin/env node
// `pnpm start`: builds what is missing or stale, then runs the demo: the reference server serving
// the shop, the widget, the agent console and the headless example. A built tree starts in about a second; the first run builds every package.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIfStale } from './build-if-stale.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// A stop asked for (Ctrl+C, SIGTERM) ends with exit code 0, so pnpm reports no failure. Ctrl+C
// signals the whole process group: the shop server gets it from the terminal, and again from
// here and from pnpm, so it stops once whatever the count. (The root package.json runs this file
// with `exec`: a `sh -c` left in between, dash on Debian, would itself die of the SIGINT and pnpm
// would call that a failure whatever this script returns.)
const STOP = ['SIGINT', 'SIGTERM'];
let child = null;
for (const signal of STOP) process.on(signal, () => child?.kill(signal));

buildIfStale();

child = spawn(process.execPath, [path.join(root, 'examples/shop/server.mjs')], { cwd: root, stdio: 'inherit' });
// Killed by one of them before it set its own handlers (Ctrl+C while it was starting): stopped as asked too.
child.on('exit', (code, signal) => process.exit(code ?? (STOP.includes(signal) ? 0 : 1)));
