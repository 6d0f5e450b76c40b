/**
 * engine.io's long-polling transport, in a module of its own so that split builds load it only
 * when WebSocket does not get through (see `socketio-transport.ts`). The `NodeXHR` name resolves
 * to the XMLHttpRequest transport under the package's browser field, and to an HTTP client in Node.
 */
export { NodeXHR as PollingTransport } from 'socket.io-client';
