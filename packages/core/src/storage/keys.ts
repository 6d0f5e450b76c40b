/**
 * Every key the client writes in its store (one IndexedDB database per app), in one place:
 *
 *   meta                      { schema, token, visitorId, userId }
 *   t:<threadId>              { thread, heldSeq }          a thread's record
 *   m:<threadId>:<chunk>      Message[]                    a chunk of a thread's messages
 *   o:<clientId>              OutboxEntry                  a queued send
 *   b:<clientId>:<index>      Blob                         a queued send's file
 *   p                         ProactiveRecord              prompts and their caps
 */
export const META_KEY = 'meta';
export const PROACTIVE_KEY = 'p';
export const THREAD_PREFIX = 't:';
export const CHUNK_PREFIX = 'm:';
export const OUTBOX_PREFIX = 'o:';
export const BLOB_PREFIX = 'b:';

export const threadKey = (id: string) => `${THREAD_PREFIX}${id}`;
export const chunkKey = (id: string, chunk: number) => `${CHUNK_PREFIX}${id}:${chunk}`;
export const outboxKey = (clientId: string) => `${OUTBOX_PREFIX}${clientId}`;
export const blobKey = (clientId: string, index: number) => `${BLOB_PREFIX}${clientId}:${index}`;
