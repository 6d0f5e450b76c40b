// Screenshots of the console against a running reference server, with simulated shoppers.
//   server:  PORT=3100 THREADLINE_DEMO_API_KEY=tl_sk_console THREADLINE_DEMO_SECRET=s \
//            THREADLINE_DEMO_ORIGINS=http://127.0.0.1:5174 node packages/server/dist/bin.js
//   console: THREADLINE_URL=http://127.0.0.1:3100 pnpm --filter @threadline/agent-console dev
//   then:    node examples/agent-console/scripts/screenshots.mjs   (PNGs in ./screenshots/)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../../e2e/support/chromium.mjs';
import { USER_AGENTS, connectVisitor, uuidv7 } from './demo-visitors.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, '..', 'screenshots');
const SERVER = process.env.THREADLINE_URL ?? 'http://127.0.0.1:3100';
const CONSOLE = process.env.CONSOLE_URL ?? 'http://127.0.0.1:5174/agent/';
const KEY = process.env.THREADLINE_API_KEY ?? 'tl_sk_console';
const SECRET = process.env.THREADLINE_DEMO_SECRET ?? 's';
fs.mkdirSync(out, { recursive: true });
const wait = (ms) => new Promise((r) => setTimeout(r, ms));

const browser = await launchChromium();
const visitors = [];
let page;
try {
  // Fixtures made by the browser itself: a photo-like PNG and a short WebM voice clip.
  const scratch = await browser.newPage();
  const { png, webm } = await scratch.evaluate(async () => {
    const c = document.createElement('canvas');
    c.width = 640;
    c.height = 480;
    const g = c.getContext('2d');
    const grad = g.createLinearGradient(0, 0, 640, 480);
    grad.addColorStop(0, '#1c7ed6');
    grad.addColorStop(1, '#f08c00');
    g.fillStyle = grad;
    g.fillRect(0, 0, 640, 480);
    g.fillStyle = '#fff';
    g.font = 'bold 44px sans-serif';
    g.fillText('Scuffed toe cap', 150, 250);
    const png = c.toDataURL('image/png').split(',')[1];
    const ctx = new AudioContext();
    const osc = ctx.createOscillator();
    const dest = ctx.createMediaStreamDestination();
    osc.connect(dest);
    osc.start();
    const rec = new MediaRecorder(dest.stream, { mimeType: 'audio/webm' });
    const chunks = [];
    rec.ondataavailable = (e) => chunks.push(e.data);
    const done = new Promise((r) => (rec.onstop = r));
    rec.start();
    await new Promise((r) => setTimeout(r, 1500));
    rec.stop();
    await done;
    const buf = await new Blob(chunks).arrayBuffer();
    let s = '';
    for (const b of new Uint8Array(buf)) s += String.fromCharCode(b);
    return { png, webm: btoa(s) };
  });
  await scratch.close();
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

  // Shopper 1: anonymous, on a product page with a cart, sends a photo, a voice clip and a receipt.
  const v1 = await connectVisitor(SERVER, { userAgent: USER_AGENTS.iphone });
  visitors.push(v1);
  await v1.call('context.update', { page: { url: 'http://127.0.0.1:3000/products/trail-boots?size=42', title: 'Trail boots — Demo shop', referrer: 'https://www.google.com/' }, cart: { value: 149.9, currency: 'EUR', items: 2 }, locale: 'en-GB' });
  await v1.call('track', { name: 'product_viewed', props: { sku: 'TB-42' } });
  const t1 = uuidv7();
  await v1.send(t1, 'Hi! My new boots arrived with a scuffed toe cap, see the photo. Order #10442, details on https://example.com/orders/10442.', { create: true });
  const photo = await v1.upload('boots.png', 'image/png', Buffer.from(png, 'base64'));
  await v1.send(t1, '', { attachmentIds: [photo.id] });
  const clip = await v1.upload('voice-note.webm', 'audio/webm', Buffer.from(webm, 'base64'), 1500);
  const receipt = await v1.upload('receipt.pdf', 'application/pdf', pdf);
  await v1.send(t1, 'And the receipt + a voice note', { attachmentIds: [clip.id, receipt.id] });

  // Shopper 2: signed in as Alice, checking out.
  const v2 = await connectVisitor(SERVER, { userId: 'alice', secret: SECRET, name: 'Alice Martin', email: 'alice@example.com', userAgent: USER_AGENTS.mac });
  visitors.push(v2);
  await v2.call('context.update', { page: { url: 'http://127.0.0.1:3000/checkout', title: 'Checkout' }, cart: { value: 89, currency: 'EUR', items: 1 } });
  const t2 = uuidv7();
  await v2.send(t2, 'Do you ship to Norway?', { create: true });

  // Shopper 4: an older resolved thread, now offline.
  const v4 = await connectVisitor(SERVER, { userAgent: USER_AGENTS.android });
  const t4 = uuidv7();
  await v4.send(t4, 'Where is my order?', { create: true });
  await fetch(`${SERVER}/v1/threads/${t4}/resolve`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` } });
  v4.close();

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));

  await page.goto(`${CONSOLE}#key=${KEY}&name=Sam`);
  await page.getByRole('button', { name: /Alice Martin/ }).waitFor();
  if (page.url().includes(KEY)) throw new Error('the key stayed in the address bar');
  // Shopper 3: starts browsing while the console is open (presence arrives live), no thread yet.
  const v3 = await connectVisitor(SERVER, { userAgent: USER_AGENTS.android });
  visitors.push(v3);
  await v3.call('context.update', { page: { url: 'http://127.0.0.1:3000/products/rain-jacket', title: 'Rain jacket' }, cart: { value: 0, currency: 'EUR', items: 0 } });
  await page.getByText('3 online').waitFor();
  await page.screenshot({ path: path.join(out, '01-inbox.png') });

  await page.getByRole('button', { name: /Visitor/ }).first().click();
  await page.locator('.att-image img').waitFor();
  await page.locator('.att-audio audio').waitFor();
  await wait(300);
  await page.screenshot({ path: path.join(out, '02-thread-attachments.png') });

  // The shopper types; the agent sees it.
  await v1.call('typing', { threadId: t1, typing: true });
  await page.getByText(/is typing/).waitFor();
  await page.screenshot({ path: path.join(out, '03-typing.png') });
  await v1.call('typing', { threadId: t1, typing: false });

  // The agent replies with an attachment; the shopper reads it.
  const box = page.getByLabel('Reply', { exact: true });
  await box.fill('So sorry about that! A replacement pair is on its way, and here is the return label.');
  await page.locator('input[type=file]').setInputFiles({ name: 'return-label.png', mimeType: 'image/png', buffer: Buffer.from(png, 'base64') });
  await page.getByText('return-label.png').waitFor();
  await page.locator('.draft small', { hasText: /KB/ }).waitFor();
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await page.locator('.msg-out:not(.pending) .bubble', { hasText: 'replacement pair' }).waitFor();
  const last = (await (await fetch(`${SERVER}/v1/threads/${t1}`, { headers: { authorization: `Bearer ${KEY}` } })).json()).lastSeq;
  await v1.call('thread.read', { threadId: t1, seq: last });
  await page.getByText('· Read').waitFor();
  await wait(400);
  await page.screenshot({ path: path.join(out, '04-reply-read.png') });

  // A new message arrives in another thread: an unread mark appears.
  await v2.send(t2, 'And how long does it take?');
  await page.locator('.thread-item.unread').first().waitFor();
  await page.screenshot({ path: path.join(out, '05-unread.png') });

  // Proactive message to the shopper who is browsing.
  await page.getByRole('button', { name: /Proactive message/ }).click();
  await page.getByText('/products/rain-jacket').waitFor();
  await page.getByText('/products/rain-jacket').click();
  await page.getByLabel('Message', { exact: true }).fill('The rain jacket runs small: we suggest one size up. Questions? Just reply here.');
  await page.getByLabel('Campaign').fill('size-help');
  const prompt = new Promise((r) => v3.socket.once('proactive', r));
  await page.getByRole('button', { name: 'Send now' }).click();
  await page.getByText(/Delivered:/).waitFor();
  await prompt;
  await page.screenshot({ path: path.join(out, '06-proactive.png') });

  // Resolve, then the narrow layout.
  await page.getByRole('button', { name: /Inbox/ }).click();
  await page.getByRole('button', { name: 'Resolve' }).click();
  await page.getByRole('button', { name: 'Reopen' }).waitFor();
  await page.screenshot({ path: path.join(out, '07-resolved.png') });
  await page.setViewportSize({ width: 820, height: 800 });
  await page.screenshot({ path: path.join(out, '08-narrow.png') });

  // Sign-in with a wrong key.
  const fresh = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const signIn = await fresh.newPage();
  await signIn.goto(CONSOLE);
  await signIn.getByLabel('API key').fill('tl_sk_wrong');
  await signIn.getByRole('button', { name: 'Sign in' }).click();
  await signIn.getByRole('alert').waitFor();
  await signIn.screenshot({ path: path.join(out, '09-sign-in-error.png') });

  if (errors.length) console.log('page errors:\n  ' + errors.join('\n  '));
  console.log(`screenshots in ${out}`);
} catch (err) {
  await page?.screenshot({ path: path.join(out, 'failure.png') });
  throw err;
} finally {
  for (const v of visitors) v.close();
  await browser.close();
}
