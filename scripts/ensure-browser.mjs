#!/usr/bin/env node
// The end-to-end journeys and browser benchmarks run in Debian's Chromium (no browser downloads:
// the machine reaches only the npm registry and Debian's packages). Installs it when missing and
// we are root with apt; otherwise says what to do.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (fs.existsSync(path)) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
if (!isRoot || !hasApt) {
  console.error(`Chromium is needed for the browser tests and was not found at ${path}.
Install Debian's package (sudo apt-get install -y chromium) or set CHROMIUM_PATH.`);
  process.exit(1);
}
console.log('Installing Chromium from Debian packages for the browser tests…');
const run = (cmd) => spawnSync('sh', ['-c', cmd], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status;
if (run('apt-get update -qq') !== 0 || run('apt-get install -y -qq chromium') !== 0 || !fs.existsSync(path)) {
  console.error('Installing Chromium failed.');
  process.exit(1);
}
