/**
 * The tests a campaign's definition makes on what it sees, shared by the server (audience,
 * server-side triggers) and the page (page triggers, in the core's on-demand chunk), so both
 * decide alike: URL globs and property conditions.
 */
import type { PageCondition } from './model.js';

/**
 * Whether `text` matches the glob `pattern`, whole: `*` is any run of characters (none
 * included), every other character is itself. Never a regular expression (a brand's pattern runs
 * on every evaluation, and a regex such as `(a+)+$` would take exponential time on a crafted URL):
 * the classic two-pointer walk with one backtrack point, O(text × pattern) at worst.
 */
export function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] !== '*' && pattern[p] === text[t]) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = t;
    } else if (star !== -1) {
      p = star + 1;
      t = ++resume;
    } else return false;
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/**
 * Whether a property condition holds for `props` (a tracked event's properties, a visitor's
 * attributes). A key that is missing, undefined or null does not exist: it holds only for `neq`;
 * `gt`…`lte` compare numbers, `contains` strings.
 */
export function conditionHolds(c: PageCondition, props: Record<string, unknown> | undefined): boolean {
  const value = props?.[c.key];
  switch (c.op) {
    case 'exists':
      return value !== undefined && value !== null;
    case 'eq':
      return value === c.value;
    case 'neq':
      return value !== c.value;
    case 'contains':
      return typeof value === 'string' && typeof c.value === 'string' && value.includes(c.value);
    default: {
      if (typeof value !== 'number' || typeof c.value !== 'number') return false;
      if (c.op === 'gt') return value > c.value;
      if (c.op === 'gte') return value >= c.value;
      if (c.op === 'lt') return value < c.value;
      return value <= c.value;
    }
  }
}
