import { expect, it } from 'vitest';
import { withDemo } from '../support/setup.js';
import { sessions } from '../support/story.js';
import { composer, launcher } from '../support/widget.js';

const env = withDemo();

const within = (inner: { y: number; height: number }, bottom: number) => inner.y >= 0 && inner.y + inner.height <= bottom + 0.5;

it('on a 390×844 touch phone the panel is full-screen, the composer stays above the keyboard, and the launcher spares marked elements', async () => {
  const s = sessions(env.browser, 'phone');
  const { page } = await s.open({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  await page.goto(`${env.demo.url}/checkout`);
  const pay = (await page.locator('#pay-button').boundingBox())!;
  const button = (await launcher(page).boundingBox())!;
  expect(button.y + button.height <= pay.y || button.y >= pay.y + pay.height, 'launcher overlaps the Pay button').toBe(true);
  expect(button.width).toBeGreaterThanOrEqual(44);

  await launcher(page).tap();
  await composer(page).waitFor();
  // Once the opening slide-in has settled, the panel covers the screen.
  const dialog = page.locator('[data-threadline]').getByRole('dialog');
  await expect.poll(async () => {
    const box = (await dialog.boundingBox())!;
    return { x: box.x, y: box.y, width: box.width, height: Math.round(box.height) };
  }).toEqual({ x: 0, y: 0, width: 390, height: 844 });
  // The page behind does not scroll while the panel is open: the wheel reaches the page, and two
  // frames after it did, the page has not moved.
  const before = await page.evaluate(() => {
    (window as any).__wheels = 0;
    addEventListener('wheel', () => (window as any).__wheels++, { capture: true, passive: true });
    return window.scrollY;
  });
  await page.mouse.wheel(0, 600);
  await expect.poll(() => page.evaluate(() => (window as any).__wheels)).toBeGreaterThan(0);
  await page.evaluate(() => new Promise((frame) => requestAnimationFrame(() => requestAnimationFrame(frame))));
  expect(await page.evaluate(() => window.scrollY)).toBe(before);

  // The keyboard opens: the visual viewport shrinks to the top 460 px. The composer must be in it.
  await composer(page).tap();
  await page.setViewportSize({ width: 390, height: 460 });
  await expect.poll(async () => within((await composer(page).boundingBox())!, 460), { message: 'the composer is under the keyboard' }).toBe(true);
  const send = (await page.locator('[data-threadline]').getByRole('button', { name: 'Send' }).boundingBox())!;
  expect(send.height).toBeGreaterThanOrEqual(44);
  expect(within(send, 460)).toBe(true);
  await s.closeAll();
});

it('on a phone the open panel is a modal dialog: the page behind is inert and Tab stays in the panel; on a desktop it is not', async () => {
  const s = sessions(env.browser, 'phone-modal');
  const { page } = await s.open({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await page.goto(`${env.demo.url}/checkout`);
  await launcher(page).tap();
  await composer(page).waitFor();
  const dialog = page.locator('[data-threadline]').getByRole('dialog');
  expect(await dialog.getAttribute('aria-modal')).toBe('true');
  // The page's own controls are out of reach: the Pay button is inside an inert branch.
  expect(await page.locator('#pay-button').evaluate((el) => el.closest('[inert]') !== null)).toBe(true);
  expect(await page.locator('[data-threadline]').evaluate((el) => el.closest('[inert]') === null)).toBe(true);
  // Tab from the last control of the panel comes back to its first, never to the page.
  const focusedInPanel = () =>
    page.locator('[data-threadline]').evaluate((host) => {
      const active = host.shadowRoot!.activeElement;
      return document.activeElement === host && active !== null && active.closest('.panel') !== null;
    });
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press('Tab');
    expect(await focusedInPanel()).toBe(true);
  }
  // Closing gives the page back.
  await page.keyboard.press('Escape');
  await expect.poll(() => page.locator('[inert]').count()).toBe(0);

  // The same page on a desktop: the panel sits beside the page, which stays usable.
  await page.setViewportSize({ width: 1280, height: 800 });
  await launcher(page).click();
  await composer(page).waitFor();
  expect(await dialog.getAttribute('aria-modal')).toBeNull();
  expect(await page.locator('[inert]').count()).toBe(0);
  await s.closeAll();
});
