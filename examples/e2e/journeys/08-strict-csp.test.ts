import { expect, it } from 'vitest';
import { withDemo } from '../support/setup.js';
import { sessions } from '../support/story.js';
import { openPanel, waitForText, write } from '../support/widget.js';

const env = withDemo();

it('on a page with a strict Content-Security-Policy the widget works with zero violations', async () => {
  const s = sessions(env.browser, 'strict-csp');
  const { page } = await s.open();
  await page.addInitScript(() => {
    (window as any).__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => (window as any).__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const response = await page.goto(`${env.demo.url}/checkout`);
  const csp = response!.headers()['content-security-policy']!;
  expect(csp).toMatch(/script-src 'self' 'nonce-[^']+'/);
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
  expect(csp).toContain("style-src 'self'");

  await openPanel(page);
  await write(page, 'Can I pay by invoice?');
  await waitForText(page, 'Can I pay by invoice?');
  await page.getByText('Sent').first().waitFor();
  expect(await page.evaluate(() => (window as any).__violations)).toEqual([]);
  await s.closeAll();
});
