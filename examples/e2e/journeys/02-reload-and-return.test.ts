import { expect, it } from 'vitest';
import { withDemo } from '../support/setup.js';
import { sessions } from '../support/story.js';
import { REPLAY_FLAGS, replayable } from '../support/replay.js';
import { countInLog, openPanel, openThread, waitForText, write } from '../support/widget.js';

const env = withDemo({ browserArgs: REPLAY_FLAGS });

it('a shopper reloads and reopens the tab: the thread is there at once, even with the server down, and nothing shows twice', async () => {
  const s = sessions(env.browser, 'reload-and-return');
  const shopper = await s.open();

  const network = await replayable(shopper.context);

  const { page } = shopper;
  await page.goto(`${env.demo.url}/product/rain-shell`);
  await openPanel(page);
  await write(page, 'Is the Rain Shell really waterproof?');
  const thread = await env.demo.thread();
  await env.demo.api('POST', `/v1/threads/${thread.id}/messages`, { text: 'Yes — fully taped seams, 20,000 mm.', author: { kind: 'agent', name: 'Sam' } });
  await waitForText(page, 'Yes — fully taped seams, 20,000 mm.');

  // Reload.
  await page.reload();
  await openThread(page, /waterproof|taped/);
  await waitForText(page, 'Is the Rain Shell really waterproof?');
  expect(await countInLog(page, 'Is the Rain Shell really waterproof?')).toBe(1);
  expect(await countInLog(page, 'Yes — fully taped seams, 20,000 mm.')).toBe(1);

  // Close the tab and open the shop again.
  await page.close();
  const again = await shopper.context.newPage();
  await again.goto(`${env.demo.url}/product/rain-shell`);
  await openThread(again, /waterproof|taped/);
  await waitForText(again, 'Yes — fully taped seams, 20,000 mm.');
  expect(await countInLog(again, 'Is the Rain Shell really waterproof?')).toBe(1);
  await again.close();

  // The server goes away; the stored thread still renders, from IndexedDB alone.
  await env.demo.stop();
  network.down = true;
  const offline = await shopper.context.newPage();
  await offline.goto(`${env.demo.url}/product/rain-shell`);
  await openThread(offline, /waterproof|taped/);
  await waitForText(offline, 'Is the Rain Shell really waterproof?', 5000);
  await waitForText(offline, 'Yes — fully taped seams, 20,000 mm.', 5000);
  expect(await countInLog(offline, 'Yes — fully taped seams, 20,000 mm.')).toBe(1);
  expect(shopper.errors).toEqual([]);
  await offline.close();

  network.down = false;
  await env.demo.start();
  await s.closeAll();
});
