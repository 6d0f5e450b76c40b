import { ThreadlineClient } from './client.js';
import { socketIoTransport } from './transport/socketio-transport.js';
import type { TransportFactory } from './transport/transport.js';
import type { Client, ClientOptions } from './types.js';

/**
 * Create a headless Threadline client. Opens storage and the socket right away unless
 * `consent: false`; never throws (bad options surface as `error` events).
 */
export function createClient(options: ClientOptions): Client {
  return new ThreadlineClient(options, socketIoTransport());
}

/**
 * The same client without a default transport, so socket.io-client is not bundled with it:
 * pass `transport`, e.g. `lazyTransport(() => import('./socket-chunk.js').then((m) => m.socketIoTransport()))`
 * to load the socket code in a chunk of its own after first render.
 */
export function createBareClient(options: ClientOptions & { transport: TransportFactory }): Client {
  return new ThreadlineClient(options, null);
}
