import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { withDemo } from '../support/setup.js';
import { sessions } from '../support/story.js';
import { dumpIndexedDb } from '../support/idb.js';
import { log, openPanel, openThread, waitForText, write } from '../support/widget.js';

const env = withDemo();

/** Writes in a new conversation and waits until the server has the message. */
async function sendAndWait(page: Page, text: string): Promise<void> {
  await openPanel(page);
  await write(page, text);
  await log(page).getByText(text).waitFor();
  await env.demo.thread((t) => t.lastMessage?.text === text);
}

it('an anonymous thread follows the shopper into their account, to another device, and off this one at sign-out; a forged identity is refused', async () => {
  const s = sessions(env.browser, 'identity');
  const laptop = await s.open();
  const { page } = laptop;
  await page.goto(`${env.demo.url}/`);
  await openPanel(page);
  await write(page, 'Question before I sign in');
  await waitForText(page, 'Question before I sign in');
  const thread = await env.demo.thread();
  expect(thread.visitor.userId).toBeNull();

  // Sign in as Alice (the shop's backend signs the identity): the thread becomes Alice's.
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Sign in as Alice' }).click();
  await page.getByRole('button', { name: 'Sign out (Alice)' }).waitFor();
  await expect.poll(async () => (await env.demo.api('GET', `/v1/threads/${thread.id}`)).body.visitor.userId).toBe('alice');

  // Alice on a second device sees it.
  const phone = await s.open({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await phone.page.goto(`${env.demo.url}/`);
  await phone.page.getByRole('button', { name: 'Sign in as Alice' }).tap();
  await phone.page.getByRole('button', { name: 'Sign out (Alice)' }).waitFor();
  await openThread(phone.page, 'Question before I sign in');
  await waitForText(phone.page, 'Question before I sign in');

  // Signing out on the laptop wipes Alice's thread from its IndexedDB.
  expect(await dumpIndexedDb(page)).toContain('Question before I sign in');
  await page.getByRole('button', { name: 'Sign out (Alice)' }).click();
  await page.getByRole('button', { name: 'Sign in as Alice' }).waitFor();
  await expect.poll(() => dumpIndexedDb(page)).not.toContain('Question before I sign in');
  // After a reload the anonymous shopper writes: a message goes out only once the widget has
  // synced with the server, so by the time it is sent, anything of Alice's the sync could have
  // brought back would be stored — and nothing is.
  await page.reload();
  await sendAndWait(page, 'Anonymous again');
  expect(await dumpIndexedDb(page)).toContain('Anonymous again');
  expect(await dumpIndexedDb(page)).not.toContain('Question before I sign in');

  // A forged userHash is refused and shows none of Alice's threads.
  const intruder = await s.open();
  await intruder.page.goto(`${env.demo.url}/`);
  await intruder.page.evaluate(() => {
    const w = window as any;
    w.__errors = [];
    w.Threadline('on', 'error', (e: { code: string }) => w.__errors.push(e.code));
    w.Threadline('identify', { userId: 'alice', userHash: '0'.repeat(64) });
  });
  await expect.poll(() => intruder.page.evaluate(() => (window as any).__errors)).toContain('identity_invalid');
  // The refusal reaches the panel: without a session, nothing of Alice's can arrive.
  await openPanel(intruder.page);
  await intruder.page.locator('[data-threadline]').getByText("Can't reach messages right now").waitFor();
  expect(await intruder.page.locator('[data-threadline]').getByText('Question before I sign in').count()).toBe(0);
  expect(await dumpIndexedDb(intruder.page)).not.toContain('Question before I sign in');
  await s.closeAll();
});
