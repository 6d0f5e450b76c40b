// pnpm bench:storage — @threadline/core on real IndexedDB in Debian Chromium.
//
// A thread of 100, 1,000 and 10,000 messages is written into the core's own on-device layout
// (LocalStore over idb-keyval, chunked pages), then timed: createClient → the thread's newest
// page drawn on the page (DOM nodes for its messages, then one frame). Also: appending 1,000
// messages one by one (LocalStore.putMessages, awaited), outbox write latency
// (LocalStore.putOutbox), and the JS heap held by a 10,000-message thread (open, and with all its
// history loaded). The client points at a closed port: storage only, no network. A fresh
// browser context (empty IndexedDB) per measurement; median of BENCH_STORAGE_RUNS (default 5).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CORE_DIR, bundle, median, ms, percentile, saveResult, table } from './lib/common.mjs';
import { launchChromium, startStaticServer } from './lib/browser.mjs';

const RUNS = Number(process.env.BENCH_STORAGE_RUNS || 5);
const SIZES = [100, 1_000, 10_000];

const PAGE_JS = String.raw`
const B = window.TLBench;
const APP = 'bench';
const THREAD = '0190a0a0-0000-7000-8000-000000000001';
function message(seq) {
  return {
    id: 'm' + seq, clientId: seq % 2 ? null : '0190a0a0-0000-7000-8000-' + String(seq).padStart(12, '0'),
    threadId: THREAD, seq, author: seq % 2 ? { kind: 'agent', name: 'Ana' } : { kind: 'visitor' },
    text: 'Message number ' + seq + ': where is my order? It was meant to arrive on Tuesday, and the tracking page has not moved since.',
    attachments: [], kind: 'text', createdAt: new Date(1.7e12 + seq * 60000).toISOString(),
  };
}
function thread(n) {
  return { id: THREAD, status: 'open', lastSeq: n, lastMessage: message(n), unread: 0, visitorReadSeq: n, agentReadSeq: n,
    campaign: null, rating: null, createdAt: new Date(1.7e12).toISOString(), updatedAt: new Date(1.7e12 + n * 60000).toISOString() };
}
window.seed = async (n) => {
  const store = new B.LocalStore(B.indexedDbStorage(APP));
  await store.putMeta({ schema: B.SCHEMA_VERSION, token: 'bench-token', visitorId: 'v-bench', userId: null });
  const batch = 1000;
  for (let from = 1; from <= n; from += batch) {
    const list = [];
    for (let s = from; s < Math.min(n + 1, from + batch); s++) list.push(message(s));
    await store.putMessages(THREAD, list, { thread: thread(Math.min(n, from + batch - 1)), heldSeq: Math.min(n, from + batch - 1) });
  }
  await store.flush();
};
window.openAndRender = async () => {
  const t0 = performance.now();
  const client = B.createClient({ appId: APP, serverUrl: 'http://127.0.0.1:9', storage: 'indexeddb', multiTab: false });
  window.__client = client;
  const root = document.getElementById('thread');
  const shown = () => (client.getSnapshot().messages[THREAD] || []).length;
  await new Promise((resolve) => {
    const check = () => { const s = client.getSnapshot(); if (s.status === 'ready' && s.threads.some((t) => t.id === THREAD)) { un(); resolve(); } };
    const un = client.subscribe(check);
    check();
  });
  const tReady = performance.now();
  if (!shown()) await client.openThread(THREAD);
  const list = client.getSnapshot().messages[THREAD] || [];
  root.replaceChildren(...list.map((m) => { const li = document.createElement('li'); li.textContent = m.text; return li; }));
  await new Promise((r) => requestAnimationFrame(() => r()));
  return { readyMs: tReady - t0, renderMs: performance.now() - t0, shown: list.length, storage: client.getSnapshot().storage };
};
window.loadAll = async () => {
  const client = window.__client;
  let steps = 0;
  while (steps < 1000 && (await client.loadOlder(THREAD))) steps++;
  return (client.getSnapshot().messages[THREAD] || []).length;
};
window.appendEach = async (count) => {
  const store = new B.LocalStore(B.indexedDbStorage(APP));
  await store.putMeta({ schema: B.SCHEMA_VERSION });
  const times = [];
  const t0 = performance.now();
  for (let s = 1; s <= count; s++) {
    const a = performance.now();
    await store.putMessages(THREAD, [message(s)], { thread: thread(s), heldSeq: s });
    times.push(performance.now() - a);
  }
  return { totalMs: performance.now() - t0, times };
};
window.outboxWrites = async (count) => {
  const store = new B.LocalStore(B.indexedDbStorage(APP));
  const times = [];
  for (let i = 0; i < count; i++) {
    const clientId = '0190a0a0-0000-7000-9000-' + String(i).padStart(12, '0');
    const entry = { clientId, threadId: THREAD, create: false, text: 'Photo of the dashboard light, see attached', files: [],
      queuedAt: Date.now(), attempts: 0, nextAttemptAt: 0, failed: false, error: null };
    const a = performance.now();
    await store.putOutbox(entry);
    times.push(performance.now() - a);
  }
  return times;
};
`;

export async function runStorage({ quiet = false } = {}) {
  const log = (...a) => quiet || console.error(...a);
  const src = (f) => join(CORE_DIR, 'src', f);
  const needed = ['index.ts', 'storage/local-store.ts', 'storage/indexeddb.ts', 'storage/schema.ts'];
  const missing = needed.filter((f) => !existsSync(src(f)));
  if (missing.length) {
    const md = `Not run: @threadline/core is not there yet (missing ${missing.map((f) => `packages/core/src/${f}`).join(', ')}).`;
    if (!quiet) console.log(`\n## Storage (\`pnpm bench:storage\`)\n\n${md}`);
    return { md };
  }
  const { outfile } = await bundle({
    name: 'storage-core',
    contents:
      `import { createClient } from ${JSON.stringify(src('index.ts'))};\n` +
      `import { LocalStore } from ${JSON.stringify(src('storage/local-store.ts'))};\n` +
      `import { indexedDbStorage } from ${JSON.stringify(src('storage/indexeddb.ts'))};\n` +
      `import { SCHEMA_VERSION } from ${JSON.stringify(src('storage/schema.ts'))};\n` +
      `(window as any).TLBench = { createClient, LocalStore, indexedDbStorage, SCHEMA_VERSION };\n`,
    resolveDir: CORE_DIR,
    conditions: ['source'],
  });
  const server = await startStaticServer({
    '/core.js': () => ({ body: readFileSync(outfile), type: 'text/javascript' }),
    '/bench.js': () => ({ body: PAGE_JS, type: 'text/javascript' }),
    '/index.html': () => ({
      body: '<!doctype html><meta charset="utf-8"><title>storage</title><ul id="thread"></ul><script src="/core.js"></script><script src="/bench.js"></script>',
      type: 'text/html',
    }),
  });
  const browser = await launchChromium();
  const fresh = async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.origin}/index.html`);
    return { context, page };
  };
  const open = {};
  let append = null;
  let outbox = null;
  let memory = null;
  try {
    for (const n of SIZES) {
      const runs = [];
      for (let i = 0; i < RUNS; i++) {
        const seedCtx = await fresh();
        await seedCtx.page.evaluate((k) => window.seed(k), n);
        // A new page in the same context: storage is on disk in the profile, the JS heap is fresh.
        const page = await seedCtx.context.newPage();
        await page.goto(`${server.origin}/index.html`);
        await seedCtx.page.close();
        runs.push(await page.evaluate(() => window.openAndRender()));
        if (n === 10_000 && i === 0) {
          const cdp = await seedCtx.context.newCDPSession(page);
          const heap = async () => {
            await cdp.send('HeapProfiler.collectGarbage');
            return (await cdp.send('Runtime.getHeapUsage')).usedSize;
          };
          const opened = await heap();
          await page.evaluate(() => window.__client.destroy());
          await page.evaluate(() => {
            window.__client = null;
            document.getElementById('thread').replaceChildren();
          });
          const base = await heap();
          await page.evaluate(() => window.openAndRender());
          const reopened = await heap();
          const loaded = await page.evaluate(() => window.loadAll());
          const all = await heap();
          memory = { opened: reopened - base, all: all - base, loaded, openedAbs: opened };
        }
        await seedCtx.context.close();
      }
      open[n] = {
        readyMs: median(runs.map((r) => r.readyMs)),
        renderMs: median(runs.map((r) => r.renderMs)),
        shown: runs[0].shown,
        storage: runs[0].storage,
      };
      log(`storage: ${n} messages → ready ${ms(open[n].readyMs, 1)}, drawn ${ms(open[n].renderMs, 1)} (${open[n].shown} shown, ${open[n].storage})`);
    }
    {
      const appendRuns = [];
      for (let i = 0; i < Math.min(RUNS, 3); i++) {
        const { context, page } = await fresh();
        appendRuns.push(await page.evaluate(() => window.appendEach(1000)));
        await context.close();
      }
      const all = appendRuns.flatMap((r) => r.times);
      append = { totalMs: median(appendRuns.map((r) => r.totalMs)), p50: percentile(all, 50), p95: percentile(all, 95), p99: percentile(all, 99) };
      log(`storage: append 1000 → ${ms(append.totalMs)} (${ms(append.p50, 2)} p50 per message)`);
    }
    {
      const { context, page } = await fresh();
      const times = await page.evaluate(() => window.outboxWrites(300));
      await context.close();
      outbox = { p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99) };
      log(`storage: outbox write p50 ${ms(outbox.p50, 2)}`);
    }
  } finally {
    await browser.close();
    await server.close();
  }

  const kib = (b) => (b == null ? '—' : `${(b / 1024).toFixed(0)} KiB`);
  const rows = SIZES.map((n) => [
    `Open a stored thread of ${n.toLocaleString('en')} messages`,
    ms(open[n].readyMs, 1),
    ms(open[n].renderMs, 1),
    `${open[n].shown} messages drawn (storage: ${open[n].storage})`,
  ]);
  const md = [
    `Chromium headless, real IndexedDB; median of ${RUNS} runs, fresh browser context each.`,
    '',
    table(['Case', 'createClient → ready', 'createClient → first render', 'Notes'], rows, ['l', 'r', 'r', 'l']),
    '',
    table(
      ['Figure', 'Value'],
      [
        ['Append 1,000 messages one by one (LocalStore.putMessages, awaited)', `${ms(append.totalMs)} total; per message p50 ${ms(append.p50, 2)}, p95 ${ms(append.p95, 2)}, p99 ${ms(append.p99, 2)}`],
        ['Outbox write (LocalStore.putOutbox, 300 writes)', `p50 ${ms(outbox.p50, 2)}, p95 ${ms(outbox.p95, 2)}, p99 ${ms(outbox.p99, 2)}`],
        ['JS heap held by a 10,000-message thread, opened (newest page)', kib(memory?.opened)],
        [`JS heap with its whole history loaded (${memory?.loaded ?? '—'} messages)`, kib(memory?.all)],
      ],
      ['l', 'l'],
    ),
    '',
    '"Ready": the client\'s snapshot is `ready` with the thread listed (read from IndexedDB). "First render": its loaded messages drawn as DOM nodes and one animation frame passed. Heap: `Runtime.getHeapUsage` after a forced GC, minus the same page after the client was destroyed.',
  ].join('\n');
  if (!quiet) {
    console.log('\n## Storage (`pnpm bench:storage`)\n');
    console.log(md);
  }
  saveResult('storage', { markdown: md, open, append, outbox, memory });
  return { md };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  runStorage().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
