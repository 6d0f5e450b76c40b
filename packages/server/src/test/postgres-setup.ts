/**
 * Global setup of the server's suite on PostgreSQL: names this run's databases and drops what the
 * run leaves behind. Whether PostgreSQL answers is checked earlier, in vitest.postgres.config.ts,
 * which skips the suite (or fails, under THREADLINE_REQUIRE_SERVICES=1) when it does not.
 */
import { randomBytes } from 'node:crypto';
import { dropTestDatabases } from './postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Prefix of every database this run creates (`threadline_test_<run>`). */
    postgresPrefix: string;
  }
}

/**
 * The part of Vitest's `TestProject` used here. Not imported from 'vitest/node': its types bring
 * jsdom's, and with them the DOM library, into the server's test typecheck.
 */
interface Project {
  provide(key: 'postgresPrefix', value: string): void;
}

export default function setup(project: Project) {
  const prefix = `threadline_test_${randomBytes(4).toString('hex')}`;
  project.provide('postgresPrefix', prefix);
  return async () => {
    await dropTestDatabases(prefix);
  };
}
