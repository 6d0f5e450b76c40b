// pnpm bench:load — what one script tag costs the host page, Threadline beside peers, same run.
//
// Debian Chromium (playwright-core), a blank page on 127.0.0.1 with a long-task observer and one
// script tag, a fresh browser context per run (cold caches, empty storage), CPU throttled 1× and
// 4× through the DevTools protocol, median of BENCH_RUNS (default 5) runs. Figures:
// - script: main-thread time of EvaluateScript / FunctionCall trace events for the peer's URLs
// - busy:   all main-thread task time in the run (blank page = baseline)
// - long tasks: count and total length (PerformanceObserver 'longtask')
// - ready:  ms from navigation start until the launcher is visible (ours), until a peer's root
//           element appears, or until its script has been evaluated (SDKs with no UI) — per row.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { NM, median, ms, saveResult, table } from './lib/common.mjs';
import { analyseTrace, launchChromium, startStaticServer } from './lib/browser.mjs';
import { LIVECHAT_BUILD, PEERS, peerFiles } from './peers.mjs';
import { oursScenarios } from './load-ours.mjs';

const RUNS = Number(process.env.BENCH_RUNS || 5);
// BENCH_ONLY (see runLoad) limits the rows measured.
const RATES = (process.env.BENCH_CPU_RATES || '1,4').split(',').map(Number);
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS || 1500);
// BENCH_NETWORK=slow4g: every request of the page goes through DevTools network emulation with
// Lighthouse's mobile "slow 4G" figures as its devtools throttling applies them (150 ms RTT and
// 1.6 Mbps down, 750 kbps up, with its request-level factors: 562.5 ms per request, 1474.56 /
// 675 kbps), so that a round trip more or less shows, which it does not on loopback.
const NETWORKS = {
  slow4g: { label: 'slow 4G (DevTools emulation: 562.5 ms request latency, 1474.56 kbps down, 675 kbps up)', offline: false, latency: 562.5, downloadThroughput: (1474.56 * 1024) / 8, uploadThroughput: (675 * 1024) / 8 },
};
const NETWORK = process.env.BENCH_NETWORK ? NETWORKS[process.env.BENCH_NETWORK] : null;
if (process.env.BENCH_NETWORK && !NETWORK) throw new Error(`BENCH_NETWORK: unknown network "${process.env.BENCH_NETWORK}" (${Object.keys(NETWORKS).join(', ')})`);

const HEAD = `<script>
window.__longtasks = [];
try {
  new PerformanceObserver(function (list) {
    list.getEntries().forEach(function (e) { window.__longtasks.push([e.startTime, e.duration]); });
  }).observe({ type: 'longtask', buffered: true });
} catch (e) {}
</script>`;

function page(scriptSrc) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Shop</title>${HEAD}</head>
<body><main><h1>A shop page</h1><p>Nothing else runs on this page.</p></main>
${scriptSrc ? `<script src="${scriptSrc}" async></script>` : ''}
</body></html>`;
}

const EVALUATED = `;window.__benchEvaluated = performance.now();\n`;

/** Peer scenarios: one script file each (the peer's dist or bundle, plus its boot code). */
async function peerScenarios() {
  const byId = Object.fromEntries(PEERS.map((p) => [p.id, p]));
  const concat = async (id, before = '', after = '') => {
    const files = await peerFiles(byId[id]);
    return before + files.map((f) => readFileSync(f, 'utf8')).join('\n;\n') + '\n;' + after;
  };
  const visible = (expr) =>
    `(() => { const el = ${expr}; if (!el) return false; const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; })()`;

  return [
    {
      id: 'blank',
      label: 'Blank page (baseline, no script)',
      ready: { what: 'load event', cond: `document.readyState === 'complete'` },
    },
    {
      id: 'botframework',
      label: 'Bot Framework Web Chat minimal (rendered, offline Direct Line stub)',
      script: await concat(
        'botframework-minimal',
        '',
        `(function () {
  var el = document.createElement('div');
  el.id = 'webchat';
  el.style.cssText = 'position:fixed;right:20px;bottom:20px;width:360px;height:520px';
  document.body.appendChild(el);
  function obs(values) {
    return { subscribe: function (o) {
      var next = typeof o === 'function' ? o : o && o.next ? o.next.bind(o) : null;
      values.forEach(function (v) { next && next(v); });
      return { unsubscribe: function () {}, closed: false };
    } };
  }
  var directLine = { activity$: obs([]), connectionStatus$: obs([0, 1, 2]), postActivity: function () { return obs(['id']); }, end: function () {} };
  window.WebChat.renderWebChat({ directLine: directLine }, el);
})();` + EVALUATED,
      ),
      ready: { what: 'root element (send box) visible', cond: visible(`document.querySelector('#webchat .webchat__send-box')`) },
    },
    {
      id: 'twilio',
      label: 'Twilio Conversations (SDK, no UI)',
      script: await concat('twilio-conversations', '', EVALUATED),
      ready: { what: 'script evaluated', cond: `typeof window.__benchEvaluated === 'number'` },
    },
    {
      id: 'stream',
      label: 'Stream Chat (SDK, no UI; client constructed)',
      script: await concat('stream-chat', '', `window.__client = new window.StreamChat('bench-key');` + EVALUATED),
      ready: { what: 'script evaluated', cond: `typeof window.__benchEvaluated === 'number'` },
    },
    {
      id: 'sendbird',
      label: 'Sendbird Chat (SDK + GroupChannelModule, no UI; init)',
      script: await concat(
        'sendbird-group',
        '',
        `window.__client = SendbirdBench.SendbirdChat.init({ appId: 'BENCH', modules: [new SendbirdBench.GroupChannelModule()] });` + EVALUATED,
      ),
      ready: { what: 'script evaluated', cond: `typeof window.__benchEvaluated === 'number'` },
    },
    {
      id: 'papercups',
      label: 'Papercups chat widget + React 17',
      script: await concat(
        'papercups',
        '',
        `(function () {
  var el = document.createElement('div');
  document.body.appendChild(el);
  var P = window.PapercupsBench;
  P.ReactDOM.render(P.React.createElement(P.ChatWidget, {
    accountId: '00000000-0000-0000-0000-000000000000', title: 'Welcome', subtitle: 'Ask us anything',
    primaryColor: '#2456d6', baseUrl: location.origin, iframeUrl: location.origin + '/p/papercups/frame'
  }), el);
})();` + EVALUATED,
      ),
      // Its toggle button waits for the vendor's iframe to answer, which cannot load here.
      ready: { what: 'root element in DOM (iframe container; the toggle button waits for the vendor iframe)', cond: `!!document.querySelector('.Papercups-chatWindowContainer')` },
    },
    {
      id: 'rocketchat',
      label: 'Rocket.Chat Livechat (stub + iframe app)',
      script: await concat(
        'rocketchat-stub',
        `window.RocketChat = function (c) { window.RocketChat._.push(c); };
window.RocketChat._ = [];
window.RocketChat.url = location.origin + '/p/rocketchat/livechat';
`,
        EVALUATED,
      ),
      routes: { '/p/rocketchat/livechat/': LIVECHAT_BUILD, '/p/rocketchat/livechat': () => ({ body: readFileSync(join(LIVECHAT_BUILD, 'index.html')), type: 'text/html' }) },
      // Without a Rocket.Chat server to answer its config call the app draws no launcher.
      ready: {
        what: 'iframe app loaded (scripts evaluated; no launcher without a Rocket.Chat server)',
        cond: `(() => { const f = document.getElementById('rocketchat-iframe'); const d = f && f.contentDocument; return !!(d && d.readyState === 'complete' && d.URL.includes('/livechat')); })()`,
      },
    },
  ];
}

async function runOnce(browser, origin, sc, rate) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const pg = await context.newPage();
  const cdp = await context.newCDPSession(pg);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate });
  if (NETWORK) {
    const { label: _label, ...conditions } = NETWORK;
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', conditions);
  }
  await browser.startTracing(pg, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute'] });
  const res = { ok: true };
  const state = sc.beforeGoto ? sc.beforeGoto(pg) : {};
  try {
    await pg.goto(`${origin}/page/${sc.id}.html`, { waitUntil: 'commit' });
    res.readyMs = await (
      await pg.waitForFunction(`(${sc.ready.cond}) ? performance.now() : false`, null, { polling: 'raf', timeout: 30_000 * rate })
    ).jsonValue();
    if (sc.afterReady) Object.assign(res, await sc.afterReady(pg, { rate, state }));
    await pg.waitForTimeout(SETTLE_MS * (rate > 1 ? 2 : 1));
    if (sc.interact) {
      // Whatever the harness needs in the page (finding the element to click) runs before the mark.
      const prepared = sc.prepareInteract ? await sc.prepareInteract(pg) : undefined;
      await pg.evaluate(() => console.timeStamp('bench-interact'));
      res.interactAt = await pg.evaluate(() => performance.now());
      Object.assign(res, await sc.interact(pg, { rate, prepared }));
      await pg.waitForTimeout(SETTLE_MS * (rate > 1 ? 2 : 1));
    }
    res.longtasks = await pg.evaluate(() => window.__longtasks);
  } catch (err) {
    res.ok = false;
    res.error = String(err.message ?? err).split('\n')[0];
  }
  const trace = await browser.stopTracing();
  await context.close();
  if (!res.ok) return res;
  const match = (url) => url.startsWith(`${origin}/p/${sc.id}/`);
  const matchPage = (url) => url.startsWith(origin);
  const parsed = JSON.parse(trace.toString('utf8'));
  const whole = analyseTrace(parsed, match, { matchPage });
  const split = whole.marks['bench-interact'];
  const before = split ? analyseTrace(parsed, match, { to: split, matchPage }) : whole;
  res.scriptMs = before.scriptMs;
  res.busyMs = before.busyMs;
  const lt = (res.longtasks ?? []).filter(([s]) => !split || s < res.interactAt);
  res.ltCount = lt.length;
  res.ltTotal = lt.reduce((a, [, d]) => a + d, 0);
  res.ltMax = lt.reduce((a, [, d]) => Math.max(a, d), 0);
  Object.assign(res, cpuFigures(before.cpuLongTasks));
  if (split) {
    const after = analyseTrace(parsed, match, { from: split, matchPage });
    const lt2 = res.longtasks.filter(([s]) => s >= res.interactAt);
    res.interactResult = {
      scriptMs: after.scriptMs,
      busyMs: after.busyMs,
      ltCount: lt2.length,
      ltTotal: lt2.reduce((a, [, d]) => a + d, 0),
      ltMax: lt2.reduce((a, [, d]) => Math.max(a, d), 0),
      ...cpuFigures(after.cpuLongTasks),
      readyMs: res.openMs,
    };
  }
  return res;
}

/** Long tasks by main-thread CPU time (see analyseTrace): count and longest. */
function cpuFigures(tasks) {
  return { cpuLtCount: tasks.length, cpuLtMax: tasks.reduce((a, [, d]) => Math.max(a, d), 0) };
}

function summarise(runs, pick = (r) => r) {
  const ok = runs.filter((r) => r.ok).map(pick).filter(Boolean);
  const m = (k) => median(ok.map((r) => r[k]));
  // Besides the medians: each run's long tasks, since "none in any run" is the goal, not "none in most".
  const perRun = ok.map((r) => ({ count: r.ltCount, longest: Math.round(r.ltMax) }));
  const perRunCpu = ok.map((r) => ({ count: r.cpuLtCount, longest: Math.round(r.cpuLtMax) }));
  return { n: ok.length, scriptMs: m('scriptMs'), busyMs: m('busyMs'), ltCount: m('ltCount'), ltTotal: m('ltTotal'), ltMax: m('ltMax'), cpuLtCount: m('cpuLtCount'), readyMs: m('readyMs'), connectedMs: m('connectedMs'), perRun, perRunCpu, errors: runs.filter((r) => !r.ok).map((r) => r.error) };
}

export async function runLoad({ quiet = false } = {}) {
  const log = (...a) => quiet || console.error(...a);
  const peers = await peerScenarios();
  const ours = await oursScenarios();
  // BENCH_ONLY=threadline,stream: measure only these rows (and the blank baseline), e.g. while
  // working on one of them. The full run measures everything.
  const only = process.env.BENCH_ONLY?.split(',').filter(Boolean);
  const scenarios = [peers[0], ...ours.scenarios, ...peers.slice(1)].filter((sc) => !only || sc.id === 'blank' || only.includes(sc.id));
  const routes = {
    '/page/': (rest) => {
      const sc = scenarios.find((s) => `${s.id}.html` === rest);
      return sc ? { body: page(sc.script || sc.scriptSrc ? sc.scriptSrc ?? `/p/${sc.id}/main.js` : null), type: 'text/html' } : null;
    },
    '/p/papercups/frame': () => ({ body: '<!doctype html><title>frame</title>', type: 'text/html' }),
  };
  for (const sc of scenarios) {
    if (sc.script) routes[`/p/${sc.id}/main.js`] = () => ({ body: sc.script, type: 'text/javascript' });
    Object.assign(routes, sc.routes ?? {});
  }
  const server = await startStaticServer(routes);
  if (process.env.BENCH_SERVE) {
    // Debugging aid: serve the pages (and start ours' server) without measuring.
    await ours.start?.({ origin: server.origin, log });
    console.log(`serving ${server.origin}/page/<id>.html for: ${scenarios.map((s) => s.id).join(', ')}`);
    return new Promise(() => {});
  }
  const browser = await launchChromium();
  const results = [];
  try {
    await ours.start?.({ origin: server.origin, log });
    for (const rate of RATES) {
      for (const sc of scenarios) {
        if (sc.skip) continue;
        const runs = [];
        for (let i = 0; i < RUNS; i++) runs.push(await runOnce(browser, server.origin, sc, rate));
        const s = summarise(runs);
        const each = (x, list = x.perRun) => list.map((p) => (p.count ? `${p.count} (${p.longest} ms)` : '0')).join(', ');
        const load = () => `load average ${loadavg()[0].toFixed(1)}`;
        log(`load: ${sc.id} @${rate}x  script ${ms(s.scriptMs, 1)}  busy ${ms(s.busyMs)}  ready ${ms(s.readyMs)}  long tasks ${s.ltCount ?? '—'}; per run: ${each(s)}; by CPU time: ${each(s, s.perRunCpu)}; ${load()}${s.errors.length ? `  errors: ${s.errors[0]}` : ''}`);
        results.push({ id: sc.id, label: sc.label, what: sc.ready.what, rate, ...s });
        if (sc.interact) {
          const t = summarise(runs, (r) => r.interactResult);
          log(`load: ${sc.id} interaction @${rate}x  ready ${ms(t.readyMs)}  long tasks ${t.ltCount ?? '—'}; per run: ${each(t)}; by CPU time: ${each(t, t.perRunCpu)}; ${load()}`);
          results.push({ id: `${sc.id}-interact`, label: sc.interactLabel, what: sc.interactWhat, rate, ...t });
        }
      }
    }
  } finally {
    await browser.close();
    await server.close();
    await ours.stop?.();
  }

  const browserVersion = await (async () => {
    try {
      const b = await launchChromium();
      const v = b.version();
      await b.close();
      return v;
    } catch {
      return '?';
    }
  })();
  const sections = [];
  for (const rate of RATES) {
    const rows = [];
    for (const sc of scenarios) {
      if (sc.skip) {
        rows.push([sc.label, `${sc.skip}`, '—', '—', '—', '—', '—', '']);
        continue;
      }
      for (const r of results.filter((x) => x.rate === rate && (x.id === sc.id || x.id === `${sc.id}-interact`))) {
        rows.push([
          r.label,
          r.n ? ms(r.scriptMs, 1) : `failed: ${r.errors[0] ?? '?'}`,
          ms(r.busyMs),
          r.ltCount == null ? '—' : String(r.ltCount),
          ms(r.ltTotal),
          ms(r.ltMax),
          ms(r.readyMs),
          r.what + (r.connectedMs != null ? `; socket connected at ${ms(r.connectedMs)}` : ''),
        ]);
      }
    }
    const perRun = results
      .filter((r) => r.rate === rate && (r.perRun?.some((p) => p.count) || r.perRunCpu?.some((p) => p.count)))
      .map((r) => {
        const list = (runs) => runs.map((p) => (p.count ? `${p.count} (longest ${p.longest} ms)` : '0')).join(', ');
        return `- ${r.label}: ${list(r.perRun)}; by CPU time: ${list(r.perRunCpu)}`;
      });
    sections.push(
      `### CPU ${rate}× ${rate === 1 ? '(no throttling)' : '(DevTools CPU throttling)'}\n\n` +
        table(['Script tag', 'Script time', 'Main-thread busy', 'Long tasks', 'Long-task total', 'Longest task', 'Ready at', 'Ready means'], rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'l']) +
        (perRun.length ? `\n\nLong tasks in each run (the table gives medians), rows with any, as the long-task observer saw them and by main-thread CPU time:\n${perRun.join('\n')}` : ''),
    );
  }
  const md = [
    `Chromium ${browserVersion} (Debian), headless; median of ${RUNS} runs, a fresh context per run; settle ${SETTLE_MS} ms (×2 when throttled) after ready.` +
      (NETWORK ? ` Network: ${NETWORK.label}.` : ''),
    '',
    ...sections.flatMap((s) => [s, '']),
    '"Script time": EvaluateScript/FunctionCall trace events for the row\'s own script URLs (promise continuations are not attributed to a URL by the trace, so "Main-thread busy" — every main-thread task in the run — is shown too; compare it with the blank page).',
    '"Long tasks": the page\'s long-task observer, wall time. "By CPU time": main-thread tasks whose thread time is 50 ms or more (trace events); DevTools\' CPU throttling keeps the thread busy, so at 4× that is how long a task lasts on an idle machine, while its wall time on a shared one also holds the time the renderer waited for a core.',
    '"Ready at": ms from navigation start. Peers cannot reach their vendors\' servers here (only 127.0.0.1 resolves), so they are measured as they load and render offline.',
    ...(ours.notes ?? []),
  ].join('\n');
  if (!quiet) {
    console.log('\n## Page-load cost (`pnpm bench:load`)\n');
    console.log(md);
  }
  saveResult(NETWORK ? `load-${process.env.BENCH_NETWORK}` : 'load', { markdown: md, runs: RUNS, rates: RATES, results });
  return { md, results };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  runLoad().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

export { NM };
