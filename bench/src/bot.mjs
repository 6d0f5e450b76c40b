// pnpm bench:bot — the demo's order bot (examples/order-bot) through the real loop: the demo shop
// as `pnpm start` runs it (reference server on SQLite + the bot service, in a child process),
// shoppers as socket.io clients speaking the widget's protocol in this process.
//
// 1. Latency: Alice (signed in) sends "where is my order?" in a new thread, BENCH_BOT_RUNS times
//    (default 200), one after another; measured from the send to the bot's card arriving on her
//    socket (what the widget receives; its drawing is not included — see docs/bots.md). Split by
//    the server's clock: the visitor's message stored → the bot's reply stored (the webhook's
//    delivery, the bot's work and its REST call).
//    Then the same in the widget, in Debian Chromium (BENCH_BOT_BROWSER_RUNS, default 200): Alice
//    signed in on the shop, a new conversation each run, timed in the page from the Enter key to
//    the frame after the bot's card is in the panel's DOM.
// 2. Share answered without a person: the 30 scripted conversations of
//    examples/order-bot/scenarios.json, each played step by step (texts, a text with a photo upload, a tap on
//    "Where is my order?", form answers) until the bot answers or the thread is the queue's.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { io } from 'socket.io-client';
import { ROOT_DIR, median, percentile, saveResult, table } from './lib/common.mjs';
import { startShop } from './lib/demo-proc.mjs';
import { DEMO_API_KEY, DEMO_SECRET, serverBuilt } from './lib/server-proc.mjs';
import { launchChromium } from './lib/browser.mjs';
import { PROTOCOL_VERSION } from '@threadline/protocol';
import { userHashOf } from '@threadline/server';

const RUNS = Number(process.env.BENCH_BOT_RUNS || 200);
const BROWSER_RUNS = Number(process.env.BENCH_BOT_BROWSER_RUNS ?? 200);
const SCENARIOS = JSON.parse(readFileSync(join(ROOT_DIR, 'examples/order-bot/scenarios.json'), 'utf8')).scenarios;
/** How long a step may wait for the bot's answer or a handoff before it counts as unanswered. */
const STEP_TIMEOUT_MS = 8000;
/** A 1×1 PNG (the server sniffs the bytes: a photo must be one). */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

function v7() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  const now = BigInt(Date.now());
  for (let i = 0; i < 6; i++) b[i] = Number((now >> BigInt(8 * (5 - i))) & 0xffn);
  b[6] = 0x70 | (b[6] & 0x0f);
  b[8] = 0x80 | (b[8] & 0x3f);
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A shopper's connection: messages and thread changes as they arrive, and `send`. */
async function connectShopper(origin, { alice }) {
  const auth = { appId: 'demo', v: PROTOCOL_VERSION, ...(alice ? { userId: 'alice', userHash: userHashOf(DEMO_SECRET, 'alice') } : {}) };
  const socket = io(origin, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
  const listeners = new Set();
  socket.on('message', (m) => listeners.forEach((l) => l('message', m)));
  socket.on('thread', (t) => listeners.forEach((l) => l('thread', t)));
  const session = await new Promise((resolve, reject) => {
    socket.once('session', resolve);
    socket.once('connect_error', reject);
  });
  return {
    session,
    close: () => socket.close(),
    send: (input) =>
      new Promise((resolve, reject) =>
        socket.timeout(10_000).emit('message.send', input, (err, ack) => (err ? reject(err) : ack.ok ? resolve(ack) : reject(new Error(`${ack.error.code}: ${ack.error.message}`)))),
      ),
    /** Resolves with the first event `match` returns something for, or null after `timeoutMs`. */
    waitFor(match, timeoutMs) {
      return new Promise((resolve) => {
        const done = (v) => {
          clearTimeout(timer);
          listeners.delete(listener);
          resolve(v);
        };
        const listener = (kind, payload) => {
          const v = match(kind, payload);
          if (v) done(v);
        };
        const timer = setTimeout(() => done(null), timeoutMs);
        listeners.add(listener);
      });
    },
  };
}

async function measureLatency(origin, log) {
  const alice = await connectShopper(origin, { alice: true });
  const total = [];
  const serverSide = [];
  let missing = 0;
  try {
    for (let i = 0; i < RUNS; i++) {
      const threadId = v7();
      const card = alice.waitFor((kind, m) => kind === 'message' && m.threadId === threadId && m.author.kind === 'bot' && m.blocks?.length && m, STEP_TIMEOUT_MS);
      const t0 = performance.now();
      const sent = await alice.send({ threadId, create: true, clientId: v7(), text: 'where is my order?' });
      const reply = await card;
      if (!reply) {
        missing += 1;
        continue;
      }
      total.push(performance.now() - t0);
      serverSide.push(Date.parse(reply.createdAt) - Date.parse(sent.message.createdAt));
      if ((i + 1) % 50 === 0) log(`bot: ${i + 1}/${RUNS} runs`);
    }
  } finally {
    alice.close();
  }
  return { total, serverSide, missing };
}

/**
 * In the widget: Alice on the shop's home page in Chromium; each run opens a new conversation,
 * writes "where is my order?" and waits for the bot's card. Timed in the page (performance.now()):
 * from the Enter key's keydown to the animation frame after the first new card is in the DOM.
 */
async function measureInWidget(origin, log) {
  const browser = await launchChromium();
  const times = [];
  let missing = 0;
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    await page.goto(`${origin}/`);
    await page.getByRole('button', { name: 'Sign in as Alice' }).click();
    await page.getByRole('button', { name: 'Sign out (Alice)' }).waitFor();
    await page.getByRole('button', { name: /^Open messages/ }).click();
    const composer = page.getByRole('textbox', { name: 'Message' });
    for (let i = 0; i < BROWSER_RUNS; i++) {
      // A new conversation each time: the bot hands a thread over after two answers in a row.
      const back = page.getByRole('button', { name: 'Back to conversations' });
      if (await back.isVisible()) await back.click();
      await page.getByRole('button', { name: 'Send us a message' }).click({ timeout: 10_000 }).catch(async (err) => {
        if (process.env.BENCH_BOT_DEBUG) await page.screenshot({ path: '/tmp/bench-bot-widget.png' });
        throw err;
      });
      await composer.fill('where is my order?');
      const timing = page.evaluate(
        (timeoutMs) =>
          new Promise((resolve) => {
            const root = document.querySelector('[data-threadline]').shadowRoot;
            const before = root.querySelectorAll('.rich-card').length;
            let t0 = null;
            const input = root.querySelector('textarea, [role="textbox"]');
            input.addEventListener('keydown', (e) => e.key === 'Enter' && t0 === null && (t0 = performance.now()), { capture: true });
            const done = (v) => {
              observer.disconnect();
              clearTimeout(timer);
              resolve(v);
            };
            const observer = new MutationObserver(() => {
              if (t0 !== null && root.querySelectorAll('.rich-card').length > before) requestAnimationFrame(() => done(performance.now() - t0));
            });
            observer.observe(root, { childList: true, subtree: true });
            const timer = setTimeout(() => done(null), timeoutMs);
          }),
        STEP_TIMEOUT_MS,
      );
      await composer.press('Enter');
      const ms = await timing;
      if (ms === null) missing += 1;
      else times.push(ms);
      if ((i + 1) % 50 === 0) log(`bot: ${i + 1}/${BROWSER_RUNS} runs in the widget`);
    }
  } finally {
    await browser.close();
  }
  return { times, missing };
}

async function upload(origin, token) {
  const form = new FormData();
  form.append('file', new Blob([PNG], { type: 'image/png' }), 'parcel.png');
  const res = await fetch(`${origin}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  if (!res.ok) throw new Error(`upload: ${res.status} ${await res.text()}`);
  return (await res.json()).attachment.id;
}

/** Plays one scripted conversation; resolves to 'answered', 'person' or 'unanswered'. */
async function play(origin, scenario) {
  const shopper = await connectShopper(origin, { alice: scenario.signedIn });
  const threadId = v7();
  let created = false;
  let lastForm = null;
  // Who handles the thread, from every thread change the shopper hears (a handoff's may come
  // before or after the bot's last words).
  let person = false;
  const watch = shopper.waitFor((kind, p) => kind === 'thread' && p.id === threadId && p.assignee && p.assignee.kind !== 'bot' && (person = true), 120_000);
  const handedOver = (ms) => (person ? Promise.resolve(true) : Promise.race([watch, new Promise((r) => setTimeout(() => r(false), ms))]));
  try {
    for (const step of scenario.messages) {
      const reply = shopper.waitFor((kind, p) => (kind === 'message' && p.threadId === threadId && p.author.kind === 'bot' ? p : null), STEP_TIMEOUT_MS);
      const input = { threadId, clientId: v7(), ...(created ? {} : { create: true }) };
      if (typeof step === 'string') input.text = step;
      else if (step.photo) Object.assign(input, { text: step.text ?? '', attachmentIds: [await upload(origin, shopper.session.token)] });
      else if (step.reply) Object.assign(input, { text: 'Where is my order?', quickReply: step.reply });
      else Object.assign(input, { text: `${step.form.order} · ${step.form.email}`, form: { messageId: lastForm, values: step.form } });
      await shopper.send(input);
      created = true;
      // The bot's answer, or the server's handoff (a handoff word: the bot is not asked).
      const got = await Promise.race([reply, watch.then(() => 'person')]);
      if (process.env.BENCH_BOT_DEBUG) console.error('step', scenario.id, JSON.stringify(step), got === 'person' ? 'person' : got && { text: got.text.slice(0, 60), blocks: got.blocks?.map((b) => b.type) });
      if (person || got === 'person') return 'person';
      if (!got) continue;
      if (got.blocks?.some((b) => b.type === 'form')) lastForm = got.id;
      if (got.blocks?.some((b) => b.type === 'card' || b.type === 'carousel')) return 'answered';
      // Words that hand over come just before the handoff itself.
      if (await handedOver(2000)) return 'person';
    }
    return (await handedOver(2000)) ? 'person' : 'unanswered';
  } finally {
    shopper.close();
  }
}

export async function runBot({ quiet = false } = {}) {
  const log = (...a) => quiet || console.error(...a);
  if (!serverBuilt()) {
    const md = 'Not measured: the reference server is not built; run `pnpm build`.';
    if (!quiet) console.log(`\n## Order bot (\`pnpm bench:bot\`)\n\n${md}`);
    return { md };
  }
  const shop = await startShop({
    env: {
      THREADLINE_DEMO_API_KEY: DEMO_API_KEY,
      THREADLINE_DEMO_SECRET: DEMO_SECRET,
      LOG_LEVEL: 'error',
      // One shopper sends hundreds of messages a minute here: the per-visitor budget is not what is measured.
      THREADLINE_RATE_VISITOR_EVENTS: '1000000',
    },
  });
  let latency;
  const outcomes = [];
  try {
    log(`bot: demo at ${shop.origin}; ${RUNS} runs of "where is my order?", then ${SCENARIOS.length} scripted conversations`);
    latency = await measureLatency(shop.origin, log);
    if (BROWSER_RUNS > 0) latency.widget = await measureInWidget(shop.origin, log);
    for (const s of SCENARIOS) outcomes.push({ id: s.id, lang: s.lang, expected: s.expected, got: await play(shop.origin, s) });
  } finally {
    await shop.stop();
  }
  const f = (v) => `${v.toFixed(0)} ms`;
  const answered = outcomes.filter((o) => o.got === 'answered').length;
  const byLang = ['en', 'zh-CN', 'zh-TW'].map((lang) => {
    const of = outcomes.filter((o) => o.lang === lang);
    return [lang, String(of.length), String(of.filter((o) => o.got === 'answered').length), String(of.filter((o) => o.got === 'person').length), String(of.filter((o) => o.got === 'unanswered').length)];
  });
  const unexpected = outcomes.filter((o) => o.got !== o.expected);
  const md = [
    `"Where is my order?" → the bot's card on Alice's socket, ${latency.total.length} of ${RUNS} runs (${latency.missing} without a card within ${STEP_TIMEOUT_MS / 1000} s):`,
    '',
    table(
      ['Figure', 'p50', 'p95', 'max'],
      [
        ['send → card received (what the widget gets)', f(median(latency.total)), f(percentile(latency.total, 95)), f(Math.max(...latency.total))],
        ["… of which the visitor's message stored → the bot's reply stored (webhook, bot, REST; server clock, ms)", f(median(latency.serverSide)), f(percentile(latency.serverSide, 95)), f(Math.max(...latency.serverSide))],
        ...(latency.widget?.times.length
          ? [[`in the widget (Chromium): Enter → the card drawn, ${latency.widget.times.length} of ${BROWSER_RUNS} runs${latency.widget.missing ? ` (${latency.widget.missing} without a card)` : ''}`, f(median(latency.widget.times)), f(percentile(latency.widget.times, 95)), f(Math.max(...latency.widget.times))]]
          : []),
      ],
      ['l', 'r', 'r', 'r'],
    ),
    '',
    `Scripted conversations (examples/order-bot/scenarios.json) answered without a person: **${answered} of ${outcomes.length}** (${Math.round((answered / outcomes.length) * 100)} %).`,
    '',
    table(['Language', 'Conversations', 'Answered by the bot', 'Handed to a person', 'Neither'], byLang, ['l', 'r', 'r', 'r', 'r']),
    '',
    unexpected.length ? `Not as expected: ${unexpected.map((o) => `#${o.id} (${o.expected} → ${o.got})`).join(', ')}.` : 'Every conversation ended as scenarios.json expects.',
  ].join('\n');
  saveResult('bot', { runs: RUNS, latency, outcomes, md });
  if (!quiet) console.log(`\n## Order bot (\`pnpm bench:bot\`)\n\n${md}`);
  return { md, latency, outcomes };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runBot();
}
