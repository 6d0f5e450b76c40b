import { ThreadlineClient } from './client.js';
import type { TransportFactory } from './transport/transport.js';
import type { Client, ClientOptions } from './types.js';

/**
 * The client without a default transport, so socket.io-client is not bundled with it (its own
 * file, so importing it never pulls `createClient`'s socket.io import along): pass `transport`,
 * e.g. `lazyTransport(() => import('@threadline/core/socket').then((m) => m.socketIoTransport()))`
 * to load the socket code in a chunk of its own after first render.
 */
export function createBareClient(options: ClientOptions & { transport: TransportFactory }): Client {
  return new ThreadlineClient(options, null);
}
