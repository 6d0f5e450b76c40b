import { expect, it } from 'vitest';
import { openConsole } from '../support/agent.js';
import { withDemo } from '../support/setup.js';
import { sessions } from '../support/story.js';
import { axePage } from '../support/axe.js';

const env = withDemo();
it('a product team creates a checkout campaign in the console, a shopper gets it and pays, and the results show the conversion; then the team pauses it', async () => {
  // The demo's own checkout campaign answers the same event: paused, so this story has one prompt.
  expect((await env.demo.api('PATCH', '/v1/campaigns/checkout-help', { status: 'paused' })).status).toBe(200);

  const s = sessions(env.browser, 'campaigns-console');
  // bypassCSP lets the test inject axe; journey 13 runs the console under its strict policy.
  const { page: team, errors: teamErrors } = await s.open({ bypassCSP: true });
  await openConsole(team, env.demo.url);
  await team.getByRole('button', { name: 'Campaigns' }).click();
  await team.getByRole('button', { name: /Checkout help/ }).waitFor();
  await team.getByRole('button', { name: 'New campaign' }).click();
  await team.getByRole('textbox', { name: 'Name', exact: true }).fill('Pay with confidence');
  await team.getByRole('combobox', { name: 'Start as' }).selectOption('live');
  await team.getByRole('textbox', { name: 'Text', exact: true }).fill('Secure payment, free returns. Any question?');
  await team.getByRole('textbox', { name: 'Event name' }).fill('checkout_started');
  await team.getByRole('textbox', { name: /^Page URL/ }).fill('*/checkout*');
  await team.getByRole('textbox', { name: /^Event$/ }).fill('order_completed');
  await team.getByRole('textbox', { name: /^Within/ }).fill('1');
  await team.getByRole('button', { name: 'Create campaign' }).click();
  await team.getByRole('heading', { name: 'Pay with confidence' }).waitFor();
  expect(await axePage(team)).toEqual([]);

  // A shopper on a phone starts checkout, sees the prompt, pays.
  const { page: shopper, errors: shopperErrors } = await s.open({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await shopper.goto(`${env.demo.url}/product/rain-shell`);
  await shopper.getByRole('button', { name: 'Add to cart' }).tap();
  await shopper.goto(`${env.demo.url}/checkout`);
  await shopper
    .locator('[data-threadline]')
    .getByText('Secure payment, free returns. Any question?')
    .waitFor({ timeout: 15_000 })
    .catch((err: Error) => {
      // Why the campaign sent nothing, if it was evaluated at all.
      throw new Error(`${err.message}\nevaluations: ${JSON.stringify(env.demo.ruleEvaluations)}`);
    });
  await shopper.locator('#pay-button').tap();

  // The team reads the results: one eligible, shown, converted.
  const everyone = team.getByRole('table').getByRole('row', { name: /Everyone/ });
  await expect
    .poll(async () => {
      await team.getByRole('button', { name: 'Refresh results' }).click();
      return (await everyone.textContent()) ?? '';
    })
    .toMatch(/^Everyone1\s*1\s*100\.0 %.*100\.0 %\s*1\s*no holdout$/);
  const chart = team.getByRole('img', { name: /Conversion rate by arm/ });
  expect(await chart.getAttribute('aria-label')).toBe('Conversion rate by arm: Everyone 100.0 %');

  await team.getByRole('button', { name: 'Pause', exact: true }).click();
  await team.getByRole('button', { name: 'Resume', exact: true }).waitFor();
  const stored = (await env.demo.api('GET', '/v1/campaigns')).body.items.find((c: any) => c.name === 'Pay with confidence');
  expect(stored).toMatchObject({ status: 'paused', trigger: { kind: 'server_event', event: 'checkout_started', urlPattern: '*/checkout*' }, goal: { event: 'order_completed', windowMs: 3_600_000 } });
  expect([...teamErrors, ...shopperErrors]).toEqual([]);
  await s.closeAll();
});
