import { expect, it } from 'vitest';
import { withDemo } from '../support/setup.js';
import { sessions } from '../support/story.js';
import { REPLAY_FLAGS, replayable } from '../support/replay.js';
import { composer, log, openPanel, openThread, waitForText, write } from '../support/widget.js';

const env = withDemo({ browserArgs: REPLAY_FLAGS });

// A 1×1 PNG: the "photo" the shopper attaches.
const PHOTO = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

it('a shopper goes offline, sends three messages and a photo, reloads while offline; back online, all four reach the agent once, in order', async () => {
  const s = sessions(env.browser, 'offline');
  const { page, context, errors } = await s.open();
  const network = await replayable(context);
  await page.goto(`${env.demo.url}/`);
  await openPanel(page);
  await write(page, 'Hello, a question about my order');
  await waitForText(page, 'Hello, a question about my order');
  const thread = await env.demo.thread();

  network.down = true;
  await context.setOffline(true);
  // The widget says so, and what is written waits as "Sending…".
  await page.locator('[data-threadline]').getByText("You're offline", { exact: false }).waitFor({ timeout: 15_000 });
  await write(page, 'offline one');
  await write(page, 'offline two');
  await write(page, 'offline three');
  await page.getByRole('button', { name: 'Attach a file' }).waitFor();
  await page.locator('[data-threadline] input[type=file]').first().setInputFiles({ name: 'dashboard.png', mimeType: 'image/png', buffer: PHOTO });
  await page.getByRole('button', { name: 'Send' }).click();
  await waitForText(page, 'offline three');
  await log(page).getByText('Sending…').first().waitFor();
  // Nothing left the browser.
  expect((await env.demo.api('GET', `/v1/threads/${thread.id}/messages`)).body.items).toHaveLength(1);

  // Reload while still offline: the page comes back from the replay cache, the widget from
  // IndexedDB; nothing can be sent yet.
  await page.reload();
  await openThread(page);
  await waitForText(page, 'offline three');
  expect((await env.demo.api('GET', `/v1/threads/${thread.id}/messages`)).body.items).toHaveLength(1);
  // The photo still waiting to upload is shown from its stored copy, not as a bare file chip.
  const queuedPhoto = page.locator('[data-threadline]').getByRole('img', { name: 'Image: dashboard.png' });
  await expect.poll(() => queuedPhoto.evaluate((img: HTMLImageElement) => img.src.startsWith('blob:') && img.complete && img.naturalWidth > 0)).toBe(true);

  // The network returns.
  network.down = false;
  await context.setOffline(false);
  const delivered = async () =>
    (await env.demo.api('GET', `/v1/threads/${thread.id}/messages`)).body.items.map((m: any) => (m.attachments.length ? `[${m.attachments[0].mime}]` : m.text));
  await expect.poll(async () => (await delivered()).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(5);
  expect(await delivered()).toEqual([
    'Hello, a question about my order',
    'offline one',
    'offline two',
    'offline three',
    '[image/png]',
  ]);
  await waitForText(page, 'offline three');
  expect(await composer(page).isVisible()).toBe(true);
  expect(errors).toEqual([]);
  await s.closeAll();
});
