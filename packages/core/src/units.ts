/**
 * The parts of the client a page needs only on demand, each behind a dynamic `import()` so a
 * bundler with code splitting emits it as a lazy chunk. Keep every other import of these modules
 * type-only: one static import folds a unit back into the initial chunk.
 */
export interface Units {
  /** The outbox's sending loop, uploads included: loaded when this tab has something to send. */
  sender(): Promise<typeof import('./outbox/sender.js')>;
  /** Older pages, read receipts, typing, ratings, attachment downloads: loaded on the first of these. */
  conversation(): Promise<typeof import('./conversation/conversation.js')>;
  /**
   * Proactive prompts' caps and bookkeeping: loaded when a prompt arrives or is kept from an
   * earlier page, or when the session lists page campaigns (it then loads their triggers, a chunk
   * of their own: proactive/triggers.ts).
   */
  prompts(): Promise<typeof import('./proactive/prompts.js')>;
}

export const lazyUnits: Units = {
  sender: () => import('./outbox/sender.js'),
  conversation: () => import('./conversation/conversation.js'),
  prompts: () => import('./proactive/prompts.js'),
};
