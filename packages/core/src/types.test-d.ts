/** Type-level checks of the public API the widget and integrators build on (run by Vitest's typecheck mode, never executed). */
import { describe, expectTypeOf, it } from 'vitest';
import type { Client, ClientEventMap, LocalMessageState, MessageView, Snapshot } from './index.js';
import { createClient } from './index.js';

describe('public types', () => {
  it('keeps the store contract of useSyncExternalStore', () => {
    expectTypeOf<Client['subscribe']>().toEqualTypeOf<(listener: () => void) => () => void>();
    expectTypeOf<Client['getSnapshot']>().returns.toEqualTypeOf<Snapshot>();
    expectTypeOf(createClient).returns.toEqualTypeOf<Client>();
  });

  it('types message states and event payloads', () => {
    expectTypeOf<MessageView['state']>().toEqualTypeOf<LocalMessageState>();
    expectTypeOf<LocalMessageState>().toEqualTypeOf<'sending' | 'sent' | 'read' | 'failed'>();
    expectTypeOf<ClientEventMap['error']['code']>().toExtend<string>();
    expectTypeOf<Parameters<Client['on']>[0]>().toEqualTypeOf<keyof ClientEventMap>();
  });

  it('never returns a rejecting promise type from a command', () => {
    expectTypeOf<Client['send']>().returns.toEqualTypeOf<string | null>();
    expectTypeOf<Client['loadOlder']>().returns.toEqualTypeOf<Promise<boolean>>();
  });
});
