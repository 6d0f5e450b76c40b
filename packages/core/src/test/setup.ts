/**
 * The client loads its on-demand units with `import()` (`units.ts`, `environment.ts`, `schema.ts`). In a
 * browser that is a chunk fetch; under Vitest the first import of a module goes through Vite's
 * transform and takes real milliseconds, which tests stepping a manual clock with `flush()` do not
 * wait for. Loading them once per test file makes every `import()` resolve within microtasks, as
 * for a cached chunk. Tests of the loading itself (slow, failing, after destroy) inject their own
 * loaders: see `units.test.ts`.
 */
await Promise.all([
  import('../outbox/sender.js'),
  import('../conversation/conversation.js'),
  import('../http.js'),
  import('../storage/schema-upgrade.js'),
  import('../proactive/prompts.js'),
  import('../storage/evict.js'),
]);
