import type { GenericSchema } from 'valibot';
import { validate, type Ack } from '@threadline/protocol';
import { ServerError } from '../errors.js';

interface Logger {
  error(obj: object, msg: string): void;
}

/** A listener of a protocol event map: `(input, ack) => void`, the ack optional for some events. */
type EventListener = (input: never, ack: never) => void;

/** The payload an event's listener receives (`SendInput` for `message.send`). */
export type EventInput<L extends EventListener> = Parameters<L>[0];

/**
 * What a handler of the event returns: the success ack without its `ok` (`SendResult` for
 * `message.send`), or nothing when the ack carries nothing (`Ack` alone).
 */
export type AckResult<L extends EventListener> =
  NonNullable<Parameters<L>[1]> extends (res: infer A) => void
    ? Omit<Extract<A, { ok: true }>, 'ok'> extends infer R
      ? keyof R extends never
        ? void
        : R
      : never
    : never;

/**
 * Wraps a socket event handler: validates the payload, runs it, and always answers the ack with
 * `{ ok: true, … }` or `{ ok: false, error: { code, message } }`. Unexpected errors become
 * `internal` (logged, never sent with a stack); a client never waits on an ack that never comes.
 *
 * `L` is the event's listener type in the protocol's event map, inferred from where the result
 * goes (`socket.on('message.send', handler(…))`): the schema must produce that event's input and
 * `run` must return that event's ack payload, so a wrong ack shape does not compile.
 */
export function handler<L extends EventListener>(
  schema: GenericSchema<unknown, EventInput<L>>,
  log: Logger,
  before: () => Promise<void>,
  run: (input: EventInput<L>) => Promise<AckResult<L>>,
): L {
  const listener = async (input: unknown, ack?: unknown): Promise<void> => {
    // The ack type is the map's; a client that emits without one (or with garbage) gets no answer.
    const reply = typeof ack === 'function' ? (ack as (res: Ack<object>) => void) : () => {};
    try {
      await before();
      const checked = validate(schema, input);
      if (!checked.ok) throw new ServerError(checked.code, checked.message);
      const result: object | void = await run(checked.value);
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
  // The one place the listener meets the map's type: it takes any input (validated above) and
  // answers through whatever ack it gets, which is what every listener of `L` needs.
  return listener as unknown as L;
}
