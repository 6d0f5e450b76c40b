/** axe-core in a page: what a screen-reader and keyboard user would run into, found by rules. */
import { createRequire } from 'node:module';
import fs from 'node:fs';
import type { Page } from 'playwright-core';

const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core on the widget only (the shop is not ours to judge), WCAG 2.x A/AA rules, colour
 * contrast included (a real browser draws the page). Injecting axe needs the session opened with
 * `bypassCSP: true`; the widget itself runs under the shop's strict CSP in journey 08.
 */
export async function axeWidget(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const axe = (window as any).axe;
    const result = await axe.run({ include: [['[data-threadline]']] }, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
    return result.violations.map((v: any) => `${v.id}: ${v.help} (${v.nodes.map((n: any) => n.target.join(' ')).join(', ')})`);
  });
}
