// pnpm bench:lighthouse — what the widget costs the demo shop as Lighthouse sees it: the tool
// shop owners run, not our own probe (bench:load).
//
// Lighthouse (pinned to 12.2.3: later versions need Node 22), performance category only, against
// the real demo shop (examples/shop/server.mjs: the reference server on a temporary SQLite data
// dir, on a free port on 127.0.0.1), in Debian Chromium started by the shared launcher with a
// DevTools port for Lighthouse to connect to; a fresh browser per run. Each preset's runs
// alternate the shop's home page with the widget (`/`) and the same page without it
// (`/?widget=off`: no install snippet, no script tag), so that the widget's cost is a difference
// taken in the same minutes on the same machine. The presets keep Lighthouse's defaults: mobile
// simulates a 4× slower CPU and slow 4G ('simulate' throttling: the page loads unthrottled and
// Lighthouse computes the timings), desktop simulates a 1× CPU and a 40 ms / 10 Mbps network.
// Figures, per preset, median and min–max of BENCH_LIGHTHOUSE_RUNS runs (default 5):
// - performance score, total blocking time, largest contentful paint;
// - long tasks attributed to our scripts: items of the `long-tasks` audit (≥ 50 ms, simulated
//   durations) whose attributable URL is under /widget/ — count, longest, sum;
// - scripting time of our scripts: the `bootup-time` audit's "scripting" for URLs under /widget/
//   (its 50 ms reporting threshold lowered to 0 so a small figure is a figure, not an absence).
// Targets of issue 17 are printed beside the mobile figures with ✓/✗; nothing fails on them.
// Then BENCH_LIGHTHOUSE_PROFILE_RUNS (default 5) more mobile runs of the page with the widget with
// V8's sampling profiler in the trace say which code each long task runs (lighthouse-samples.mjs):
// Lighthouse's own attribution misses the widget's promise continuations and idle callbacks.
import { pathToFileURL } from 'node:url';
import { median, pkgVersion, saveResult, table } from './lib/common.mjs';
import { launchChromium } from './lib/browser.mjs';
import { serverBuilt } from './lib/server-proc.mjs';
import { freePort, startShop } from './lib/demo-proc.mjs';
import { widgetParts } from './ours.mjs';

const RUNS = Number(process.env.BENCH_LIGHTHOUSE_RUNS || 5);
const PRESETS = (process.env.BENCH_LIGHTHOUSE_PRESETS || 'mobile,desktop').split(',').filter(Boolean);
// Extra mobile runs of the page with the widget, with V8's sampling profiler in the trace, to see
// which code runs in each long task (lighthouse-samples.mjs); 0 skips them.
const PROFILE_RUNS = Number(process.env.BENCH_LIGHTHOUSE_PROFILE_RUNS ?? 5);
const PAGES = [
  { id: 'with', label: 'With the widget', path: '/' },
  { id: 'without', label: 'Without the widget', path: '/?widget=off' },
];

async function configFor(preset) {
  const settings = { onlyCategories: ['performance'] };
  // The bootup-time audit lists only URLs over 50 ms; we want our scripts' figure however small.
  const audits = [{ path: 'bootup-time', options: { thresholdInMs: 0 } }];
  if (preset === 'mobile') return { extends: 'lighthouse:default', settings, audits };
  if (preset === 'desktop') {
    const { default: desktop } = await import('lighthouse/core/config/desktop-config.js');
    return { ...desktop, settings: { ...desktop.settings, ...settings }, audits };
  }
  throw new Error(`unknown Lighthouse preset "${preset}" (mobile or desktop)`);
}

/** One Lighthouse run in a browser of its own; resolves with the figures of one page. */
async function runOnce(lighthouse, config, url, origin, { profile = false } = {}) {
  const port = await freePort();
  const browser = await launchChromium([`--remote-debugging-port=${port}`]);
  try {
    const { PROFILER_CATEGORY, sampledLongTasks } = profile ? await import('./lighthouse-samples.mjs') : {};
    const cfg = profile ? { ...config, settings: { ...config.settings, additionalTraceCategories: PROFILER_CATEGORY } } : config;
    const result = await lighthouse(url, { port, logLevel: 'silent', output: 'json' }, cfg);
    const lhr = result?.lhr;
    if (!lhr) return { ok: false, error: 'Lighthouse returned no result' };
    if (lhr.runtimeError) return { ok: false, error: `${lhr.runtimeError.code}: ${lhr.runtimeError.message}` };
    const out = { ok: true, browserVersion: browser.version(), ...figures(lhr, origin) };
    if (profile) out.sampled = await sampledLongTasks(result, urlHelpers(origin));
    return out;
  } catch (err) {
    return { ok: false, error: String(err?.message ?? err).split('\n')[0] };
  } finally {
    await browser.close();
  }
}

/** `ours(url)`: a script of the widget (under /widget/ on the demo's origin); `short(url)`: a URL to print. */
function urlHelpers(origin) {
  return {
    ours(url) {
      try {
        const u = new URL(url);
        return u.origin === origin && u.pathname.startsWith('/widget/');
      } catch {
        return false;
      }
    },
    short(url) {
      try {
        const u = new URL(url);
        return u.origin === origin ? u.pathname + u.search : url;
      } catch {
        return url;
      }
    },
  };
}

function figures(lhr, origin) {
  const { ours, short } = urlHelpers(origin);
  const a = lhr.audits;
  // The audit's debug data lists every long task (its table only the 20 longest).
  const debug = a['long-tasks']?.details?.debugData;
  const longTasks = debug?.tasks
    ? debug.tasks.map((t) => ({ url: short(debug.urls[t.urlIndex]), ours: ours(debug.urls[t.urlIndex]), duration: t.duration }))
    : (a['long-tasks']?.details?.items ?? []).map((i) => ({ url: short(i.url), ours: ours(i.url), duration: i.duration }));
  const mine = longTasks.filter((t) => t.ours);
  const boot = (a['bootup-time']?.details?.items ?? []).filter((i) => ours(i.url));
  return {
    score: lhr.categories.performance.score == null ? null : Math.round(lhr.categories.performance.score * 100),
    tbt: a['total-blocking-time']?.numericValue ?? null,
    lcp: a['largest-contentful-paint']?.numericValue ?? null,
    ltCount: mine.length,
    ltMax: mine.reduce((m, t) => Math.max(m, t.duration), 0),
    ltSum: mine.reduce((s, t) => s + t.duration, 0),
    unattributedCount: longTasks.filter((t) => t.url === 'Unattributable').length,
    unattributedSum: longTasks.filter((t) => t.url === 'Unattributable').reduce((s, t) => s + t.duration, 0),
    scripting: boot.reduce((s, i) => s + (i.scripting ?? 0), 0),
    parseCompile: boot.reduce((s, i) => s + (i.scriptParseCompile ?? 0), 0),
    bootByUrl: boot.map((i) => ({ url: short(i.url), scripting: i.scripting, parseCompile: i.scriptParseCompile })),
    longTasks,
    warnings: lhr.runWarnings ?? [],
    benchmarkIndex: lhr.environment?.benchmarkIndex ?? null,
    lighthouseVersion: lhr.lighthouseVersion,
  };
}

/** "median (min–max)", or "median (every run)" when the runs agree. */
const spread = (values, digits, unit = '') => {
  const v = values.filter((x) => x != null);
  if (!v.length) return '—';
  const f = (x) => String(Math.round(x * 10 ** digits) / 10 ** digits);
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  return `${f(median(v))}${unit} (${f(lo) === f(hi) ? 'every run' : `${f(lo)}–${f(hi)}${unit}`})`;
};
const MS = [0, ' ms'];
const NUM = [1, ''];

function presetTable(preset, byPage) {
  const w = byPage.with.filter((r) => r.ok);
  const wo = byPage.without.filter((r) => r.ok);
  const col = (runs, k, [digits, unit]) => spread(runs.map((r) => r[k]), digits, unit);
  const diff = (k, [digits, unit]) => {
    const a = median(w.map((r) => r[k]));
    const b = median(wo.map((r) => r[k]));
    if (a == null || b == null) return { text: '—', value: null };
    const d = Math.round((a - b) * 10 ** digits) / 10 ** digits;
    return { text: `${d > 0 ? '+' : d < 0 ? '−' : '±'}${Math.abs(d)}${unit}`, value: d };
  };
  const mobile = preset === 'mobile';
  const mark = (ok) => (ok == null ? '—' : ok ? '✓' : '✗');
  const rows = [];
  const score = diff('score', NUM);
  rows.push(['Performance score', col(w, 'score', NUM), col(wo, 'score', NUM), score.text, mobile ? 'equal to the page without' : '', mobile ? mark(score.value == null ? null : score.value === 0) : '']);
  const tbt = diff('tbt', MS);
  rows.push(['Total blocking time', col(w, 'tbt', MS), col(wo, 'tbt', MS), tbt.text, mobile ? 'within 10 ms of the page without' : '', mobile ? mark(tbt.value == null ? null : tbt.value <= 10) : '']);
  const everyRunZero = w.length ? w.every((r) => r.ltCount === 0) : null;
  rows.push([
    'Long tasks from /widget/ scripts: count',
    col(w, 'ltCount', NUM),
    col(wo, 'ltCount', NUM),
    diff('ltCount', NUM).text,
    mobile ? '0 in every run' : '',
    mobile ? `${mark(everyRunZero)}${w.length ? ` (${w.filter((r) => r.ltCount === 0).length} of ${w.length} runs)` : ''}` : '',
  ]);
  rows.push(['Long tasks from /widget/ scripts: longest', col(w, 'ltMax', MS), col(wo, 'ltMax', MS), diff('ltMax', MS).text, '', '']);
  rows.push(['Long tasks from /widget/ scripts: sum', col(w, 'ltSum', MS), col(wo, 'ltSum', MS), diff('ltSum', MS).text, '', '']);
  rows.push(['Long tasks attributed to no script ("Unattributable"): count', col(w, 'unattributedCount', NUM), col(wo, 'unattributedCount', NUM), diff('unattributedCount', NUM).text, '', '']);
  rows.push(['Long tasks attributed to no script ("Unattributable"): sum', col(w, 'unattributedSum', MS), col(wo, 'unattributedSum', MS), diff('unattributedSum', MS).text, '', '']);
  rows.push(['Scripting time of /widget/ scripts (bootup-time)', col(w, 'scripting', MS), col(wo, 'scripting', MS), diff('scripting', MS).text, '', '']);
  rows.push(['Largest contentful paint', col(w, 'lcp', MS), col(wo, 'lcp', MS), diff('lcp', MS).text, '', '']);
  const failed = [...byPage.with, ...byPage.without].filter((r) => !r.ok);
  const head = mobile
    ? `### Mobile preset (simulated: 4× CPU slowdown, slow 4G — 150 ms RTT, 1.6 Mbps down)`
    : `### Desktop preset (simulated: 1× CPU, 40 ms RTT, 10 Mbps)`;
  return [
    head,
    '',
    table(
      ['Figure', `With the widget (${w.length} runs)`, `Without the widget (${wo.length} runs)`, 'Widget’s cost (difference of medians)', 'Target (issue 17)', ''],
      rows,
      ['l', 'r', 'r', 'r', 'l', 'l'],
    ),
    ...(failed.length ? ['', `Failed runs: ${failed.length} (${[...new Set(failed.map((r) => r.error))].join('; ')}).`] : []),
  ].join('\n');
}

/** Every long task of the runs with the widget, by attributed URL: which script, how often, how long. */
function longTaskSummary(presetRuns) {
  const lines = [];
  for (const [preset, byPage] of presetRuns) {
    for (const page of PAGES) {
      const runs = byPage[page.id].filter((r) => r.ok);
      const byUrl = new Map();
      for (const r of runs) for (const t of r.longTasks) byUrl.set(t.url, [...(byUrl.get(t.url) ?? []), t]);
      const parts = [...byUrl]
        .sort((a, b) => b[1].length - a[1].length)
        .map(([url, tasks]) => `${url === page.path ? `the document (${url})` : url} ${tasks.length}× (${tasks.map((t) => Math.round(t.duration)).sort((x, y) => y - x).join(', ')} ms)`);
      lines.push(`- ${preset}, ${page.label.toLowerCase()}: ${parts.length ? parts.join('; ') : 'none'} in ${runs.length} runs.`);
    }
  }
  return lines;
}

/**
 * The profiled runs: every long task with what Lighthouse attributes it to and which code its CPU
 * samples are in; a task is the widget's when most of its samples are in /widget/ scripts.
 */
function profiledSection(runs) {
  const ok = runs.filter((r) => r.ok);
  const mine = ok.map((r) => r.sampled.filter((t) => t.oursShare > 0.5));
  const count = mine.map((m) => m.length);
  const longest = mine.map((m) => m.reduce((x, t) => Math.max(x, t.duration), 0));
  const sum = mine.map((m) => m.reduce((x, t) => x + t.duration, 0));
  const zero = ok.length ? count.every((c) => c === 0) : null;
  const lines = ok.flatMap((r, i) =>
    r.sampled.length
      ? r.sampled.map(
          (t) =>
            `- run ${i + 1}: ${Math.round(t.duration)} ms (${t.observedMs.toFixed(1)} ms observed) — Lighthouse: ${t.lighthouseUrl}; samples: ${t.top.join(', ') || 'none'}${t.oursShare > 0.5 ? ' → **the widget**' : ''}`,
        )
      : [`- run ${i + 1}: no long task`],
  );
  const failed = runs.filter((r) => !r.ok);
  return [
    `### Which code runs in the mobile long tasks (${ok.length} more runs of the page with the widget, V8's sampling profiler on)`,
    '',
    table(
      ['Figure', 'Median (min–max)', 'Target (issue 17, by samples)', ''],
      [
        ['Long tasks whose CPU samples are mostly in /widget/ scripts: count', spread(count, ...NUM), '0 in every run', `${zero == null ? '—' : zero ? '✓' : '✗'}${ok.length ? ` (${count.filter((c) => c === 0).length} of ${ok.length} runs)` : ''}`],
        ['… longest', spread(longest, ...MS), '', ''],
        ['… sum', spread(sum, ...MS), '', ''],
        ['Total blocking time (these runs)', spread(ok.map((r) => r.tbt), ...MS), '', ''],
      ],
      ['l', 'r', 'l', 'l'],
    ),
    '',
    'Every long task of these runs (simulated duration; the main thread\'s own time in brackets), what Lighthouse attributes it to, and the biggest shares of its CPU samples (`(program)`: the browser\'s native work — parsing, style, layout):',
    ...lines,
    ...(failed.length ? [`Failed runs: ${failed.length} (${[...new Set(failed.map((r) => r.error))].join('; ')}).`] : []),
    '',
    'Lighthouse\'s attribution misses the widget in two ways: a task that only runs promise continuations or evaluates a dynamically imported module names no URL in the trace ("Unattributable"), and with throttling "simulate" Lighthouse wraps `window.requestIdleCallback` in the page (so that deadlines match the simulated CPU), so the widget\'s idle-time start-up runs inside Lighthouse\'s `_lighthouse-eval.js` and is attributed to it. ' +
      'The sampling profiler costs the page a little time of its own, so these runs are not part of the table above.',
  ].join('\n');
}

export async function runLighthouse({ quiet = false } = {}) {
  const log = (...a) => quiet || console.error(...a);
  const parts = widgetParts();
  const missing = [];
  if (!parts || !parts.stub.length || !parts.initial.length) missing.push('packages/widget/dist');
  if (!serverBuilt()) missing.push('packages/server/dist');
  if (missing.length) {
    const md = `Not measured: not built (${missing.join(', ')}); run \`pnpm build\`.`;
    if (!quiet) console.log(md);
    return { md };
  }
  const { default: lighthouse } = await import('lighthouse');
  const t0 = Date.now();
  const shop = await startShop();
  log(`lighthouse: demo shop at ${shop.origin}; ${PRESETS.join(' and ')}, ${RUNS} runs each, with and without the widget`);
  const presetRuns = new Map();
  const profiled = [];
  try {
    for (const preset of PRESETS) {
      const config = await configFor(preset);
      const byPage = { with: [], without: [] };
      for (let i = 0; i < RUNS; i++) {
        // Alternate which page goes first, so a drift in the machine's load falls on both.
        const order = i % 2 ? [...PAGES].reverse() : PAGES;
        for (const page of order) {
          const r = await runOnce(lighthouse, config, shop.origin + page.path, shop.origin);
          byPage[page.id].push(r);
          log(
            r.ok
              ? `lighthouse: ${preset} ${page.id.padEnd(7)} run ${i + 1}/${RUNS}: score ${r.score}, TBT ${Math.round(r.tbt)} ms, our long tasks ${r.ltCount}${r.ltCount ? ` (longest ${Math.round(r.ltMax)} ms)` : ''}, our scripting ${Math.round(r.scripting)} ms`
              : `lighthouse: ${preset} ${page.id} run ${i + 1}/${RUNS} failed: ${r.error}`,
          );
        }
      }
      presetRuns.set(preset, byPage);
    }
    if (PRESETS.includes('mobile')) {
      const config = await configFor('mobile');
      for (let i = 0; i < PROFILE_RUNS; i++) {
        const r = await runOnce(lighthouse, config, shop.origin + PAGES[0].path, shop.origin, { profile: true });
        profiled.push(r);
        log(
          r.ok
            ? `lighthouse: mobile with, profiled, run ${i + 1}/${PROFILE_RUNS}: TBT ${Math.round(r.tbt)} ms, long tasks mostly ours by samples ${r.sampled.filter((t) => t.oursShare > 0.5).length}, by Lighthouse ${r.ltCount}`
            : `lighthouse: mobile with, profiled, run ${i + 1}/${PROFILE_RUNS} failed: ${r.error}`,
        );
      }
    }
  } finally {
    await shop.stop();
  }
  const secs = (Date.now() - t0) / 1000;
  const all = [...presetRuns.values()].flatMap((b) => [...b.with, ...b.without]).filter((r) => r.ok);
  const sample = all[0];
  const chrome = sample?.browserVersion ?? '?';
  const bi = median(all.map((r) => r.benchmarkIndex));
  const warnings = [...new Set(all.flatMap((r) => r.warnings))];
  const md = [
    `Lighthouse ${sample?.lighthouseVersion ?? pkgVersion('lighthouse')} (Node API, performance category only), Chromium ${chrome} (Debian, headless, a fresh browser per run), ` +
      `against the demo shop's home page on 127.0.0.1 with the widget (\`/\`) and without it (\`/?widget=off\`: the same HTML without the install snippet and script tag), ` +
      `runs alternating between the two; median (min–max) of ${RUNS} runs per page and preset; ${Math.round(secs)} s in all. ` +
      `Lighthouse's CPU benchmark index on this machine: ${bi == null ? '—' : Math.round(bi)} (median).`,
    '',
    ...[...presetRuns].flatMap(([preset, byPage]) => [presetTable(preset, byPage), '']),
    'Long tasks, every one Lighthouse listed (simulated durations), by the script it attributes them to:',
    ...longTaskSummary(presetRuns),
    '',
    'Both presets are Lighthouse\'s defaults, throttling method "simulate": the page loads unthrottled on this machine and Lighthouse computes the timings (Lantern) from the observed trace and network, the mobile preset with the CPU time ×4 (a 12.5 ms task here is a 50 ms long task on the mobile preset). ' +
      'So a busy machine lengthens the observed tasks and the figures with them; both pages are measured in the same minutes.',
    '"/widget/ scripts": `long-tasks` items whose attributable URL is under `/widget/` on the demo\'s origin (threadline.js, threadline-main.js and their chunks); "scripting": the `bootup-time` audit\'s script evaluation for those URLs (parse and compile not included). ' +
      'Lighthouse attributes a task to the first script URL in its trace events; a task whose trace events name none — the browser\'s own work around the navigation, but also one that only runs promise continuations or evaluates a dynamically imported module — is "Unattributable", and `_lighthouse-eval.js` is Lighthouse\'s own code in the page. ' +
      'So the widget\'s work can hide in those rows: compare them and total blocking time between the two pages, and see the profiled runs below for which code each long task runs.',
    ...(profiled.length ? ['', profiledSection(profiled), ''] : []),
    'The page without the widget keeps a no-op `window.Threadline` so the shop\'s own script (shop.js) does the same work on both pages.',
    ...(warnings.length ? ['', `Lighthouse warnings: ${warnings.join(' / ')}`] : []),
  ].join('\n');
  if (!quiet) {
    console.log('\n## Lighthouse (`pnpm bench:lighthouse`)\n');
    console.log(md);
  }
  saveResult('lighthouse', { markdown: md, runs: RUNS, presets: PRESETS, results: Object.fromEntries(presetRuns), profiled });
  return { md };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  runLighthouse().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
