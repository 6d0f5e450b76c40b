import { expect, it } from 'vitest';
import { withDemo } from '../support/setup.js';
import { sessions } from '../support/story.js';
import { dumpIndexedDb } from '../support/idb.js';
import { eventually, launcher, openPanel, openThread, waitForText, write } from '../support/widget.js';

const env = withDemo();

it('an anonymous thread follows the shopper into their account, to another device, and off this one at sign-out; a forged identity is refused', async () => {
  const s = sessions(env.browser, 'identity');
  const laptop = await s.open();
  const { page } = laptop;
  await page.goto(`${env.demo.url}/`);
  await openPanel(page);
  await write(page, 'Question before I sign in');
  await waitForText(page, 'Question before I sign in');
  const thread = await eventually(async () => (await env.demo.api('GET', '/v1/threads')).body.items[0]);
  expect(thread.visitor.userId).toBeNull();

  // Sign in as Alice (the shop's backend signs the identity): the thread becomes Alice's.
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Sign in as Alice' }).click();
  await page.getByRole('button', { name: 'Sign out (Alice)' }).waitFor();
  await eventually(async () => (await env.demo.api('GET', `/v1/threads/${thread.id}`)).body.visitor.userId === 'alice');

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
  await eventually(async () => !(await dumpIndexedDb(page)).includes('Question before I sign in'));
  await page.reload();
  await launcher(page).waitFor();
  await page.waitForTimeout(1000);
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
  await eventually(async () => (await intruder.page.evaluate(() => (window as any).__errors)).includes('identity_invalid'));
  await launcher(intruder.page).click();
  await intruder.page.waitForTimeout(1000);
  expect(await intruder.page.locator('[data-threadline]').getByText('Question before I sign in').count()).toBe(0);
  expect(await dumpIndexedDb(intruder.page)).not.toContain('Question before I sign in');
  await s.closeAll();
});
