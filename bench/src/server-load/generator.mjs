// Load generator for bench:server, in its own process: N widgets, each a real socket.io-client
// visitor connection speaking the Threadline protocol the way the core does — one thread per
// widget, an ordered outbox sending one message at a time with its clientId, retries with the same
// clientId after a timeout or a reconnect, `sync` with its cursor after every reconnect — plus
// brand pushes through the REST API (POST /v1/proactive). Driven by the parent over IPC.
import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { io } from 'socket.io-client';
import { mainThreadSched, raisePriority, schedSince } from './sched.mjs';

const nice = raisePriority();
const TICK_MS = 10;
const ACK_TIMEOUT_MS = 5000;

let cfg = null;
const widgets = [];
let phase = 'idle'; // idle | ramp | sustain | crash | verify
const stats = newStats();
const pushT0 = new Map();
const LAG_RES_MS = 5;
const lag = monitorEventLoopDelay({ resolution: LAG_RES_MS });
lag.enable();
// Stalls of this process over 50 ms (wall-clock start, length): a late ack callback here looks
// like a slow server, so these are told apart from the server's own.
const genStalls = [];
let genTick = performance.now();
setInterval(() => {
  const now = performance.now();
  if (now - genTick - 10 > 50) genStalls.push({ wallAt: performance.timeOrigin + genTick, ms: now - genTick - 10 });
  genTick = now;
}, 10).unref();

function newStats() {
  return { ackMs: [], ackAt: [], acked: 0, dupAcks: 0, timeouts: 0, errors: {}, pushes: 0, pushFailed: 0, pushErrors: {}, pushHttpMs: [], pushDeliveryMs: [], pushDelivered: 0, started: 0 };
}

const send = (msg) => process.send?.(msg);

/**
 * BENCH_SERVER_TIMELINE=1: the sustained phase second by second on stderr — acks sent in that
 * second, their p50 / p99 / max, and the error answers so far — to see when the slow acks happen
 * (a tail from the first seconds and one spread evenly have different causes).
 */
function printTimeline(t0) {
  const bySecond = [];
  stats.ackAt.forEach((at, i) => {
    const s = Math.floor((at - t0) / 1000);
    (bySecond[s] ??= []).push(stats.ackMs[i]);
  });
  const lines = bySecond.map(
    (a, s) => `${String(s).padStart(3)} s  ${String(a.length).padStart(5)} acks  p50 ${pct(a, 50).toFixed(1).padStart(8)}  p99 ${pct(a, 99).toFixed(1).padStart(8)}  max ${pct(a, 100).toFixed(0).padStart(6)} ms`,
  );
  console.error(`timeline (second of sustain, by send time):\n${lines.join('\n')}\nerrors: ${JSON.stringify(stats.errors)}, timeouts ${stats.timeouts}`);
}

class Widget {
  constructor(i) {
    this.i = i;
    this.threadId = randomUUID();
    this.created = false;
    this.token = null;
    this.visitorId = null;
    this.connected = false;
    this.everConnected = false;
    this.enqueued = []; // every clientId, in send order
    this.outbox = [];
    this.inflight = null;
    this.acked = new Map(); // clientId → seq
    this.lastSeq = 0;
    this.seen = new Set();
    this.syncedAt = 0;
    this.lostAt = 0;
  }

  connect() {
    this.socket = io(cfg.url, {
      transports: ['websocket'],
      // Behind nginx (the cluster preset), widgets connect from many loopback addresses: nginx
      // balances by client address.
      localAddress: cfg.localAddresses?.length ? cfg.localAddresses[this.i % cfg.localAddresses.length] : undefined,
      auth: (cb) => cb({ appId: 'demo', v: 1, ...(this.token ? { token: this.token } : {}) }),
      reconnectionDelay: 300,
      reconnectionDelayMax: 2000,
      randomizationFactor: 0.5,
      timeout: 20_000,
    });
    this.socket.on('session', (s) => {
      this.token = s.token;
      this.visitorId = s.visitorId;
    });
    this.socket.on('connect', () => {
      this.connected = true;
      this.everConnected = true;
      this.connectedAt = performance.now();
      void this.sync().then(() => this.pump());
    });
    this.socket.on('disconnect', () => {
      this.connected = false;
      this.lostAt = performance.now();
    });
    // As the widget's core does: a handshake the server refused for now (busy, rate limited) is
    // tried again after a growing, jittered wait (socket.io does not reconnect after a refusal).
    this.socket.on('connect_error', (err) => {
      const code = err?.data?.code;
      const detail = err?.description?.message ?? err?.description?.code;
      this.lastRefusal = `${code ?? err?.message ?? 'error'}${detail ? ` (${detail})` : ''}${this.socket.active ? '' : ' (inactive)'}`;
      if (this.socket.active || !['rate_limited', 'unavailable', 'internal'].includes(code)) return;
      this.refusals = (this.refusals ?? 0) + 1;
      const wait = Math.min(30_000, 1000 * 2 ** Math.min(this.refusals, 5)) * (0.5 + Math.random() / 2);
      setTimeout(() => this.socket.connect(), Math.max(wait, err.data.retryAfterMs ?? 0));
    });
    this.socket.on('connect', () => {
      this.refusals = 0;
    });
    this.socket.on('message', (m) => this.apply(m));
    this.socket.on('proactive', (p) => {
      const t0 = pushT0.get(p.text);
      if (t0 !== undefined) {
        pushT0.delete(p.text);
        stats.pushDelivered++;
        if (phase === 'sustain') stats.pushDeliveryMs.push(performance.now() - t0);
      }
    });
  }

  apply(m) {
    if (m.threadId !== this.threadId || this.seen.has(m.id)) return;
    this.seen.add(m.id);
    if (m.seq > this.lastSeq) this.lastSeq = m.seq;
  }

  async sync() {
    if (!this.created) {
      this.syncedAt = performance.now();
      return;
    }
    for (let guard = 0; guard < 50; guard++) {
      const res = await this.socket
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck('sync', { cursors: { [this.threadId]: this.lastSeq } })
        .catch(() => null);
      if (!res || !res.ok) {
        if (!this.connected) return;
        // Refused for now (`unavailable`: the server is behind): back when it says.
        await new Promise((r) => setTimeout(r, res?.error?.retryAfterMs ?? 200));
        continue;
      }
      for (const m of res.messages) this.apply(m);
      if (!res.more) break;
    }
    this.syncedAt = performance.now();
  }

  enqueue() {
    const clientId = randomUUID();
    this.enqueued.push(clientId);
    this.outbox.push({ clientId, text: `w${this.i} m${this.enqueued.length}` });
    this.pump();
  }

  pump() {
    if (this.inflight || !this.connected || this.outbox.length === 0) return;
    const item = this.outbox[0];
    this.inflight = item;
    const t0 = performance.now();
    const input = { threadId: this.threadId, clientId: item.clientId, text: item.text, ...(this.created ? {} : { create: true }) };
    this.socket.timeout(ACK_TIMEOUT_MS).emit('message.send', input, (err, res) => {
      this.inflight = null;
      if (err) {
        stats.timeouts++;
        setTimeout(() => this.pump(), 100);
        return;
      }
      if (!res.ok) {
        const code = res.error?.code ?? 'unknown';
        stats.errors[code] = (stats.errors[code] ?? 0) + 1;
        if (code === 'rate_limited' || code === 'internal' || code === 'unavailable') {
          setTimeout(() => this.pump(), res.error?.retryAfterMs ?? 250);
        } else {
          this.outbox.shift(); // permanent failure: counted, not retried
          this.pump();
        }
        return;
      }
      this.created = true;
      this.outbox.shift();
      this.acked.set(item.clientId, res.message.seq);
      if (res.duplicate) stats.dupAcks++;
      stats.acked++;
      if (phase === 'sustain') {
        stats.ackMs.push(performance.now() - t0);
        stats.ackAt.push(t0);
      }
      this.apply(res.message);
      this.pump();
    });
  }

  /**
   * Connected, synced since it last connected, outbox flushed. With `everyone` (one server, all
   * widgets lost their connection) it must also have connected again after `since`; otherwise
   * (a cluster that lost one node) only a widget that lost its connection after `since` must have.
   */
  caughtUp(since, everyone = true) {
    const reconnected = everyone ? this.connectedAt >= since : this.lostAt < since || this.connectedAt >= this.lostAt;
    return this.connected && reconnected && this.syncedAt >= this.connectedAt && this.outbox.length === 0 && !this.inflight;
  }

  /** The whole thread as the server has it, oldest first. */
  async serverThread() {
    if (!this.created) return [];
    const all = [];
    let after = 0;
    for (let guard = 0; guard < 1000; guard++) {
      const res = await this.socket.timeout(10_000).emitWithAck('messages.list', { threadId: this.threadId, after, limit: 200 });
      if (!res.ok) throw new Error(`messages.list: ${res.error?.code}`);
      all.push(...res.items);
      if (!res.more || res.items.length === 0) break;
      after = res.items[res.items.length - 1].seq;
    }
    return all;
  }
}

async function ramp() {
  phase = 'ramp';
  const t0 = performance.now();
  const gap = cfg.rampMs / cfg.n;
  for (let i = 0; i < cfg.n; i++) {
    const w = new Widget(i);
    widgets.push(w);
    w.connect();
    if (gap >= 1) await new Promise((r) => setTimeout(r, gap));
  }
  while (widgets.some((w) => !w.connected || !w.visitorId)) await new Promise((r) => setTimeout(r, 50));
  return performance.now() - t0;
}

let trafficTimer = null;
let crashAt = 0;
function startTraffic({ pushes }) {
  let msgCredit = 0;
  let pushCredit = 0;
  let next = 0;
  let last = performance.now();
  let pushN = 0;
  trafficTimer = setInterval(() => {
    const now = performance.now();
    const dt = (now - last) / 1000;
    last = now;
    msgCredit += cfg.msgRate * dt;
    while (msgCredit >= 1) {
      msgCredit -= 1;
      widgets[next].enqueue();
      next = (next + 1) % widgets.length;
      stats.started++;
    }
    if (!pushes) return;
    pushCredit += cfg.pushRate * dt;
    while (pushCredit >= 1) {
      pushCredit -= 1;
      const w = widgets[Math.floor(Math.random() * widgets.length)];
      if (!w.visitorId) continue;
      const text = `push ${++pushN}`;
      const t0 = performance.now();
      pushT0.set(text, t0);
      stats.pushes++;
      fetch(`${cfg.url}/v1/proactive`, {
        method: 'POST',
        headers: { authorization: `Bearer ${cfg.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ to: { visitorId: w.visitorId }, text }),
      }).then(
        async (r) => {
          await r.arrayBuffer();
          if (r.status !== 202) {
            stats.pushFailed++;
            stats.pushErrors[`HTTP ${r.status}`] = (stats.pushErrors[`HTTP ${r.status}`] ?? 0) + 1;
            pushT0.delete(text);
          } else if (phase === 'sustain') stats.pushHttpMs.push(performance.now() - t0);
        },
        (err) => {
          stats.pushFailed++;
          const why = err?.cause?.code ?? err?.name ?? 'network error';
          stats.pushErrors[why] = (stats.pushErrors[why] ?? 0) + 1;
          pushT0.delete(text);
        },
      );
    }
  }, TICK_MS);
}

function stopTraffic() {
  clearInterval(trafficTimer);
  trafficTimer = null;
}

/** Why the widgets not caught up are not: what each still waits for (the first reason that holds), counted. */
function whyBehind(since, everyone) {
  const behind = {};
  for (const w of widgets) {
    if (w.caughtUp(since, everyone)) continue;
    const why = !w.connected ? `not connected${w.lastRefusal ? `, last refusal: ${w.lastRefusal}` : ''}` : w.syncedAt < w.connectedAt ? 'not synced' : w.inflight ? 'send in flight' : w.outbox.length ? 'outbox waiting' : 'not reconnected';
    behind[why] = (behind[why] ?? 0) + 1;
  }
  return behind;
}

async function verify() {
  phase = 'verify';
  let lost = 0;
  let unsent = 0;
  let duplicated = 0;
  let reordered = 0;
  let seqMismatch = 0;
  let messages = 0;
  let failed = 0;
  const queue = [...widgets];
  const worker = async () => {
    for (let w = queue.shift(); w; w = queue.shift()) {
      let thread;
      try {
        thread = await w.serverThread();
      } catch {
        failed++;
        continue;
      }
      const mine = thread.filter((m) => m.author?.kind === 'visitor');
      messages += mine.length;
      const count = new Map();
      for (const m of mine) count.set(m.clientId, (count.get(m.clientId) ?? 0) + 1);
      for (const id of w.enqueued) {
        const c = count.get(id) ?? 0;
        // Lost: acked, yet not stored. Not acked and not stored: still in the outbox (the wait for
        // the widgets to catch up ran out), which the server never had.
        if (c === 0 && w.acked.has(id)) lost++;
        else if (c === 0) unsent++;
        if (c > 1) duplicated += c - 1;
      }
      // Order: the server's seq order of this widget's messages must be its send order.
      const order = mine.map((m) => m.clientId);
      const expected = w.enqueued.filter((id) => count.has(id));
      const unique = [...new Set(order)];
      if (unique.join() !== expected.join()) reordered++;
      for (const m of mine) if (w.acked.has(m.clientId) && w.acked.get(m.clientId) !== m.seq) seqMismatch++;
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  const enqueued = widgets.reduce((a, w) => a + w.enqueued.length, 0);
  return { enqueued, stored: messages, lost, unsent, duplicated, reordered, seqMismatch, unverified: failed };
}

process.on('message', async (msg) => {
  try {
    if (msg.type === 'ramp') {
      cfg = msg.cfg;
      const rampMs = await ramp();
      send({ type: 'ramped', rampMs, connected: widgets.filter((w) => w.connected).length });
    } else if (msg.type === 'sustain') {
      Object.assign(stats, newStats());
      lag.reset();
      genStalls.length = 0;
      const sched0 = mainThreadSched();
      phase = 'sustain';
      const t0 = performance.now();
      startTraffic({ pushes: true });
      await new Promise((r) => setTimeout(r, msg.ms));
      const elapsed = (performance.now() - t0) / 1000;
      if (process.env.BENCH_SERVER_TIMELINE) printTimeline(t0);
      const snapshot = { ...stats, elapsed, genLagP99Ms: Math.max(0, lag.percentile(99) / 1e6 - LAG_RES_MS), genLagMaxMs: Math.max(0, lag.max / 1e6 - LAG_RES_MS), genStalls: [...genStalls], genSched: schedSince(sched0), genNice: nice };
      phase = 'crash-wait';
      // Traffic goes on (messages only) until the parent has killed the server.
      stopTraffic();
      startTraffic({ pushes: false });
      send({ type: 'sustained', stats: summarise(snapshot) });
    } else if (msg.type === 'stop-traffic') {
      // The server is being killed now: shoppers keep typing for `afterMs` while it is down.
      phase = 'crash';
      crashAt = performance.now();
      await new Promise((r) => setTimeout(r, msg.afterMs ?? 0));
      stopTraffic();
      const pending = widgets.reduce((a, w) => a + w.outbox.length, 0);
      send({ type: 'traffic-stopped', pending, inflight: widgets.filter((w) => w.inflight).length });
    } else if (msg.type === 'await-caught-up') {
      const since = crashAt;
      const deadline = performance.now() + msg.timeoutMs;
      let t = performance.now();
      const everyone = msg.everyone ?? true;
      let reportAt = t + 10_000;
      while (!widgets.every((w) => w.caughtUp(since, everyone)) && t < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        t = performance.now();
        if (process.env.BENCH_SERVER_TIMELINE && t >= reportAt) {
          reportAt += 10_000;
          console.error(`${((t - since) / 1000).toFixed(0)} s after the kill, not caught up: ${JSON.stringify(whyBehind(since, everyone))}`);
        }
      }
      const done = widgets.filter((w) => w.caughtUp(since, everyone)).length;
      const reconnected = widgets.filter((w) => w.lostAt >= since).length;
      const behind = whyBehind(since, everyone);
      if (Object.keys(behind).length) console.error(`not caught up: ${JSON.stringify(behind)}`);
      send({ type: 'caught-up', at: performance.timeOrigin + t, done, of: widgets.length, reconnected, behind });
    } else if (msg.type === 'dump') {
      // What each widget sent, in order, for a verdict read straight from the database.
      send({ type: 'dumped', widgets: widgets.map((w) => ({ threadId: w.created ? w.threadId : null, enqueued: w.enqueued, acked: Object.fromEntries(w.acked) })) });
    } else if (msg.type === 'verify') {
      send({ type: 'verified', verdict: await verify() });
    } else if (msg.type === 'close') {
      for (const w of widgets) w.socket.close();
      process.exit(0);
    }
  } catch (err) {
    send({ type: 'error', error: String(err?.stack ?? err) });
  }
});

function pct(values, p) {
  if (!values.length) return null;
  const v = [...values].sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))];
}

function summarise(s) {
  return {
    elapsed: s.elapsed,
    started: s.started,
    acked: s.acked,
    msgRate: s.acked / s.elapsed,
    ackP50: pct(s.ackMs, 50),
    ackP95: pct(s.ackMs, 95),
    ackP99: pct(s.ackMs, 99),
    ackMax: pct(s.ackMs, 100),
    timeouts: s.timeouts,
    dupAcks: s.dupAcks,
    errors: s.errors,
    pushes: s.pushes,
    pushFailed: s.pushFailed,
    pushErrors: s.pushErrors,
    pushRate: (s.pushes - s.pushFailed) / s.elapsed,
    pushHttpP50: pct(s.pushHttpMs, 50),
    pushHttpP99: pct(s.pushHttpMs, 99),
    pushDeliveryP50: pct(s.pushDeliveryMs, 50),
    pushDeliveryP99: pct(s.pushDeliveryMs, 99),
    pushDelivered: s.pushDelivered,
    genLagP99Ms: s.genLagP99Ms,
    genLagMaxMs: s.genLagMaxMs,
    genStalls: s.genStalls,
    genSched: s.genSched,
    genNice: s.genNice,
  };
}

send({ type: 'ready' });
