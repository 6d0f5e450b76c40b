/**
 * Version of the wire protocol spoken between `@threadline/core` and `@threadline/server`.
 * A client sends it in the socket handshake (`auth.v`); the server refuses versions it does not
 * speak with `protocol_unsupported`, so an old cached widget fails loudly instead of corrupting
 * threads. Bump it only for changes an older peer cannot ignore.
 */
export const PROTOCOL_VERSION = 1;

/** Versions this build of the server accepts. */
export const SUPPORTED_PROTOCOL_VERSIONS: readonly number[] = [1];
