import { expect, it } from 'vitest';
import { withDemo } from '../support/setup.js';
import { sessions } from '../support/story.js';
import { composer, launcher, openPanel, waitForText, write } from '../support/widget.js';
import { axeWidget } from '../support/axe.js';

const env = withDemo();

it('axe finds no violations on the launcher, the open panel with a conversation, and the inbox', async () => {
  const s = sessions(env.browser, 'accessibility');
  // bypassCSP lets the test inject axe; the widget itself runs under the shop's strict CSP elsewhere.
  const { page } = await s.open({ bypassCSP: true });
  await page.goto(`${env.demo.url}/`);
  await launcher(page).waitFor();
  expect(await axeWidget(page)).toEqual([]);

  await openPanel(page);
  await write(page, 'Checking the panel with a screen reader');
  await waitForText(page, 'Checking the panel with a screen reader');
  expect(await page.locator('[data-threadline]').getByRole('log').getAttribute('aria-live')).toBe('polite');
  expect(await axeWidget(page)).toEqual([]);

  await page.locator('[data-threadline]').getByRole('button', { name: 'Back to conversations' }).click();
  await page.locator('[data-threadline]').getByRole('list', { name: 'Conversations' }).waitFor();
  expect(await axeWidget(page)).toEqual([]);

  // Keyboard: Escape closes and focus returns to the launcher.
  await page.keyboard.press('Escape');
  await expect.poll(() => composer(page).count()).toBe(0);
  expect(await launcher(page).evaluate((el) => el.getRootNode() instanceof ShadowRoot && (el.getRootNode() as ShadowRoot).activeElement === el)).toBe(true);
  await s.closeAll();
});

it('with reduced motion asked for, nothing in the widget animates (launcher, panel, typing dots)', async () => {
  const s = sessions(env.browser, 'reduced-motion');
  const { page } = await s.open({ reducedMotion: 'reduce' });
  await page.goto(`${env.demo.url}/`);
  await openPanel(page);
  const moving = await page.locator('[data-threadline]').evaluate((host) => {
    const found: string[] = [];
    for (const el of host.shadowRoot!.querySelectorAll('*')) {
      const style = getComputedStyle(el);
      if (style.animationName !== 'none' || (style.transitionDuration !== '0s' && style.transitionProperty !== 'none')) {
        found.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')}: ${style.animationName} / ${style.transitionDuration}`);
      }
    }
    return found;
  });
  expect(moving).toEqual([]);
  await s.closeAll();
});

it('in a dark system scheme the panel is dark, axe (colour contrast included) finds nothing, and it turns light when the system does', async () => {
  const s = sessions(env.browser, 'dark');
  const { page } = await s.open({ bypassCSP: true, colorScheme: 'dark' });
  await page.goto(`${env.demo.url}/`);
  await openPanel(page);
  await write(page, 'Reading this at night: https://example.com/order');
  await waitForText(page, 'Reading this at night');
  const panelBackground = () =>
    page.locator('[data-threadline]').evaluate((host) => getComputedStyle(host.shadowRoot!.querySelector('.panel')!).backgroundColor);
  expect(await panelBackground()).toBe('rgb(23, 25, 30)');
  expect(await axeWidget(page)).toEqual([]);

  await page.locator('[data-threadline]').getByRole('button', { name: 'Back to conversations' }).click();
  await page.locator('[data-threadline]').getByRole('list', { name: 'Conversations' }).waitFor();
  expect(await axeWidget(page)).toEqual([]);

  // theme 'auto' (the default) follows the system while the page is open.
  await page.emulateMedia({ colorScheme: 'light' });
  await expect.poll(panelBackground).toBe('rgb(255, 255, 255)');
  expect(await axeWidget(page)).toEqual([]);

  // A scheme forced on the host element (what the theme option sets, and what a page with its own
  // dark-mode switch may set) wins over the system's.
  await page.addStyleTag({ content: '[data-threadline] { --tl-scheme: dark }' });
  await expect.poll(panelBackground).toBe('rgb(23, 25, 30)');
  await s.closeAll();
});
