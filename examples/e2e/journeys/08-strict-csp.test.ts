import { expect, it } from 'vitest';
import { withDemo } from '../support/setup.js';
import { sessions } from '../support/story.js';
import { composer, log, openPanel, waitForText, write } from '../support/widget.js';

// Chromium's fake microphone, so a voice clip can really be recorded.
const env = withDemo({ browserArgs: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'] });

// A real 1×1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

it('on a page with a strict Content-Security-Policy the widget works with zero violations: text, a photo, a voice clip, an agent’s link and a prompt from the brand', async () => {
  const s = sessions(env.browser, 'strict-csp');
  const { page, errors } = await s.open({ permissions: ['microphone'] });
  await page.addInitScript(() => {
    (window as any).__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => (window as any).__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  // Not the checkout page: its own campaign prompt would take the toast's place later on.
  const response = await page.goto(`${env.demo.url}/`);
  const csp = response!.headers()['content-security-policy']!;
  expect(csp).toMatch(/script-src 'self' 'nonce-[^']+'/);
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
  expect(csp).toContain("style-src 'self'");

  await openPanel(page);
  await write(page, 'Can I pay by invoice?');
  await waitForText(page, 'Can I pay by invoice?');
  await page.getByText('Sent').first().waitFor();
  const thread = await env.demo.thread();

  // A photo, shown from the page's copy (a blob: URL).
  const widget = page.locator('[data-threadline]');
  await widget.locator('input[type=file]').first().setInputFiles({ name: 'sole.png', mimeType: 'image/png', buffer: PNG });
  await widget.getByRole('button', { name: 'Send' }).click();
  const photo = log(page).getByRole('img', { name: 'Image: sole.png' });
  await expect.poll(() => photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1);

  // A voice clip, recorded and sent.
  await widget.getByRole('button', { name: 'Record a voice clip' }).click();
  await widget.getByText('Recording 0:01', { exact: false }).waitFor();
  await widget.getByRole('button', { name: 'Stop and attach' }).click();
  await widget.getByRole('button', { name: /Remove voice-/ }).waitFor();
  await widget.getByRole('button', { name: 'Send' }).click();
  await expect.poll(() => log(page).locator('audio').count()).toBe(1);

  // The agent answers with a link.
  await env.demo.api('POST', `/v1/threads/${thread.id}/messages`, { text: 'Yes. Terms: https://example.com/invoice', author: { kind: 'agent', name: 'Sam' } });
  expect(await log(page).getByRole('link', { name: 'https://example.com/invoice' }).getAttribute('href')).toBe('https://example.com/invoice');

  // The conversation is over; with the panel closed, a prompt from the brand (its toast is loaded
  // on demand). Not before it is resolved: no prompt goes to a shopper talking with a person.
  await composer(page).press('Escape');
  expect((await env.demo.api('POST', `/v1/threads/${thread.id}/resolve`)).status).toBe(200);
  expect((await env.demo.api('POST', '/v1/proactive', { to: { visitorId: thread.visitor.id }, text: 'Invoices are due in 30 days.', author: { kind: 'agent', name: 'Sam' } })).status).toBe(202);
  await widget.getByRole('status', { name: 'Message from Sam' }).getByText('Invoices are due in 30 days.').waitFor();

  expect(await page.evaluate(() => (window as any).__violations)).toEqual([]);
  expect(errors).toEqual([]);
  await s.closeAll();
});
