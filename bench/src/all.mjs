// pnpm bench — every benchmark in one run, then docs/performance.md from the results.
// BENCH_PRESET=ci for the server's short preset (default: full). BENCH_NO_DOCS=1 prints only.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { BENCH_DIR, RESULTS_DIR, ROOT_DIR, machineInfo } from './lib/common.mjs';
import { launchChromium } from './lib/browser.mjs';
import { runSize } from './size.mjs';
import { runLoad } from './load.mjs';
import { runLighthouse } from './lighthouse.mjs';
import { runStorage } from './storage.mjs';
import { runTransfer } from './transfer.mjs';
import { runServer } from './server.mjs';
import { runBot } from './bot.mjs';

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

// BENCH_DOCS_ONLY=1: rebuild the page from the last saved results (bench/results/*.md) without running.
const docsOnly = !!process.env.BENCH_DOCS_ONLY;
const saved = (name) => async () => {
  const md = readFileSync(join(RESULTS_DIR, `${name}.md`), 'utf8');
  const json = JSON.parse(readFileSync(join(RESULTS_DIR, `${name}.json`), 'utf8'));
  return { md: `${md}\n\n_(results of ${json.date.slice(0, 16).replace('T', ' ')} UTC)_` };
};
await step('Bundle size', 'pnpm bench:size', docsOnly ? saved('size') : () => runSize());
await step('Widget transfer (reference server)', 'pnpm --filter @threadline/bench run transfer', docsOnly ? saved('transfer') : () => runTransfer());
await step('Page-load cost', 'pnpm bench:load', docsOnly ? saved('load') : () => runLoad());
await step('Lighthouse', 'pnpm bench:lighthouse', docsOnly ? saved('lighthouse') : () => runLighthouse());
await step('Storage', 'pnpm bench:storage', docsOnly ? saved('storage') : () => runStorage());
await step('Order bot', 'pnpm bench:bot', docsOnly ? saved('bot') : () => runBot());
await step(`Server load (preset ${preset})`, `BENCH_PRESET=${preset} pnpm bench:server`, docsOnly ? saved(`server-${preset}`) : () => runServer({ preset }));
// Several nodes: needs PostgreSQL, Redis and nginx (says so when one is missing). BENCH_NO_CLUSTER=1 leaves it out.
if (!process.env.BENCH_NO_CLUSTER && preset !== 'cluster') {
  await step('Server load, cluster (SQLite vs PostgreSQL vs two nodes)', 'BENCH_PRESET=cluster pnpm bench:server', docsOnly ? saved('server-cluster') : () => runServer({ preset: 'cluster' }));
}

const budget = (() => {
  try {
    return execFileSync(process.execPath, [join(BENCH_DIR, 'size-budget.mjs')], { encoding: 'utf8' });
  } catch (err) {
    return String(err.stdout ?? err.message);
  }
})();

const total = (Date.now() - started) / 1000;
const m = machineInfo();
const commit = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT_DIR, encoding: 'utf8' }).trim();
  } catch {
    return '?';
  }
})();
const chromium = await (async () => {
  try {
    const b = await launchChromium();
    const v = b.version();
    await b.close();
    return `Chromium ${v} (Debian, headless)`;
  } catch {
    return 'Chromium (version unknown)';
  }
})();

const doc = `# Performance

Figures printed by \`pnpm bench\`${docsOnly ? '' : ` (${total < 90 ? `${total.toFixed(0)} s` : `${(total / 60).toFixed(1)} min`} for this run)`}, Threadline beside peers
measured **in the same run** on the same machine. Benchmarks print figures; they do not pass or
fail — except the size budget, which CI enforces (see below). This page is rewritten by
\`pnpm bench\`; the tables below are its latest output.

- Machine: ${m.cpu}, ${m.cores} cores (shared with other work), ${m.memGiB} GiB RAM, ${m.os}
- Node ${m.node}; ${chromium}; commit \`${commit}\`; ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC
- Command: \`pnpm bench\` (or one part: \`pnpm bench:size\`, \`bench:load\`, \`bench:lighthouse\`, \`bench:storage\`, \`bench:bot\`, \`bench:server\`,
  \`pnpm --filter @threadline/bench run transfer\`)

On a shared 2-core machine timings move by tens of percent between runs, and much more when
other work loads the machine (each section gives the load average when it finished); sizes do
not. Server figures suffer most: the server and the load generator share the same two cores, and
other work takes them too. In full runs here the server's longest event-loop stall has ranged from
35 ms to over 70 s; measured, most of a long stall was the server's main thread waiting for a core
while other processes ran, not SQLite (see [Server load](#server-load-preset-full); its table
says how long the server and the generator waited). \`BENCH_SERVER_TRACE=<dir>\` splits each stall
into SQL, GC, CPU and that wait; \`BENCH_SERVER_PROFILE=<dir>\` writes a CPU profile of the
sustained phase.
Peers are npm packages installed as dev dependencies of \`bench/\` only; peers that call home
cannot here (only 127.0.0.1 resolves in the benchmark browser), so they are measured loading and
rendering offline, and each row says what "ready" means for it.

## Size budget (CI)

\`pnpm --filter @threadline/bench run size-budget\` checks the widget's built parts
(\`packages/widget/dist\`, listed in \`dist/parts.json\`) against \`bench/size-budget.json\`:
loader stub ≤ 1 KiB, initial part (what a page loads: \`threadline.js\` + \`threadline-main.js\`)
≤ 30 KiB, panel part (first open, with the core's conversation/sending/HTTP chunks the open panel
uses) ≤ 25 KiB, all gzip -9. It runs in
\`pnpm test\` (so in CI) and exits non-zero when a part is over budget, and skips (exit 0) with a
message when the widget is not built. A part may carry a temporary \`ceiling\` in
\`size-budget.json\`: over budget but under its ceiling, the run prints OVER BUDGET and does not
fail, so the part cannot grow unnoticed while it is brought back under budget.
Its output for this run:

\`\`\`text
${budget.trim()}
\`\`\`

${sections.map((s) => `## ${s.title}\n\n\`${s.command}\`${docsOnly ? '' : ` — ${s.secs.toFixed(0)} s in this run`}.\n\n${s.md}\n`).join('\n')}`;

if (!process.env.BENCH_NO_DOCS) {
  writeFileSync(join(ROOT_DIR, 'docs', 'performance.md'), doc);
  console.error(`\nwrote docs/performance.md (${(total / 60).toFixed(1)} min in all)`);
}
