// @vitest-environment node
/**
 * A shopper's story in a real browser (Debian's Chromium) against the reference server: the
 * widget installed by its script tag on a page with a strict CSP, a message written, answered by
 * an agent through the HTTP API, kept across a reload, sent while offline and delivered once the
 * network is back, and a proactive prompt pushed from the brand's backend.
 *
 * Needs `pnpm build` first (the server serves packages/widget/dist at /widget/). Skipped, with a
 * reason, when Chromium is not installed (apt-get install chromium).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { configFromEnv, createServer, userHashOf, type ThreadlineServer } from '@threadline/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const ready = existsSync(CHROMIUM) && existsSync(join(dist, 'threadline.js'));

describe.skipIf(!ready)('a shopper messages the shop', () => {
  let server: ThreadlineServer;
  let browser: Browser;
  let apiKey: string;
  let dataDir: string;
  const secret = randomBytes(32).toString('base64url');
  const cspViolations: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'threadline-widget-e2e-'));
    const config = configFromEnv({ PORT: '0', THREADLINE_DATA_DIR: dataDir, LOG_LEVEL: 'warn', THREADLINE_DEMO_ORIGINS: '*' });
    apiKey = `tl_sk_${randomBytes(18).toString('base64url')}`;
    config.demo.apiKey = apiKey;
    config.demo.secret = secret;
    config.widgetDir = dist;
    server = await createServer(config, {
      async extend(http) {
        // The shop page: the install snippet exactly as documented, allowed by a nonce.
        http.get('/', async (req, reply) => {
          const nonce = randomBytes(12).toString('base64');
          const origin = `http://${req.headers.host}`;
          reply
            .header('content-security-policy', `default-src 'self'; script-src 'self' 'nonce-${nonce}'; style-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; connect-src 'self'`)
            .type('text/html')
            .send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title>
<script nonce="${nonce}">
  window.Threadline = window.Threadline || function () {
    (window.Threadline.q = window.Threadline.q || []).push(arguments);
  };
  Threadline('boot', { appId: 'demo', serverUrl: '${origin}', brandName: 'Northwind' });
</script>
<script async src="${origin}/widget/threadline.js"></script>
</head><body><h1>Shop</h1></body></html>`);
        });
      },
    });
    await server.listen();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        // A fake microphone, so a voice clip can really be recorded.
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
      ],
    });
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const api = async (path: string, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method: body ? 'POST' : 'GET',
      headers: { authorization: `Bearer ${apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return (await res.json()) as Record<string, unknown>;
  };
  const visitorMessages = async (threadId: string) => {
    const page = (await api(`/v1/threads/${threadId}/messages?limit=100`)) as { items: { author: { kind: string }; text: string }[] };
    return page.items.filter((m) => m.author.kind === 'visitor').map((m) => m.text);
  };

  async function openShop(page: Page) {
    await page.addInitScript(() =>
      document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective}`)),
    );
    page.on('console', (m) => m.text().startsWith('CSP violation') && cspViolations.push(m.text()));
    await page.goto(server.url);
    await page.getByRole('button', { name: 'Open messages' }).waitFor();
  }

  it('writes, gets an answer, reloads, writes offline and is delivered once back online', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await openShop(page);

    await page.getByRole('button', { name: 'Open messages' }).click();
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.fill('Do the Trail Runner 2 run small?');
    await box.press('Enter');
    await page.getByText('Sent', { exact: false }).first().waitFor();

    const threads = (await api('/v1/threads')) as { items: { id: string }[] };
    expect(threads.items).toHaveLength(1);
    const threadId = threads.items[0]!.id;
    await api(`/v1/threads/${threadId}/messages`, { text: 'They run half a size small. Details: https://example.com/sizes', author: { kind: 'agent', name: 'Mia' } });
    const log = page.getByRole('log');
    await log.getByText('They run half a size small.', { exact: false }).waitFor();
    expect(await log.getByRole('link').getAttribute('href')).toBe('https://example.com/sizes');

    // The thread survives a reload: it renders from the device, then the network.
    await page.reload();
    await page.getByRole('button', { name: 'Open messages' }).click();
    await page.getByRole('button', { name: /Mia/ }).click();
    await page.getByRole('log').getByText('Do the Trail Runner 2 run small?').waitFor();

    // Offline: the message waits, then goes out by itself, exactly once.
    await context.setOffline(true);
    await page.getByText("You're offline", { exact: false }).waitFor({ timeout: 15_000 });
    const again = page.getByRole('textbox', { name: 'Message' });
    await again.fill('Then I take a 44. Sent from the train.');
    await again.press('Enter');
    await page.getByText('Sending…', { exact: false }).waitFor();
    await context.setOffline(false);
    await expect.poll(() => visitorMessages(threadId), { timeout: 20_000 }).toEqual([
      'Do the Trail Runner 2 run small?',
      'Then I take a 44. Sent from the train.',
    ]);
    await page.getByRole('log').getByText('Then I take a 44.', { exact: false }).waitFor();
    await context.close();
  }, 60_000);

  it('shows a proactive prompt pushed by the brand; replying to it starts a thread', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await openShop(page);
    // The shop's backend signs the shopper's identity; the page passes it on.
    const userHash = userHashOf(secret, 'alice');
    await page.evaluate((hash) => (window as unknown as { Threadline: (...a: unknown[]) => void }).Threadline('identify', { userId: 'alice', userHash: hash, name: 'Alice' }), userHash);
    const pushed = (await api('/v1/proactive', { to: { userId: 'alice' }, text: 'Free returns on shoes this week. Any questions?', campaign: 'returns', author: { kind: 'agent', name: 'Mia' } })) as { delivered: string };
    expect(['live', 'queued']).toContain(pushed.delivered);

    const toast = page.getByRole('status', { name: 'Message from Mia' });
    await toast.getByText('Free returns on shoes this week.', { exact: false }).waitFor({ timeout: 15_000 });
    await toast.getByRole('button', { name: 'Reply' }).click();
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.fill('Does that include sale items?');
    await box.press('Enter');
    await expect
      .poll(async () => {
        const threads = (await api('/v1/threads')) as { items: { id: string; campaign: string | null }[] };
        const mine = threads.items.find((t) => t.campaign === 'returns');
        return mine ? visitorMessages(mine.id) : [];
      }, { timeout: 15_000 })
      .toEqual(['Does that include sale items?']);
    await context.close();
  }, 45_000);

  it('sends a photo and a recorded voice clip, and sees both in the thread', async () => {
    const context = await browser.newContext({ permissions: ['microphone'] });
    const page = await context.newPage();
    await openShop(page);
    await page.getByRole('button', { name: 'Open messages' }).click();

    // A real PNG (1×1), chosen through the attach button's file input.
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
    await page.locator('[data-threadline] input[type=file]').first().setInputFiles({ name: 'sole.png', mimeType: 'image/png', buffer: png });
    await page.getByRole('button', { name: 'Remove sole.png' }).waitFor();
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.fill('The sole came off');
    await box.press('Enter');
    const log = page.getByRole('log');
    await log.getByRole('img', { name: 'Image: sole.png' }).waitFor({ timeout: 15_000 });
    await expect.poll(() => log.getByRole('img', { name: 'Image: sole.png' }).evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(1);

    await page.getByRole('button', { name: 'Record a voice clip' }).click();
    await page.getByText('Recording 0:01', { exact: false }).waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Stop and attach' }).click();
    await page.getByRole('button', { name: /Remove voice-/ }).waitFor();
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => log.locator('audio').count(), { timeout: 15_000 }).toBe(1);

    const threads = (await api('/v1/threads')) as { items: { id: string; visitor: { id: string } }[] };
    const all = await Promise.all(threads.items.map((t) => api(`/v1/threads/${t.id}/messages?limit=100`)));
    const mimes = all.flatMap((p) => (p as { items: { attachments: { mime: string }[] }[] }).items.flatMap((m) => m.attachments.map((a) => a.mime)));
    expect(mimes).toContain('image/png');
    expect(mimes.some((m) => m.startsWith('audio/'))).toBe(true);
    await context.close();
  }, 60_000);

  it('raised no CSP violation', () => {
    expect(cspViolations).toEqual([]);
  });
});
