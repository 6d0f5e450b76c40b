import { ThreadlineClient } from './client.js';
import { socketIoTransport } from './transport/socketio-transport.js';
import type { Client, ClientOptions } from './types.js';

/**
 * Create a headless Threadline client. Opens storage and the socket right away unless
 * `consent: false`; never throws (bad options surface as `error` events).
 */
export function createClient(options: ClientOptions): Client {
  return new ThreadlineClient(options, socketIoTransport());
}

export { createBareClient } from './create-bare-client.js';
