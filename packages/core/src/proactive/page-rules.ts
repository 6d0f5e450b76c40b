/**
 * The tests behind page triggers (docs/campaigns.md#page-triggers), as pure functions over what
 * the page measured: URL globs, property conditions, how far the page is scrolled, and the two
 * signs of a visitor about to leave. Part of the on-demand triggers chunk (triggers.ts).
 */

/** The server's own tests (URL globs, property conditions), from the protocol: page and server decide alike. */
export { conditionHolds, globMatch } from '@threadline/protocol';

/**
 * How much of the page the visitor has seen, in percent: the bottom of the viewport over the
 * document's height. A page no taller than its viewport is 100 %.
 */
export function scrolledPercent(scrollY: number, viewportHeight: number, documentHeight: number): number {
  if (documentHeight <= viewportHeight) return 100;
  return Math.min(100, ((scrollY + viewportHeight) / documentHeight) * 100);
}

/** A fast scroll up (phones): the page went up by at least this share of the viewport… */
export const FAST_UP_SHARE = 0.25;
/** …within this many milliseconds. */
export const FAST_UP_MS = 300;

/** Scroll positions of the last FAST_UP_MS, oldest first. */
export type ScrollSamples = { t: number; y: number }[];

/**
 * Adds a scroll position and tells whether the page just went up fast: by FAST_UP_SHARE of the
 * viewport's height or more, from its lowest point of the last FAST_UP_MS. Returns the samples
 * to keep.
 */
export function fastScrollUp(samples: ScrollSamples, t: number, y: number, viewportHeight: number): { samples: ScrollSamples; up: boolean } {
  const kept = samples.filter((s) => t - s.t <= FAST_UP_MS);
  kept.push({ t, y });
  const lowest = Math.max(...kept.map((s) => s.y));
  return { samples: kept, up: lowest - y >= viewportHeight * FAST_UP_SHARE };
}

/**
 * Desktop exit intent: the pointer left the document (no element it moved to) through its top
 * edge, toward the tab bar and the address bar, where leaving or switching tabs happens.
 */
export function leftThroughTop(e: { clientY: number; relatedTarget: unknown }): boolean {
  return e.relatedTarget === null && e.clientY <= 0;
}
