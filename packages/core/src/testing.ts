/**
 * `@threadline/core/testing`: the seams tests swap (rule 4 of the style guide). Pass an
 * `env` built from `defaultEnvironment()` with your own clock, online status, locks or HTTP to
 * `createClient({ env })`; `uuidv7` is the id generator the client uses for threads and sends.
 * Nothing here is needed in production.
 */
export { defaultEnvironment } from './environment.js';
export { uuidv7 } from './uuid.js';
export type { Environment, OnlineStatus, LockManagerLike, ChannelLike, HttpClient, HttpResponse, UploadRequest } from './environment.js';
