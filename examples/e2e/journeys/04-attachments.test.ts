import { expect, it, vi } from 'vitest';
import type { Page } from 'playwright-core';
import { API_KEY } from '../support/demo.js';
import { withDemo } from '../support/setup.js';
import { sessions } from '../support/story.js';
import { openConsole, openConversation } from '../support/agent.js';
import { composer, log, openPanel, waitForText, write } from '../support/widget.js';

// Chromium's fake microphone feeds MediaRecorder; audio may play without a gesture in the test.
const env = withDemo({ browserArgs: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required'] });

// A real 2×2 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFElEQVR4nGP8z8DwnwEKmBiQAAAmOgICgbbCXQAAAABJRU5ErkJggg==', 'base64');

const widget = (page: Page) => page.locator('[data-threadline]');

async function messagesOf(threadId: string) {
  return (await env.demo.api('GET', `/v1/threads/${threadId}/messages?limit=50`)).body.items as any[];
}

it('photos by file input and by paste, a refused large file, the agent image inline and in a lightbox, and a voice clip the shopper and the agent can play', async () => {
  const s = sessions(env.browser, 'attachments');
  const shopper = await s.open({ permissions: ['microphone'] });
  const { page } = shopper;
  await page.goto(`${env.demo.url}/`);
  await openPanel(page);
  await write(page, 'My dashboard shows this light');
  await waitForText(page, 'My dashboard shows this light');
  const thread = await env.demo.thread();

  // 1. A photo from the file input.
  await widget(page).locator('input[type=file]').first().setInputFiles({ name: 'dashboard.png', mimeType: 'image/png', buffer: PNG });
  await widget(page).getByRole('button', { name: 'Send' }).click();
  await expect.poll(async () => (await messagesOf(thread.id)).some((m) => m.attachments[0]?.name === 'dashboard.png')).toBe(true);

  // 2. A photo pasted into the composer.
  await composer(page).evaluate((el, bytes) => {
    const file = new File([new Uint8Array(bytes)], 'pasted.png', { type: 'image/png' });
    const data = new DataTransfer();
    data.items.add(file);
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true, composed: true }));
  }, [...PNG]);
  await widget(page).getByRole('button', { name: 'Send' }).click();
  await expect.poll(async () => (await messagesOf(thread.id)).filter((m) => m.attachments[0]?.mime === 'image/png').length).toBe(2);

  // 3. A file over the server's 10 MB cap is refused with a clear message, and nothing is sent.
  await widget(page).locator('input[type=file]').first().setInputFiles({ name: 'huge.png', mimeType: 'image/png', buffer: Buffer.alloc(11 * 1024 * 1024, 1) });
  await widget(page).getByText(/huge\.png is too large/).waitFor();
  const before = (await messagesOf(thread.id)).length;

  // 4. The agent answers with an image: it shows inline for the shopper.
  const form = new FormData();
  form.append('file', new Blob([PNG], { type: 'image/png' }), 'where-to-look.png');
  const uploaded = (await (await fetch(`http://127.0.0.1:${env.demo.port}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}` }, body: form })).json()) as any;
  await env.demo.api('POST', `/v1/threads/${thread.id}/messages`, { text: 'Check here', attachments: [uploaded.attachment.id], author: { kind: 'agent', name: 'Sam' } });
  const img = widget(page).getByRole('log').locator('img[alt*="where-to-look.png"]');
  await img.waitFor();
  await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(2);

  // The shopper opens it: a lightbox over the page (modal: the rest is inert), not a new tab;
  // it downloads under its name, and Escape closes it with focus back on the thumbnail.
  const thumbnail = widget(page).getByRole('button', { name: 'Image: where-to-look.png' });
  await thumbnail.click();
  const lightbox = widget(page).getByRole('dialog', { name: 'Image: where-to-look.png' });
  await lightbox.waitFor();
  expect(await lightbox.evaluate((d) => d.matches(':modal'))).toBe(true);
  expect(await lightbox.locator('img').evaluate((el) => getComputedStyle(el).touchAction)).toBe('pinch-zoom');
  expect(page.context().pages()).toHaveLength(1);
  const [download] = await Promise.all([page.waitForEvent('download'), lightbox.getByRole('button', { name: 'Download where-to-look.png' }).click()]);
  expect(download.suggestedFilename()).toBe('where-to-look.png');
  expect(await download.failure()).toBeNull();
  await page.keyboard.press('Escape');
  await lightbox.waitFor({ state: 'detached' });
  await expect.poll(() => widget(page).evaluate((el) => el.shadowRoot!.activeElement?.getAttribute('aria-haspopup'))).toBe('dialog');
  await log(page).waitFor(); // the panel stays open: Escape was the lightbox's

  // 5. A voice clip recorded from the (fake) microphone.
  await widget(page).getByRole('button', { name: 'Record a voice clip' }).click();
  await widget(page).getByText('Recording 0:01', { exact: false }).waitFor();
  await widget(page).getByRole('button', { name: 'Stop and attach' }).click();
  const send = widget(page).getByRole('button', { name: 'Send' });
  const clipOnServer = async () => (await messagesOf(thread.id)).find((m) => m.attachments[0]?.mime?.startsWith('audio/'));
  await expect.poll(async () => (await send.isEnabled()) || !!(await clipOnServer())).toBe(true);
  if (!(await clipOnServer())) await send.click();
  const clip = await vi.waitFor(
    async () => {
      const found = await clipOnServer();
      if (!found) throw new Error('no voice clip on the server yet');
      return found;
    },
    { timeout: 15_000, interval: 100 },
  );
  expect(clip.attachments[0].mime).toBe('audio/webm');
  expect(clip.attachments[0].durationMs).toBeGreaterThan(500);
  expect((await messagesOf(thread.id)).length).toBe(before + 2); // the agent's image and the clip: nothing from the refused file

  // The shopper plays it in the thread from the keyboard: Space on the play button, then the
  // slider's arrow keys seek.
  const player = widget(page).getByRole('log').getByRole('group', { name: 'Voice clip' }).last();
  const playing = () => player.locator('audio').evaluate((el: HTMLAudioElement) => ({ error: el.error?.code ?? null, playing: !el.paused && el.currentTime > 0 }));
  await player.getByRole('button', { name: 'Play voice clip' }).focus();
  await page.keyboard.press('Space');
  await expect.poll(playing).toEqual({ error: null, playing: true });
  await page.keyboard.press('Space');
  await player.getByRole('button', { name: 'Play voice clip' }).waitFor();
  const slider = player.getByRole('slider', { name: 'Position in voice clip' });
  await slider.focus();
  await page.keyboard.press('Home');
  await expect.poll(() => slider.getAttribute('aria-valuetext')).toMatch(/^0:00 of 0:0[1-9]$/);
  await page.keyboard.press('ArrowRight');
  await expect.poll(() => player.locator('audio').evaluate((el: HTMLAudioElement) => el.currentTime)).toBeGreaterThan(0.5);

  // The agent plays it in the console.
  const agent = await s.open();
  await openConsole(agent.page, env.demo.url);
  await openConversation(agent.page, /Voice clip|voice|My dashboard/);
  const audio = agent.page.locator('audio[aria-label^="Voice clip"]').last();
  await audio.waitFor();
  await expect.poll(() => audio.getAttribute('src')).toBeTruthy();
  await audio.evaluate((el: HTMLAudioElement) => el.play());
  await expect.poll(() => audio.evaluate((el: HTMLAudioElement) => ({ error: el.error?.code ?? null, playing: el.currentTime > 0 }))).toEqual({ error: null, playing: true });
  expect(shopper.errors).toEqual([]);
  await s.closeAll();
});
