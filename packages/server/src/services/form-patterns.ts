/**
 * Form patterns come from the brand (API key) and run on the server against what visitors type
 * (a form answer is checked before it is stored): a pattern with nested repetition, such as
 * `(a+)+$`, can take exponential time on a crafted value — a visitor could stall the node. Such
 * patterns are refused when the message (or campaign) is written, with safe-regex2's star-height
 * rule (the check Fastify's router uses). It is a heuristic: it refuses every nested repetition
 * and patterns with more than 25 repetitions, not every slow pattern (`(a|a)*` passes); values
 * are at most `LIMITS.maxFieldValueLength` characters, which bounds the rest.
 */
import safeRegex from 'safe-regex2';
import type { Block } from '@threadline/protocol';

/** The first form field whose pattern is refused, as `blocks.<i>.fields.<j>.pattern: …`, or null. */
export function unsafePatternProblem(blocks: readonly Block[] | undefined): string | null {
  for (const [i, b] of (blocks ?? []).entries()) {
    if (b.type !== 'form') continue;
    for (const [j, f] of b.fields.entries()) {
      if (f.pattern && !safeRegex(f.pattern)) {
        return `blocks.${i}.fields.${j}.pattern: may take exponential time on some values (a repetition inside a repetition, or over 25 repetitions); write it without nesting`;
      }
    }
  }
  return null;
}
