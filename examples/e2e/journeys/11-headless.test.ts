import { expect, it } from 'vitest';
import { withDemo } from '../support/setup.js';
import { sessions } from '../support/story.js';

const env = withDemo();

it('a page built on @threadline/core alone sends, receives and keeps a thread without the widget', async () => {
  const s = sessions(env.browser, 'headless');
  const { page, errors } = await s.open();
  await page.goto(`${env.demo.url}/headless/`);
  await page.getByRole('status').getByText(/Connection: connected/).waitFor();
  expect(await page.locator('[data-threadline]').count()).toBe(0);

  await page.getByRole('textbox', { name: 'Message' }).fill('Written in a custom UI');
  await page.getByRole('button', { name: 'Send' }).click();
  await page.getByRole('log').getByText('Written in a custom UI').waitFor();
  const thread = await env.demo.thread();
  await env.demo.api('POST', `/v1/threads/${thread.id}/messages`, { text: 'Answered in the same thread', author: { kind: 'agent', name: 'Sam' } });
  await page.getByRole('log').getByText('Answered in the same thread').waitFor();

  await page.reload();
  await page.getByRole('log').getByText('Answered in the same thread').waitFor();
  expect(await page.getByRole('log').getByText('Written in a custom UI').count()).toBe(1);
  expect(errors).toEqual([]);
  await s.closeAll();
});
