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
  await page.waitForTimeout(400); // the opening slide-in settles
  const dialog = (await page.locator('[data-threadline]').getByRole('dialog').boundingBox())!;
  expect(dialog).toMatchObject({ x: 0, y: 0, width: 390 });
  expect(Math.round(dialog.height)).toBe(844);
  // The page behind does not scroll while the panel is open.
  const before = await page.evaluate(() => window.scrollY);
  await page.mouse.wheel(0, 600);
  await page.waitForTimeout(300);
  expect(await page.evaluate(() => window.scrollY)).toBe(before);

  // The keyboard opens: the visual viewport shrinks to the top 460 px. The composer must be in it.
  await composer(page).tap();
  await page.setViewportSize({ width: 390, height: 460 });
  await page.waitForTimeout(300);
  const box = (await composer(page).boundingBox())!;
  expect(within(box, 460), `composer at ${JSON.stringify(box)} is under the keyboard`).toBe(true);
  const send = (await page.locator('[data-threadline]').getByRole('button', { name: 'Send' }).boundingBox())!;
  expect(send.height).toBeGreaterThanOrEqual(44);
  expect(within(send, 460)).toBe(true);
  await s.closeAll();
});
