/**
 * The order bot as a brand would run it: an HTTP service beside Threadline that talks to it only
 * through the public API (docs/bots.md walks through the loop):
 *
 * 1. at start, it registers its webhook endpoint (`POST /v1/webhooks`, `message.created`), after
 *    removing the ones an earlier run of it left (`GET`/`DELETE /v1/webhooks`: the signing secret
 *    is shown only on creation), and turns the app's bot on (`PUT /v1/bot`), keeping its handoff
 *    words;
 * 2. each delivery is checked (`Threadline-Signature`, HMAC-SHA256 under that secret, at most 5
 *    minutes old) and answered 204 at once; a delivery seen before (`Threadline-Delivery`, the same
 *    on every retry) is not handled twice;
 * 3. a visitor's message in a thread whose `assignee.kind` is `bot` goes to the bot (bot.mjs); its
 *    replies are posted with `POST /v1/threads/:id/messages` (author kind `bot`, cards, a form)
 *    with an `Idempotency-Key` made from the delivery id, so a delivery handled again after a crash
 *    posts nothing twice; a handoff is `POST /v1/threads/:id/assign` `{ to: 'queue', reason }`.
 *
 * Messages of one thread are handled one after another, in the order they arrive; threads in
 * parallel. A reply the API refuses for good (4xx) is logged and dropped; a 5xx or a network
 * error is tried again 3 times with a growing wait.
 */
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import { verifyWebhook } from '@threadline/server';
import { createOrderBot } from './bot.mjs';

const HOOK_PATH = '/hooks/threadline';
/** How many delivery ids are remembered to drop repeats (the oldest go first). */
const SEEN_MAX = 10_000;

/**
 * Starts the bot's HTTP service on `host:port` (port 0: any free one) and registers it with the
 * Threadline server at `serverUrl` under `apiKey`. `orders` is the shop's order system
 * (examples/shop/orders.mjs).
 * Resolves to `{ url, close(), stats }` once registered.
 */
export async function startOrderBot({ serverUrl, apiKey, orders, name = 'Northwind Assistant', host = '127.0.0.1', port = 0, log = console }) {
  const bot = createOrderBot({ orders });
  const author = { kind: 'bot', name };
  const seen = new Set();
  /** threadId → the tail of its handling chain */
  const chains = new Map();
  const stats = { deliveries: 0, repeats: 0, refused: 0, handled: 0, replies: 0, handoffs: 0, errors: 0 };
  let secret = null;

  async function api(method, path, body, headers = {}) {
    for (let attempt = 0; ; attempt++) {
      let res;
      try {
        res = await fetch(new URL(path, serverUrl), {
          method,
          headers: { authorization: `Bearer ${apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
          body: body ? JSON.stringify(body) : undefined,
          signal: AbortSignal.timeout(10_000),
        });
      } catch (err) {
        if (attempt >= 3) throw err;
        await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
        continue;
      }
      if (res.status >= 500 && attempt < 3) {
        await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
        continue;
      }
      const data = res.status === 204 ? null : await res.json().catch(() => null);
      if (!res.ok) throw Object.assign(new Error(`${method} ${path}: ${res.status} ${data?.error?.code ?? ''} ${data?.error?.message ?? ''}`.trim()), { status: res.status, code: data?.error?.code });
      return data;
    }
  }

  async function handle(deliveryId, data) {
    const { message, threadId, userId, assignee } = data;
    if (message.author.kind !== 'visitor' || assignee?.kind !== 'bot') return;
    stats.handled += 1;
    const answer = bot.respond({ threadId, message, userId });
    let i = 0;
    for (const reply of answer.replies) {
      // The same delivery handled again (the service restarted before its 204 got through) posts
      // the same messages under the same keys: the server answers with the ones already stored.
      const key = createHash('sha256').update(`${deliveryId}:${i++}`).digest('base64url');
      try {
        const { message: posted } = await api('POST', `/v1/threads/${threadId}/messages`, { text: reply.text, author, ...(reply.blocks ? { blocks: reply.blocks } : {}) }, { 'idempotency-key': key });
        stats.replies += 1;
        if (reply.form) bot.formPosted(posted.id, reply.attempt);
      } catch (err) {
        // `bot_not_assigned`: a person took the thread meanwhile; the bot stays silent.
        if (err.code === 'bot_not_assigned') return bot.forget(threadId);
        throw err;
      }
    }
    if (answer.handoff) {
      await api('POST', `/v1/threads/${threadId}/assign`, { to: 'queue', reason: answer.handoff.reason, by: author });
      stats.handoffs += 1;
      bot.forget(threadId);
    }
  }

  const server = createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== HOOK_PATH) {
      res.writeHead(404).end();
      return;
    }
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > 1_000_000) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      if (!secret || !verifyWebhook(secret, raw, String(req.headers['threadline-signature'] ?? ''))) {
        stats.refused += 1;
        res.writeHead(401).end();
        return;
      }
      res.writeHead(204).end();
      stats.deliveries += 1;
      let event;
      try {
        event = JSON.parse(raw);
      } catch {
        return;
      }
      if (event.type !== 'message.created') return;
      if (seen.has(event.id)) {
        stats.repeats += 1;
        return;
      }
      seen.add(event.id);
      if (seen.size > SEEN_MAX) seen.delete(seen.values().next().value);
      const threadId = event.data.threadId;
      const tail = (chains.get(threadId) ?? Promise.resolve())
        .then(() => handle(event.id, event.data))
        .catch((err) => {
          stats.errors += 1;
          log.warn?.(`order bot: ${err.message}`);
        });
      chains.set(threadId, tail);
      void tail.then(() => chains.get(threadId) === tail && chains.delete(threadId));
    });
  });
  await new Promise((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  const address = server.address();
  const url = `http://${host}:${address.port}${HOOK_PATH}`;

  try {
    // Endpoints an earlier run registered: their secrets are gone, and one on the same address
    // would deliver every event twice.
    const { items } = await api('GET', '/v1/webhooks');
    for (const hook of items) if (new URL(hook.url).pathname === HOOK_PATH) await api('DELETE', `/v1/webhooks/${hook.id}`);
    const created = await api('POST', '/v1/webhooks', { url, events: ['message.created'] });
    secret = created.secret;
    const settings = await api('GET', '/v1/bot');
    await api('PUT', '/v1/bot', { ...settings, enabled: true });
  } catch (err) {
    server.close();
    throw err;
  }

  return {
    url,
    stats,
    /** Stops taking deliveries and waits for the ones being handled. */
    async close() {
      await new Promise((resolve) => server.close(() => resolve()));
      await Promise.all([...chains.values()]);
    },
  };
}
