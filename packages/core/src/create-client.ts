import type { Client, ClientOptions } from './types.js';

/** Create a headless Threadline client. Does no work until called; never throws. */
export function createClient(options: ClientOptions): Client {
  void options;
  throw new Error('createClient: not implemented yet');
}
