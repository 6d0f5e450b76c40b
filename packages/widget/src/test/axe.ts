import axe from 'axe-core';

/**
 * Runs axe-core on an element and returns the violations, readable in a failed assertion.
 * jsdom has no layout, so axe cannot compute colour contrast here; contrast is checked in the
 * real browser by scripts/screenshots.mjs.
 */
export async function axeViolations(el: Element): Promise<string[]> {
  const result = await axe.run(el, { rules: { 'color-contrast': { enabled: false } } });
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}
