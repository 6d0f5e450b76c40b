import os from 'node:os';
import { randomBytes } from 'node:crypto';

/**
 * A name for this server process in the leases it takes (`locked_by` of jobs and webhook
 * deliveries): the host and pid for whoever reads the table, and random bytes so two processes, or
 * two servers in one process (tests), never share one.
 */
export function nodeId(): string {
  return `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}
