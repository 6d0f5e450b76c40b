// Screenshots of the Campaigns page, desktop and phone, against the demo with simulated shoppers.
//   console: pnpm --filter @threadline/agent-console build
//   server:  PORT=3199 THREADLINE_DATA_DIR=$(mktemp -d) THREADLINE_DEMO_API_KEY=tl_sk_console \
//            THREADLINE_DEMO_SECRET=s THREADLINE_PROMPTS_PER_DAY=0 THREADLINE_RATE_CONNECTIONS_PER_IP=1000 \
//            node examples/shop/server.mjs
//   then:    THREADLINE_URL=http://127.0.0.1:3199 node examples/agent-console/scripts/campaign-screenshots.mjs
// PNGs in ./screenshots/ (campaigns-*.png). The shoppers' choices come from a seeded generator, so
// every run draws the same figures.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../../e2e/support/chromium.mjs';
import { connectVisitor } from './demo-visitors.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, '..', 'screenshots');
const SERVER = process.env.THREADLINE_URL ?? 'http://127.0.0.1:3199';
const KEY = process.env.THREADLINE_API_KEY ?? 'tl_sk_console';
fs.mkdirSync(out, { recursive: true });
const wait = (ms) => new Promise((r) => setTimeout(r, ms));

/** mulberry32: a small seeded generator. */
function seeded(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = seeded(15);

async function api(method, p, body) {
  const res = await fetch(`${SERVER}${p}`, {
    method,
    headers: { authorization: `Bearer ${KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const id = `delivery-${Date.now().toString(36)}`;
await api('POST', '/v1/campaigns', {
  id,
  name: 'Delivery reassurance at the cart',
  status: 'live',
  message: { text: 'Free delivery over €50 — arriving in 2 days.', author: { kind: 'bot', name: 'Northwind assistant' }, quickReplies: [{ label: 'Delivery options' }] },
  trigger: { kind: 'server_event', event: 'cart_viewed', delayMs: 0, urlPattern: '*/cart*' },
  caps: { perVisitor: { count: 1 }, cooldownMs: 3_600_000 },
  goal: { event: 'order_completed', windowMs: 2 * 3_600_000 },
  experiment: { holdoutShare: 20, variants: [{ id: 'a', share: 40 }, { id: 'b', share: 40, message: { text: 'Questions about delivery? Ask us here.', author: { kind: 'bot', name: 'Northwind assistant' } } }] },
});
await api('POST', '/v1/campaigns', {
  id: `exit-${Date.now().toString(36)}`,
  name: 'Exit intent on product pages',
  status: 'draft',
  message: { text: 'Leaving already? Here is 10 % off your first order.' },
  trigger: { kind: 'exit_intent', urlPattern: '*/products/*' },
  caps: { perVisitor: { count: 1, perMs: 7 * 24 * 3_600_000 } },
});

// Shoppers: each views the cart; the campaign prompts them (or holds them out); some see, open,
// answer or dismiss it; some order — more often with the prompt than without.
const CONVERT = { a: 0.34, b: 0.26, holdout: 0.17 };
const shoppers = [];
for (let i = 0; i < 150; i++) {
  const v = await connectVisitor(SERVER, { origin: process.env.SHOP_ORIGIN ?? SERVER });
  shoppers.push(v);
  const prompted = new Promise((resolve) => {
    v.socket.once('proactive', resolve);
    setTimeout(() => resolve(null), 400);
  });
  await v.call('context.update', { page: { url: 'http://127.0.0.1:3199/shop/cart' }, cart: { value: 40 + Math.round(random() * 80), currency: 'EUR' } });
  await v.call('track', { name: 'cart_viewed' });
  const prompt = await prompted;
  let arm = 'holdout';
  if (prompt) {
    arm = prompt.text.startsWith('Questions') ? 'b' : 'a';
    await v.call('proactive.event', { id: prompt.id, event: 'shown' });
    const r = random();
    if (r < 0.3) await v.call('proactive.event', { id: prompt.id, event: 'opened' });
    else if (r < 0.55) await v.call('proactive.event', { id: prompt.id, event: 'dismissed' });
  }
  if (random() < CONVERT[arm]) await v.call('track', { name: 'order_completed', props: { total: 64 } });
  v.close();
}

const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${SERVER}/agent/#key=${KEY}`);
  await page.getByRole('button', { name: 'Campaigns' }).click();
  await page.getByRole('button', { name: /Delivery reassurance/ }).click();
  await page.getByRole('table').waitFor();
  await wait(300);
  await page.screenshot({ path: path.join(out, 'campaigns-desktop.png'), fullPage: true });
  await page.getByRole('button', { name: 'Edit' }).click();
  await wait(200);
  await page.screenshot({ path: path.join(out, 'campaigns-edit-desktop.png'), fullPage: true });

  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  await phone.goto(`${SERVER}/agent/#key=${KEY}`);
  await phone.getByRole('button', { name: 'Campaigns' }).click();
  await phone.getByRole('button', { name: /Delivery reassurance/ }).waitFor();
  await phone.screenshot({ path: path.join(out, 'campaigns-list-phone.png') });
  await phone.getByRole('button', { name: /Delivery reassurance/ }).click();
  await phone.getByRole('table').waitFor();
  await wait(300);
  await phone.screenshot({ path: path.join(out, 'campaigns-phone.png') });
  const wide = await phone.evaluate(() => document.documentElement.scrollWidth);
  if (wide > 390) console.warn(`the phone page is ${wide} px wide, wider than its 390 px screen`);
  await phone.getByRole('table').evaluate((t) => t.scrollIntoView({ block: 'end' }));
  await phone.screenshot({ path: path.join(out, 'campaigns-results-phone.png') });
  await phone.getByRole('button', { name: 'Edit' }).click();
  await wait(200);
  await phone.screenshot({ path: path.join(out, 'campaigns-edit-phone.png') });
  console.log(`screenshots in ${out}`);
} finally {
  await browser.close();
}
