// pnpm bench — every benchmark in one run, then docs/performance.md from the results.
// BENCH_PRESET=ci for the server's short preset (default: full). BENCH_NO_DOCS=1 prints only.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { ROOT_DIR, machineInfo } from './lib/common.mjs';
import { runSize } from './size.mjs';
import { runLoad } from './load.mjs';
import { runStorage } from './storage.mjs';
import { runServer } from './server.mjs';

const preset = process.env.BENCH_PRESET || 'full';
const started = Date.now();
const sections = [];
const step = async (title, command, fn) => {
  const t0 = Date.now();
  console.error(`\n▶ ${title}`);
  try {
    const { md } = await fn();
    sections.push({ title, command, md, secs: (Date.now() - t0) / 1000 });
  } catch (err) {
    console.error(err);
    sections.push({ title, command, md: `Failed in this run: ${String(err?.message ?? err).split('\n')[0]}`, secs: (Date.now() - t0) / 1000 });
  }
};

await step('Bundle size', 'pnpm bench:size', () => runSize());
await step('Page-load cost', 'pnpm bench:load', () => runLoad());
await step('Storage', 'pnpm bench:storage', () => runStorage());
await step(`Server load (preset ${preset})`, `pnpm bench:server -- --preset ${preset}`, () => runServer({ preset }));

const total = (Date.now() - started) / 1000;
const m = machineInfo();
const commit = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT_DIR, encoding: 'utf8' }).trim();
  } catch {
    return '?';
  }
})();
const chromium = (() => {
  try {
    return execFileSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return 'Chromium (version unknown)';
  }
})();

const doc = `# Performance

Figures printed by \`pnpm bench\` (${total < 90 ? `${total.toFixed(0)} s` : `${(total / 60).toFixed(1)} min`} for this run), Threadline beside peers
measured **in the same run** on the same machine. Benchmarks print figures; they do not pass or
fail — except the size budget, which CI enforces (see below). This page is rewritten by
\`pnpm bench\`; the tables below are its latest output.

- Machine: ${m.cpu}, ${m.cores} cores (shared with other work), ${m.memGiB} GiB RAM, ${m.os}
- Node ${m.node}; ${chromium}; commit \`${commit}\`; ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC
- Command: \`pnpm bench\` (or one part: \`pnpm bench:size\`, \`bench:load\`, \`bench:storage\`, \`bench:server\`)

On a shared 2-core machine timings move by tens of percent between runs; sizes do not.
Peers are npm packages installed as dev dependencies of \`bench/\` only; peers that call home
cannot here (only 127.0.0.1 resolves in the benchmark browser), so they are measured loading and
rendering offline, and each row says what "ready" means for it.

## Size budget (CI)

\`pnpm --filter @threadline/bench run size-budget\` checks the widget's built parts
(\`packages/widget/dist\`, listed in \`dist/parts.json\`) against \`bench/size-budget.json\`:
loader stub ≤ 1 KiB, initial chunk(s) ≤ 30 KiB, panel chunk ≤ 25 KiB, all gzip -9. It exits
non-zero when a part is over budget, and skips (exit 0) with a message when the widget is not built.

${sections.map((s) => `## ${s.title}\n\n\`${s.command}\` — ${s.secs.toFixed(0)} s in this run.\n\n${s.md}\n`).join('\n')}`;

if (!process.env.BENCH_NO_DOCS) {
  writeFileSync(join(ROOT_DIR, 'docs', 'performance.md'), doc);
  console.error(`\nwrote docs/performance.md (${(total / 60).toFixed(1)} min in all)`);
}
