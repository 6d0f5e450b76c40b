/**
 * `@threadline/core/bare`: the client without socket.io-client bundled in. Bring a transport —
 * usually `lazyTransport(() => import(…))` so the socket code loads in its own chunk.
 */
export { createBareClient } from './create-bare-client.js';
export { lazyTransport } from './transport/lazy-transport.js';
export { memoryStorage } from './storage/memory.js';
export { yieldToPage, inSlices } from './yield.js';
export { indexedDbStorage, databaseName } from './storage/indexeddb.js';
export type * from './index.js';
