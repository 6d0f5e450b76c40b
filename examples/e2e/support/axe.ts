/** axe-core in a page: what a screen-reader and keyboard user would run into, found by rules. */
import { createRequire } from 'node:module';
import fs from 'node:fs';
import type { Page } from 'playwright-core';

const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's WCAG 2.x A/AA violations in `page`, within `include` (CSS selectors) or the whole document. */
async function violations(page: Page, include: string[] | null): Promise<string[]> {
  await page.evaluate(AXE);
  return page.evaluate(async (include) => {
    const axe = (window as any).axe;
    const result = await axe.run(include ? { include: include.map((s) => [s]) } : document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
    return result.violations.map((v: any) => `${v.id}: ${v.help} (${v.nodes.map((n: any) => n.target.join(' ')).join(', ')})`);
  }, include);
}

/**
 * axe-core on the widget only (the shop is not ours to judge), colour contrast included (a real
 * browser draws the page). Injecting axe needs the session opened with `bypassCSP: true`; the
 * widget itself runs under the shop's strict CSP in journey 08.
 */
export const axeWidget = (page: Page) => violations(page, ['[data-threadline]']);

/** axe-core on a whole page of ours (the agent console); `bypassCSP: true` as above. */
export const axePage = (page: Page) => violations(page, null);
