/**
 * The shopper's tab is in the background when the brand answers (docs/notifications.md): the page
 * title counts the unread answers, `(1) …` then `(2) …`, and is the page's own again once the
 * shopper is back and reads them.
 */
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { withDemo } from '../support/setup.js';
import { sessions } from '../support/story.js';
import { openPanel, openThread, waitForText, write } from '../support/widget.js';

const env = withDemo();

/**
 * Headless Chromium keeps every page visible, whichever tab is in front: the document says it is
 * hidden, as a background tab's does, and tells its listeners.
 */
async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((hide) => {
    if (hide) {
      Object.defineProperty(document, 'hidden', { value: true, configurable: true });
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    } else {
      // Back to the prototype's getters.
      delete (document as { hidden?: boolean }).hidden;
      delete (document as { visibilityState?: string }).visibilityState;
    }
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

it('counts the brand’s answers in the title of a background tab, and gives the title back once read', async () => {
  const s = sessions(env.browser, 'title-badge');
  const shopper = await s.open();
  const { page } = shopper;
  await page.goto(`${env.demo.url}/product/trail-runner`);
  const title = await page.title();
  expect(title).not.toMatch(/^\(\d+\) /);
  await openPanel(page);
  await write(page, 'Can I return the Trail Runners if they do not fit?');
  await waitForText(page, 'Can I return the Trail Runners if they do not fit?');
  const thread = await env.demo.thread();

  // The shopper closes the panel and goes to another tab; the brand answers twice.
  await page.keyboard.press('Escape');
  await setHidden(page, true);
  const answer = (text: string) => env.demo.api('POST', `/v1/threads/${thread.id}/messages`, { text, author: { kind: 'agent', name: 'Sam' } });
  await answer('Yes, within 30 days.');
  await expect.poll(() => page.title()).toBe(`(1) ${title}`);
  await answer('Free return label included.');
  await expect.poll(() => page.title()).toBe(`(2) ${title}`);

  // Back on the tab: the count stays until the answers are read.
  await setHidden(page, false);
  expect(await page.title()).toBe(`(2) ${title}`);
  await openThread(page);
  await waitForText(page, 'Free return label included.');
  await expect.poll(() => page.title()).toBe(title);
  expect(shopper.errors).toEqual([]);
  await s.closeAll();
});
