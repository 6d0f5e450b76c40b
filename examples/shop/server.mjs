#!/usr/bin/env node
// The demo: the reference server on its embedded SQLite, plus — on the same origin — the shop
// (with the widget installed by its script tag), the agent console and the headless example.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import { configFromEnv, createServer, userHashOf } from '@threadline/server';
import { startOrderBot } from '@threadline/example-order-bot/service';
import { PRODUCTS } from './catalog.mjs';
import { seedDemoSettings } from './demo-settings.mjs';
import { orderSystem } from './orders.mjs';
import { renderPage } from './pages.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const examples = path.resolve(here, '..');

/** Demo users the shop can sign in as. Their identity is signed by the shop's "backend" (this file). */
const USERS = {
  alice: { userId: 'alice', name: 'Alice Martin', email: 'alice@example.com' },
};

export async function startDemo(env = process.env) {
  // The demo runs on this machine, and so do the webhook receivers people try with it
  // (THREADLINE_DEMO_WEBHOOK_URL=http://localhost:…): loopback targets are allowed unless the
  // environment says otherwise. A real deployment leaves THREADLINE_WEBHOOK_ALLOW_PRIVATE unset.
  const config = configFromEnv({ THREADLINE_WEBHOOK_ALLOW_PRIVATE: '1', ...env });
  config.rulesFile ??= path.join(here, 'rules.json');
  // THREADLINE_DEMO_ASK_CONSENT=1: the shop asks before the chat may store or connect anything.
  const askConsent = env.THREADLINE_DEMO_ASK_CONSENT === '1';
  // The demo keeps its credentials in the data dir so the agent-console link works on every start.
  const credentialsFile = path.join(config.dataDir, 'demo-credentials.json');
  if (!config.demo.apiKey) {
    const saved = fs.existsSync(credentialsFile) ? JSON.parse(fs.readFileSync(credentialsFile, 'utf8')) : null;
    config.demo.apiKey = saved?.apiKey ?? `tl_sk_${crypto.randomBytes(24).toString('base64url')}`;
    config.demo.secret ??= saved?.secret ?? crypto.randomBytes(32).toString('base64url');
    fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(credentialsFile, JSON.stringify({ appId: 'demo', apiKey: config.demo.apiKey, secret: config.demo.secret }, null, 2), { mode: 0o600 });
  }
  // Where the shop's pages are opened, and so where the team's pictures are served from: the first
  // of THREADLINE_DEMO_ORIGINS (unless it is a pattern such as *), else the address printed at
  // start (set once listening).
  let siteOrigin = env.THREADLINE_DEMO_ORIGINS ? config.demo.allowedOrigins.find((o) => /^https?:\/\/[^*/]+$/.test(o)) : null;
  let orderBot = null;
  const server = await createServer(config, {
    async extend(app, { demo }) {
      app.addHook('onClose', async () => orderBot?.close());
      await app.register(fastifyStatic, { root: path.join(here, 'public'), prefix: '/shop/', decorateReply: false });
      for (const [prefix, dir, headersFor] of [
        ['/agent/', path.join(examples, 'agent-console/dist'), consoleHeaders],
        ['/headless/', path.join(examples, 'headless/dist'), null],
      ]) {
        if (fs.existsSync(dir)) {
          const setHeaders = headersFor
            ? (res) => {
                for (const [name, value] of Object.entries(headersFor(res.req.headers.host))) res.setHeader(name, value);
              }
            : undefined;
          await app.register(fastifyStatic, { root: dir, prefix, decorateReply: false, setHeaders });
        } else {
          app.get(`${prefix}*`, async (_req, reply) => reply.status(404).type('text/plain').send(`${prefix} is not built: run "pnpm build"`));
        }
      }

      // The console's address typed without its slash (`/agent#key=…`): a redirect, not a 404. The
      // browser keeps the fragment, the key, across it (the server never sees it); the console's
      // headers go on the redirect too, so its Referrer-Policy covers the request it leads to.
      app.get('/agent', async (req, reply) => {
        for (const [name, value] of Object.entries(consoleHeaders(req.headers.host))) reply.header(name, value);
        return reply.redirect(`/agent/${req.url.slice('/agent'.length)}`, 301);
      });

      const page = (name, title) => async (req, reply) => {
        const nonce = crypto.randomBytes(16).toString('base64');
        const origin = `${req.protocol}://${req.headers.host}`;
        const product = req.params?.id ? PRODUCTS.find((p) => p.id === req.params.id) : undefined;
        if (name === 'product' && !product) return reply.status(404).type('text/plain').send('No such product');
        reply
          .header('content-security-policy', cspFor(nonce, siteOrigin))
          .header('x-content-type-options', 'nosniff')
          .header('referrer-policy', 'strict-origin-when-cross-origin')
          .type('text/html; charset=utf-8')
          // ?widget=off: the same page without the widget, for `pnpm bench:lighthouse` to measure
          // the widget's cost as a difference in one run.
          .send(renderPage(name, { nonce, serverUrl: origin, title: product?.name ?? title, product, askConsent, widget: req.query?.widget !== 'off' }));
      };
      app.get('/', page('home', 'Shop'));
      app.get('/product/:id', page('product', 'Product'));
      app.get('/cart', page('cart', 'Your cart'));
      app.get('/checkout', page('checkout', 'Checkout'));
      app.get('/shop/catalog.json', async () => PRODUCTS);

      // The shop's own backend: who is signed in, and the signed identity the widget needs.
      const session = (req) => USERS[parseCookie(req.headers.cookie ?? '').demo_user] ?? null;
      app.get('/demo/session', async (req) => {
        const user = session(req);
        return { user: user && { ...user, userHash: userHashOf(demo.secret, user.userId) } };
      });
      app.post('/demo/sign-in', async (req, reply) => {
        const user = USERS[req.body?.user] ?? USERS.alice;
        reply.header('set-cookie', `demo_user=${user.userId}; Path=/; SameSite=Lax; HttpOnly`);
        return { user: { ...user, userHash: userHashOf(demo.secret, user.userId) } };
      });
      app.post('/demo/sign-out', async (_req, reply) => {
        reply.header('set-cookie', 'demo_user=; Path=/; Max-Age=0; SameSite=Lax; HttpOnly');
        return { user: null };
      });
    },
  });
  await server.listen();
  siteOrigin ??= server.url.replace('127.0.0.1', 'localhost');
  // The first screen's team and reply time, unless the app has settings of its own. A failure
  // leaves the first screen without them; the demo runs on.
  await seedDemoSettings({ serverUrl: server.url, apiKey: config.demo.apiKey, origin: siteOrigin }).catch((err) =>
    console.warn(`demo: the app's team and reply time were not set (${err.message})`),
  );
  // The order bot (examples/order-bot), on its own loopback port, through the public API only:
  // it registers its webhook and turns the app's bot on. THREADLINE_DEMO_BOT=0: no bot (new
  // threads wait for a person, as in an app without one; the bot setting is left as it is).
  if (env.THREADLINE_DEMO_BOT !== '0') {
    orderBot = await startOrderBot({ serverUrl: server.url, apiKey: config.demo.apiKey, orders: orderSystem(), log: console }).catch((err) => {
      console.warn(`demo: the order bot did not start (${err.message})`);
      return null;
    });
  }
  return { server, config, orderBot };
}

/**
 * Headers of the agent console, its page and its assets. The console holds the app's API key (in
 * sessionStorage), so: only its own bundle runs, nothing inline or eval'd; it talks to its own
 * origin only (the API, and the socket over ws/wss); it cannot be framed (clickjacking); its URL
 * never leaks in a Referer. `host` adds the WebSocket origins for browsers where 'self' does not
 * cover ws:/wss: yet; a Host header that is not a plain host name is left out.
 */
export function consoleHeaders(host) {
  const socket = /^([\w-]+\.)*[\w-]+(:\d{1,5})?$|^\[[\d:a-f.]+\](:\d{1,5})?$/i.test(host ?? '') ? ` ws://${host} wss://${host}` : '';
  return {
    'content-security-policy': [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' blob:",
      "media-src 'self' blob:",
      `connect-src 'self'${socket}`,
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'cross-origin-opener-policy': 'same-origin',
  };
}

/**
 * Strict CSP: no inline script without the nonce, no inline style, no eval. Pictures also from
 * `siteOrigin`, where the team's are (a page opened at 127.0.0.1 rather than localhost).
 */
function cspFor(nonce, siteOrigin) {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self'",
    `img-src 'self'${siteOrigin ? ` ${siteOrigin}` : ''} data: blob:`,
    "media-src 'self' blob:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function parseCookie(header) {
  return Object.fromEntries(
    header
      .split(';')
      .map((kv) => kv.trim().split('='))
      .filter(([k]) => k),
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // Ctrl+C and SIGTERM are a stop asked for: exit code 0 once closed. They may come more than once
  // (a terminal signals the whole process group, and `pnpm start` passes them on as well) or
  // while the server is starting, when it is closed as soon as it is up.
  const started = startDemo();
  let stopping = null;
  const stop = () => {
    stopping ??= started
      .then(({ server }) => server.close())
      .then(
        () => process.exit(0),
        (err) => {
          console.error('shutdown failed', err);
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const { server } = await started;
  const { demo } = server;
  const base = server.url.replace('127.0.0.1', 'localhost');
  const lines = [
    '',
    'Threadline demo is running:',
    `  Shop:           ${base}/`,
    `  Checkout:       ${base}/checkout   (proactive prompt after 20 s)`,
    `  Agent console:  ${base}/agent/#key=${demo.apiKey}`,
    `  Headless demo:  ${base}/headless/`,
    `  API:            ${base}/v1/openapi.json`,
    '',
    `  app id: demo   API key: ${demo.apiKey}   identity secret: ${demo.app.secret}`,
    '',
  ];
  if (!stopping) console.log(lines.join('\n'));
}
