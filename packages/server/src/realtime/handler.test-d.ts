/** Type-level checks: socket handlers take their input and ack types from the protocol's event maps. */
import type { Socket } from 'socket.io';
import { describe, expectTypeOf, it } from 'vitest';
import {
  readInputSchema,
  sendInputSchema,
  typingInputSchema,
  type AgentClientEvents,
  type ClientEvents,
  type SendInput,
  type SendResult,
  type ServerEvents,
  type Thread,
} from '@threadline/protocol';
import { handler, type AckResult, type EventInput } from './handler.js';

declare const visitor: Socket<ClientEvents, ServerEvents>;
declare const agent: Socket<AgentClientEvents>;
declare const thread: Thread;
const log = { error: () => {} };
const before = async () => {};

describe('socket handlers', () => {
  it('derive the input and the ack payload of an event from its map', () => {
    expectTypeOf<EventInput<ClientEvents['message.send']>>().toEqualTypeOf<SendInput>();
    expectTypeOf<AckResult<ClientEvents['message.send']>>().toEqualTypeOf<Omit<SendResult, never>>();
    expectTypeOf<AckResult<ClientEvents['thread.read']>>().toEqualTypeOf<{ thread: Thread }>();
    // An ack that carries nothing but `ok` (`Ack` alone) asks nothing of the handler.
    expectTypeOf<AckResult<ClientEvents['track']>>().toEqualTypeOf<void>();
    expectTypeOf<AckResult<AgentClientEvents['typing']>>().toEqualTypeOf<void>();
  });

  it('register without a cast when the ack has the shape of the map', () => {
    visitor.on('thread.read', handler(readInputSchema, log, before, async () => ({ thread })));
    visitor.on('typing', handler(typingInputSchema, log, before, async () => {}));
    agent.on('thread.read', handler(readInputSchema, log, before, async () => {}));
  });

  it('do not compile with an ack of the wrong shape', () => {
    // @ts-expect-error `thread.read` acknowledges `{ thread }`, not `{ seq }`
    visitor.on('thread.read', handler(readInputSchema, log, before, async () => ({ seq: 1 })));
    // @ts-expect-error `message.send` acknowledges `{ message, thread, duplicate }`
    visitor.on('message.send', handler(sendInputSchema, log, before, async () => ({ thread })));
  });

  it('do not compile with the schema of another event', () => {
    // @ts-expect-error `message.send` is validated with sendInputSchema
    visitor.on('message.send', handler(readInputSchema, log, before, async () => ({ thread })));
  });
});
