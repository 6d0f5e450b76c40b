/**
 * engine.io-client on its own (the connection under socket.io): a page that imports this before
 * `@threadline/core/socket` evaluates the socket code in two tasks instead of one, so neither
 * forms a long task on a slow phone. A bundler puts engine.io's modules in this entry's chunk and
 * the socket chunk imports them from it; importing the socket entry alone works the same, in one
 * task. See docs/core.md, "Bundle size".
 */
export { Socket as EngineSocket } from 'engine.io-client';
