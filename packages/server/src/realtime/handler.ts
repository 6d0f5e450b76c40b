import type { GenericSchema, InferOutput } from 'valibot';
import { validate, type Ack } from '@threadline/protocol';
import { ServerError } from '../errors.js';

interface Logger {
  error(obj: object, msg: string): void;
}

/**
 * Wraps a socket event handler: validates the payload, runs it, and always answers the ack with
 * `{ ok: true, … }` or `{ ok: false, error: { code, message } }`. Unexpected errors become
 * `internal` (logged, never sent with a stack); a client never waits on an ack that never comes.
 */
export function handler<S extends GenericSchema, R extends object | void>(
  schema: S,
  log: Logger,
  before: () => Promise<void>,
  run: (input: InferOutput<S>) => Promise<R>,
) {
  return async (input: unknown, ack?: unknown): Promise<void> => {
    const reply = typeof ack === 'function' ? (ack as (res: Ack<object>) => void) : () => {};
    try {
      await before();
      const checked = validate(schema, input);
      if (!checked.ok) throw new ServerError(checked.code, checked.message);
      const result = await run(checked.value);
      reply({ ok: true, ...(result ?? {}) });
    } catch (err) {
      if (err instanceof ServerError) {
        reply({ ok: false, error: err.toWire() });
      } else {
        log.error({ err }, 'socket handler failed');
        reply({ ok: false, error: { code: 'internal', message: 'internal error' } });
      }
    }
  };
}
