import type { Socket } from 'socket.io';
import { readInputSchema, typingInputSchema, type AgentClientEvents, type AgentServerEvents } from '@threadline/protocol';
import { ServerError } from '../errors.js';
import type { AppRow } from '../store/sql-store.js';
import type { Messaging } from '../services/messaging.js';
import { agentRoom } from './rooms.js';
import { handler } from './handler.js';
import { clientAddress } from './client-address.js';
import type { Limiter } from './rate-limit.js';

type AgentSocket = Socket<AgentClientEvents, AgentServerEvents, Record<string, never>, { app: AppRow; name: string | null }>;

/**
 * The agent channel (namespace `/agent`, handshake `auth: { apiKey, name? }`): an inbox hears
 * every new message, thread change, typing, read and visitor presence of its app, and may send
 * typing and read events. Messages themselves are posted through the HTTP API.
 */
export interface AgentChannelDeps {
  messaging: Messaging;
  log: { error(obj: object, msg: string): void };
  isClosing: () => boolean;
  /**
   * Per agent connection: events. Per app (its API key, all inboxes together): events. Per IP:
   * handshakes, shared with the visitor channel's, so guessing keys costs connection budget.
   */
  limits: { events: Limiter; appEvents: Limiter; connections: Limiter };
  /** Behind a reverse proxy, the handshake budget counts the X-Forwarded-For client. */
  trustProxy: boolean;
}

export function attachAgentChannel(deps: AgentChannelDeps): void {
  const { messaging } = deps;
  const ns = messaging.agents;

  ns.use(async (socket, next) => {
    try {
      if (deps.isClosing()) {
        const err = new Error('server is shutting down') as Error & { data: unknown };
        err.data = { code: 'unavailable', message: 'server is shutting down' };
        return next(err);
      }
      await deps.limits.connections.take(clientAddress(socket.handshake.headers, socket.handshake.address, deps.trustProxy));
      const auth = socket.handshake.auth as { apiKey?: unknown; name?: unknown };
      const app = typeof auth.apiKey === 'string' ? await messaging.store.appByApiKey(auth.apiKey) : undefined;
      if (!app) {
        const err = new Error('invalid API key') as Error & { data: unknown };
        err.data = { code: 'unauthorized', message: 'invalid API key' };
        return next(err);
      }
      socket.data.app = app;
      socket.data.name = typeof auth.name === 'string' ? auth.name.slice(0, 120) : null;
      next();
    } catch (err) {
      if (err instanceof ServerError) {
        const refusal = new Error(err.message) as Error & { data: unknown };
        refusal.data = err.toWire();
        return next(refusal);
      }
      deps.log.error({ err }, 'agent handshake failed');
      const failure = new Error('internal error') as Error & { data: unknown };
      failure.data = { code: 'internal', message: 'internal error' };
      next(failure);
    }
  });

  ns.on('connection', (socket: AgentSocket) => {
    const app = socket.data.app;
    void socket.join(agentRoom(app.id));
    // Counted, so a visitor's widget can tell whether anyone of the brand is there (availability.get).
    const room = agentRoom(app.id);
    const entered = messaging.presence.enter(app.id, [room]);
    // This node's first inbox of the app, or its last gone, may change whether anyone of the brand
    // is there: the app's visitors hear it (see AvailabilityService.inboxesChanged).
    if (messaging.presence.here(room) === 1) void entered.then(() => messaging.availability?.inboxesChanged(app.id));
    socket.on('disconnect', () => {
      const left = messaging.presence.leave([room]);
      if (messaging.presence.here(room) === 0 && !deps.isClosing()) void left.then(() => messaging.availability?.inboxesChanged(app.id));
    });
    // An API key can do everything over HTTP anyway; the budget keeps one runaway or hostile
    // inbox from flooding every visitor and inbox of the app with typing and read events.
    const before = async () => {
      if (deps.isClosing()) throw new ServerError('unavailable', 'server is shutting down');
      await deps.limits.events.take(socket.id);
      await deps.limits.appEvents.take(app.id);
    };
    const author = socket.data.name ? { kind: 'agent' as const, name: socket.data.name } : { kind: 'agent' as const };

    socket.on('typing', handler(typingInputSchema, deps.log, before, (input) => messaging.typingFromAgent(app.id, input, author, socket.id)));
    socket.on(
      'thread.read',
      handler(readInputSchema, deps.log, before, async ({ threadId, seq }) => {
        await messaging.readByAgent(app.id, threadId, seq);
      }),
    );
  });
}
