import { ServerError } from '../errors.js';

/** Opaque keyset cursor over (updatedAt, id): stable when several threads share a millisecond. */
export const encodeCursor = (updatedAt: number, id: string) => Buffer.from(`${updatedAt}:${id}`).toString('base64url');

export function decodeCursor(cursor: string): { updatedAt: number; id: string } {
  const [ms, id] = Buffer.from(cursor, 'base64url').toString().split(':');
  const updatedAt = Number(ms);
  if (!id || !Number.isFinite(updatedAt)) throw new ServerError('bad_request', 'cursor: not a cursor from a previous page');
  return { updatedAt, id };
}
