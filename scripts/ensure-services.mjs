#!/usr/bin/env node
// The server's suites on PostgreSQL, the multi-node suites (PostgreSQL + Redis) and the cluster
// suite behind nginx need those three on loopback. Like Chromium (ensure-browser.mjs): when one is
// missing and we are root with apt, install it and start it; otherwise leave it, and the suites
// that need it are skipped with one line each (or fail under THREADLINE_REQUIRE_SERVICES=1, as in
// CI). A service we did not install is never reconfigured: only started when it is stopped.
//
// Services looked for: PostgreSQL on 127.0.0.1:5432 (trust auth for `postgres`, database `test`),
// Redis on 127.0.0.1:6379, the nginx binary. THREADLINE_ENSURE_SERVICES=0 skips all of this.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

if (process.env.THREADLINE_ENSURE_SERVICES === '0') process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
const sh = (cmd, quiet = false) => spawnSync('sh', ['-c', cmd], { stdio: quiet ? 'ignore' : 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
const has = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;

function listening(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

async function waitListening(port, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await listening(port)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

let aptUpdated = false;
function aptInstall(packages) {
  if (!aptUpdated) aptUpdated = sh('apt-get update -qq');
  return aptUpdated && sh(`apt-get install -y -qq ${packages}`);
}

const clusters = () => (fs.existsSync('/etc/postgresql') ? fs.readdirSync('/etc/postgresql') : []);

async function ensurePostgres() {
  if (await listening(5432)) return;
  let installedNow = false;
  if (!clusters().length) {
    console.log('Installing PostgreSQL from Debian packages for the server suites on PostgreSQL…');
    if (!aptInstall('postgresql')) return console.error('Installing PostgreSQL failed: its suites will be skipped.');
    installedNow = true;
  }
  const [version] = clusters();
  if (installedNow) {
    // A server installed just now, holding nothing: let local TCP connections in without a
    // password, as the suites expect (THREADLINE_TEST_POSTGRES_URL names another server).
    const hba = `/etc/postgresql/${version}/main/pg_hba.conf`;
    fs.writeFileSync(hba, `local all postgres peer\nlocal all all peer\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n`);
  }
  sh(`pg_ctlcluster --skip-systemctl-redirect ${version} main start`);
  if (!(await waitListening(5432))) return console.error('PostgreSQL did not start: its suites will be skipped.');
  if (installedNow) sh(`su postgres -c "createdb test"`, true);
}

async function ensureRedis() {
  if (await listening(6379)) return;
  if (!has('redis-server')) {
    console.log('Installing Redis from Debian packages for the multi-node suites…');
    if (!aptInstall('redis-server')) return console.error('Installing Redis failed: the multi-node suites will be skipped.');
  }
  // Loopback only, nothing kept on disk: a scratch Redis for the tests.
  sh('redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no', true);
  if (!(await waitListening(6379))) console.error('Redis did not start: the multi-node suites will be skipped.');
}

function ensureNginx() {
  if (fs.existsSync('/usr/sbin/nginx') || has('nginx')) return;
  console.log('Installing nginx from Debian packages for the cluster suite…');
  if (!aptInstall('nginx')) console.error('Installing nginx failed: the cluster suite will be skipped.');
}

if (isRoot && hasApt) {
  await ensurePostgres();
  await ensureRedis();
  ensureNginx();
}
