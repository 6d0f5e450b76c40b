// Builds the packages whose sources are newer than their dist/ (all of them on a fresh clone):
// what `pnpm start` and `pnpm start:cluster` do before they run anything.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// Tests are not built (the packages' tsconfig leaves them out): a test edited since the last build
// must not make its package stale, as the build then writes nothing newer and every start would
// build again.
const TEST_FILE = /^test[\\/]|\.test(-d)?\.[cm]?[jt]sx?$/;

function newest(dir, { skipTests = false } = {}) {
  let latest = 0;
  if (!fs.existsSync(dir)) return 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath ?? entry.path, entry.name);
    if (full.includes('node_modules')) continue;
    if (skipTests && TEST_FILE.test(path.relative(dir, full))) continue;
    latest = Math.max(latest, fs.statSync(full).mtimeMs);
  }
  return latest;
}

export function buildIfStale() {
  const packages = ['packages', 'examples']
    .flatMap((group) => fs.readdirSync(path.join(root, group)).map((name) => path.join(root, group, name)))
    .filter((dir) => fs.existsSync(path.join(dir, 'package.json')));
  const stale = packages.filter((dir) => {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    if (!pkg.scripts?.build) return false;
    const built = newest(path.join(dir, 'dist'));
    return built === 0 || newest(path.join(dir, 'src'), { skipTests: true }) > built;
  });
  if (stale.length) {
    // tsc -b trusts its build info: without dist/ it must not think the package is up to date.
    for (const dir of stale) fs.rmSync(path.join(dir, 'tsconfig.tsbuildinfo'), { force: true });
    console.log(`Building ${stale.map((d) => path.basename(d)).join(', ')}…`);
    const res = spawnSync('pnpm', ['build'], { cwd: root, stdio: 'inherit' });
    if (res.status !== 0) process.exit(res.status ?? 1);
  }
}
