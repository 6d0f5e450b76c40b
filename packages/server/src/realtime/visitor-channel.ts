import { shedWhenBusy, type Backlog } from '../shed.js';
import type { Socket } from 'socket.io';
import {
  SUPPORTED_PROTOCOL_VERSIONS,
  contextInputSchema,
  listMessagesInputSchema,
  listThreadsInputSchema,
  proactiveEventInputSchema,
  campaignFireInputSchema,
  notifyEmailInputSchema,
  threadAttachInputSchema,
  availabilityInputSchema,
  rateInputSchema,
  readInputSchema,
  sendInputSchema,
  syncInputSchema,
  pingInputSchema,
  trackInputSchema,
  typingInputSchema,
  validate,
  visitorAuthSchema,
  type ClientEvents,
  type ServerEvents,
} from '@threadline/protocol';
import { ServerError } from '../errors.js';
import { verifyIdentity } from '../auth/identity.js';
import type { VisitorTokens } from '../auth/tokens.js';
import type { VisitorSessions } from '../auth/sessions.js';
import type { Principal } from '../store/sql-store.js';
import type { VisitorsTable } from '../db/schema.js';
import { deviceContext, type Messaging } from '../services/messaging.js';
import { appRoom, presenceRooms, sessionRoom, threadRoom, userRoom, visitorRoom } from './rooms.js';
import { handler } from './handler.js';
import type { Limiter } from './rate-limit.js';
import { clientAddress } from './client-address.js';
import { poolBacklog } from '../db/postgres.js';
import { isOriginAllowed } from '../http/origins.js';
import type { RuleEngine } from '../services/rules.js';
import type { EmailNotifier } from '../notifications/notifier.js';
import type { AvailabilityService } from '../services/availability.js';
import { attachedThreads, type ContinueLinks } from '../notifications/continue.js';

interface SocketData {
  principal: Principal;
  token: string;
  sessionId: string;
  /** The visitor's notification address as the handshake found it. */
  notifyEmail: string | null;
  /** The connection proved an identity that carries an email. */
  identifiedEmail: boolean;
  /** The visitor's row as the handshake left it, seen now (absent: the connection marks it seen). */
  seen?: VisitorsTable | undefined;
}

type VisitorSocket = Socket<ClientEvents, ServerEvents, Record<string, never>, SocketData>;

export interface VisitorChannelDeps {
  messaging: Messaging;
  tokens: VisitorTokens;
  sessions: VisitorSessions;
  /** Per visitor: events, sends. Per IP: events (many visitors behind one address), connections. */
  limits: { events: Limiter; ipEvents: Limiter; sends: Limiter; connections: Limiter };
  maxUploadBytes: number;
  log: { error(obj: object, msg: string): void };
  isClosing: () => boolean;
  rules: RuleEngine | null;
  /** Behind a reverse proxy, limits count the X-Forwarded-For client, not the proxy. */
  trustProxy: boolean;
  /** Email notifications; null when the server sends no email (`notify.email.set` answers `notifications_off`). */
  notifications: Pick<EmailNotifier, 'setVisitorEmail'> | null;
  /** `availability.get`: the app's hours and whether an inbox is connected. */
  availability: Pick<AvailabilityService, 'forVisitor'>;
  /** `thread.attach`: a thread opened on this device from an email's continue link. */
  continueLinks: Pick<ContinueLinks, 'attach'>;
  /** How far behind the database is (see `poolBacklog`). @default the PostgreSQL pool's queue (none on SQLite) */
  backlog?: () => Backlog;
}

function clientIp(socket: Socket, trustProxy: boolean): string {
  return clientAddress(socket.handshake.headers, socket.handshake.address, trustProxy);
}

function refuse(code: ServerError['code'], message: string, retryAfterMs?: number): Error {
  const err = new Error(message) as Error & { data: unknown };
  err.data = retryAfterMs === undefined ? { code, message } : { code, message, retryAfterMs };
  return err;
}

/** The visitor channel (namespace `/`): handshake, then every visitor event. */
export function attachVisitorChannel(deps: VisitorChannelDeps): void {
  const { messaging, tokens } = deps;
  const { store, io } = messaging;
  const backlog = deps.backlog ?? (() => poolBacklog(store.db));

  /**
   * Refuses a send, a `sync` or a handshake while the database is behind (`unavailable`, with when
   * to try again): the widget keeps the message in its outbox and sends it again with the same
   * clientId, syncs again, connects again (the core backs off on `unavailable`).
   */
  const shed = (what: string) => shedWhenBusy(backlog(), what);

  // Handshake: everything is checked before the socket joins any room. Refusals reach the client
  // as `connect_error` with `err.data = { code, message }`.
  io.use(async (socket, next) => {
    try {
      if (deps.isClosing()) return next(refuse('unavailable', 'server is shutting down'));
      await deps.limits.connections.take(clientIp(socket, deps.trustProxy));
      const auth = validate(visitorAuthSchema, socket.handshake.auth);
      if (!auth.ok) return next(refuse('bad_request', `handshake: ${auth.message}`));
      const a = auth.value;
      if (!SUPPORTED_PROTOCOL_VERSIONS.includes(a.v)) {
        return next(refuse('protocol_unsupported', `protocol version ${a.v} is not supported (server speaks ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`));
      }
      // Before the handshake's statements: a burst of reconnections (a node restarted) waits its turn.
      shed('connect');
      const app = await store.getApp(a.appId);
      if (!app) return next(refuse('unauthorized', 'unknown app'));
      if (!isOriginAllowed(app.allowedOrigins, socket.handshake.headers.origin)) {
        return next(refuse('origin_not_allowed', `origin ${socket.handshake.headers.origin} is not allowed for this app`));
      }
      const identity = await verifyIdentity(app.secret, a);

      let visitor = null;
      let session = null;
      // The visitor as the connection leaves it (seen now), when the handshake already wrote that.
      let seen = null;
      if (a.token) {
        const claims = await tokens.verify(a.token);
        const ours = claims && claims.appId === app.id ? claims : null;
        // Most handshakes: a device coming back, proving no user and declaring no profile. Its
        // session renewed and the visitor seen in one statement where the database allows.
        if (ours && !identity && a.name === undefined && a.email === undefined) {
          seen = await deps.sessions.resumeAnonymous(ours);
          if (seen) session = { id: ours.sessionId!, visitor_id: seen.id, renewed: true };
          visitor = seen;
        }
        // An invalid, foreign, revoked or expired token is not an error: the browser simply
        // becomes a new visitor.
        if (ours && !session) {
          const live = await deps.sessions.resume(ours, a.token);
          if (live) session = { id: live.id, visitor_id: live.visitor_id, renewed: false };
          if (live) visitor = (await store.getVisitor(live.visitor_id)) ?? null;
        }
      }
      // A device that was someone else's user must not carry that user's visitor into a new identity.
      if (visitor && identity && visitor.user_id && visitor.user_id !== identity.userId) visitor = null;
      // Created with its device, which the connection would merge into its context next.
      if (!visitor) visitor = seen = await store.createVisitor(app.id, deviceContext(socket.handshake.headers['user-agent']));

      // A write below makes the row read above stale: the connection then reads it again.
      if (identity) {
        seen = null;
        await store.bindUser(visitor.id, {
          userId: identity.userId,
          name: identity.name ?? a.name,
          email: identity.email ?? a.email,
        });
      } else if (!visitor.user_id && (a.name !== undefined || a.email !== undefined)) {
        // Only an anonymous visitor declares its own profile. A visitor bound to a user keeps the
        // profile its last proof set: an old token alone must not put a false name beside "Signed in".
        seen = null;
        await store.setVisitorProfile(visitor.id, { name: a.name, email: a.email });
      }
      const attached = attachedThreads(visitor.attached_threads);
      const principal = { appId: app.id, visitorId: visitor.id, userId: identity?.userId ?? null, ...(attached.length ? { threads: attached } : {}) };
      // The device keeps its session (sliding expiry) unless it just became another visitor.
      const sessionId = session?.renewed ? session.id : await deps.sessions.renew(session?.visitor_id === visitor.id ? session.id : null, principal);
      // Revoked while this handshake ran: refused as a stale token, so the client starts afresh.
      if (!sessionId) throw new ServerError('unauthorized', 'this session was revoked');
      socket.data.principal = principal;
      socket.data.seen = seen ?? undefined;
      socket.data.sessionId = sessionId;
      socket.data.notifyEmail = visitor.notify_email;
      socket.data.identifiedEmail = !!identity && !!(identity.email ?? a.email);
      socket.data.token = await tokens.sign({ ...principal, sessionId });
      next();
    } catch (err) {
      if (err instanceof ServerError) return next(refuse(err.code, err.message, err.retryAfterMs));
      deps.log.error({ err }, 'visitor handshake failed');
      next(refuse('internal', 'internal error'));
    }
  });

  io.on('connection', (socket: VisitorSocket) => {
    void onConnection(socket).catch((err) => {
      deps.log.error({ err }, 'visitor connection setup failed');
      socket.disconnect(true);
    });
  });

  async function onConnection(socket: VisitorSocket): Promise<void> {
    const p = socket.data.principal;
    // Counted before anything awaits, so a socket that drops during this setup is uncounted once.
    const rooms = presenceRooms(p);
    const counted = messaging.presence.enter(p.appId, rooms);
    // The inboxes hear "offline" after "online", even from a socket that dropped while connecting.
    let setUp!: () => void;
    const announced = new Promise<void>((resolve) => (setUp = resolve));
    socket.on('disconnect', () => {
      const uncounted = messaging.presence.leave(rooms);
      if (deps.isClosing()) return;
      Promise.all([uncounted, announced])
        .then(() => messaging.visitorDisconnected(p))
        .catch((err: unknown) => deps.log.error({ err }, 'visitor disconnect bookkeeping failed'));
    });
    try {
      await socket.join([visitorRoom(p.visitorId), sessionRoom(socket.data.sessionId), appRoom(p.appId)]);
      if (p.userId) await socket.join(userRoom(p.appId, p.userId));
      if (p.threads?.length) await socket.join(p.threads.map(threadRoom));
      // Other nodes see the visitor online before the inboxes hear it is.
      await counted;
      await messaging.visitorConnected(p, socket.handshake.headers['user-agent'], socket.data.seen);
    } finally {
      setUp();
    }
    // Page-triggered campaigns for this visitor: none (and no query) while the app runs none.
    const campaigns = (await deps.rules?.pageCampaigns(p).catch((err: unknown) => {
      deps.log.error({ err }, 'listing page campaigns failed');
      return [];
    })) ?? [];
    socket.emit('session', {
      visitorId: p.visitorId,
      token: socket.data.token,
      userId: p.userId,
      protocol: SUPPORTED_PROTOCOL_VERSIONS[SUPPORTED_PROTOCOL_VERSIONS.length - 1]!,
      maxUploadBytes: deps.maxUploadBytes,
      ...(deps.notifications ? { notifyEmail: socket.data.notifyEmail, ...(socket.data.identifiedEmail ? { notifyIdentified: true } : {}) } : {}),
      ...(campaigns.length ? { campaigns } : {}),
    });

    const before = async () => {
      if (deps.isClosing()) throw new ServerError('unavailable', 'server is shutting down');
      await deps.limits.events.take(p.visitorId);
      await deps.limits.ipEvents.take(clientIp(socket, deps.trustProxy));
    };
    const { log } = deps;

    socket.on(
      'sync',
      handler(syncInputSchema, log, before, (input) => {
        shed('sync');
        return messaging.syncFor(p, input);
      }),
    );
    socket.on('threads.list', handler(listThreadsInputSchema, log, before, (input) => messaging.threadsFor(p, input)));
    socket.on('messages.list', handler(listMessagesInputSchema, log, before, (input) => messaging.messagesForVisitor(p, input)));
    socket.on(
      'message.send',
      handler(sendInputSchema, log, before, async (input) => {
        shed('send');
        await deps.limits.sends.take(p.visitorId);
        return messaging.postFromVisitor(p, input);
      }),
    );
    socket.on('thread.read', handler(readInputSchema, log, before, (input) => messaging.readByVisitor(p, input, socket.id)));
    socket.on('typing', handler(typingInputSchema, log, before, (input) => messaging.typingFromVisitor(p, input)));
    // Liveness: the client asks when it suspects the connection is half-open (an ack is late, the
    // browser came back online). Counted like any event; it touches nothing else.
    socket.on('ping', handler(pingInputSchema, log, before, async () => ({ now: new Date().toISOString() })));
    socket.on(
      'track',
      handler(trackInputSchema, log, before, async ({ name, props }) => {
        await store.insertEvent(p.appId, p.visitorId, name, props);
        await deps.rules?.onEvent(p, name, props);
      }),
    );
    socket.on('context.update', handler(contextInputSchema, log, before, (patch) => messaging.contextFromVisitor(p, patch)));
    socket.on('thread.rate', handler(rateInputSchema, log, before, (input) => messaging.rateThread(p, input)));
    socket.on(
      'notify.email.set',
      handler(notifyEmailInputSchema, log, before, async ({ email }) => {
        if (!deps.notifications) throw new ServerError('notifications_off', 'this server sends no email');
        return { email: await deps.notifications.setVisitorEmail(p, email) };
      }),
    );
    socket.on(
      'thread.attach',
      handler(threadAttachInputSchema, log, before, async ({ token }) => {
        const { attached, ...view } = await deps.continueLinks.attach(p, token);
        // From now on this connection may read and write there, and hears its events.
        p.threads = attached;
        await socket.join(threadRoom(view.thread.id));
        return view;
      }),
    );
    socket.on('availability.get', handler(availabilityInputSchema, log, before, () => deps.availability.forVisitor(p.appId)));
    socket.on('proactive.event', handler(proactiveEventInputSchema, log, before, ({ id, event }) => messaging.proactive.report(p, id, event)));
    socket.on(
      'campaign.fire',
      handler(campaignFireInputSchema, log, before, (input) => {
        if (!deps.rules) throw new ServerError('bad_request', 'campaign: this server runs no campaigns');
        return deps.rules.fire(p, input);
      }),
    );
  }
}
