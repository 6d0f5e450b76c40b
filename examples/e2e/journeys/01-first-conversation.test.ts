import { expect, it } from 'vitest';
import { withDemo } from '../support/setup.js';
import { sessions } from '../support/story.js';
import { messages, openConsole, openConversation, reply } from '../support/agent.js';
import { log, openThread, openPanel, unreadText, waitForText, write } from '../support/widget.js';

const env = withDemo();

it('a shopper writes; the agent sees it live with page and cart, replies; the shopper gets an unread badge, then the reply', async () => {
  const s = sessions(env.browser, 'first-conversation');
  const agent = await s.open();
  await openConsole(agent.page, env.demo.url);

  const shopper = await s.open();
  const { page } = shopper;
  await page.goto(`${env.demo.url}/product/trail-runner`);
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await openPanel(page);
  await write(page, 'Do the Trail Runners run large?');
  await waitForText(page, 'Do the Trail Runners run large?');

  // Live in the console, with where the shopper is and what is in the cart.
  await openConversation(agent.page, 'Do the Trail Runners run large?');
  const details = agent.page.getByRole('complementary', { name: 'Visitor details' });
  await expect.poll(() => details.textContent()).toContain('/product/trail-runner');
  expect(await details.textContent()).toMatch(/129/);

  // The shopper closes the panel; the agent answers, with a link (both sides render the one
  // linkify of @threadline/protocol: an anchor with the parsed href, the full stop left outside).
  await page.keyboard.press('Escape');
  await reply(agent.page, 'They fit true to size — take your usual. Size guide: https://example.com/sizes.');
  await messages(agent.page).getByText('They fit true to size — take your usual.').first().waitFor();
  expect(await messages(agent.page).getByRole('link', { name: 'https://example.com/sizes' }).getAttribute('href')).toBe('https://example.com/sizes');

  await expect.poll(() => unreadText(page)).toBe('1 unread');
  await openThread(page);
  await waitForText(page, 'They fit true to size — take your usual.');
  const link = log(page).getByRole('link', { name: 'https://example.com/sizes' });
  expect(await link.getAttribute('href')).toBe('https://example.com/sizes');
  expect(await link.getAttribute('rel')).toContain('noopener');
  await expect.poll(() => unreadText(page)).toBeNull();
  expect(shopper.errors).toEqual([]);
  expect(agent.errors).toEqual([]);
  await s.closeAll();
});
