import { createHash } from 'node:crypto';
import type { Socket } from 'socket.io';
import {
  LIMITS,
  SUPPORTED_PROTOCOL_VERSIONS,
  contextInputSchema,
  listMessagesInputSchema,
  listThreadsInputSchema,
  proactiveEventInputSchema,
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
  type Message,
  type ServerEvents,
} from '@threadline/protocol';
import { ServerError } from '../errors.js';
import { verifyIdentity } from '../auth/identity.js';
import type { VisitorTokens } from '../auth/tokens.js';
import type { VisitorSessions } from '../auth/sessions.js';
import type { Principal, NewMessage } from '../store/sql-store.js';
import { toAgentVisitor, toMessage, toProactive } from '../store/rows.js';
import type { Messaging } from '../services/messaging.js';
import { pageOf } from '../services/messaging.js';
import { decodeCursor, encodeCursor } from '../store/cursor.js';
import type { ProactiveService } from '../services/proactive.js';
import { agentRoom, ownerRoom, sessionRoom, userRoom, visitorRoom } from './rooms.js';
import { handler } from './handler.js';
import type { Limiter } from './rate-limit.js';
import { isOriginAllowed } from '../http/origins.js';
import type { RuleEngine } from '../services/rules.js';

interface SocketData {
  principal: Principal;
  token: string;
  sessionId: string;
}

type VisitorSocket = Socket<ClientEvents, ServerEvents, Record<string, never>, SocketData>;

export interface VisitorChannelDeps {
  messaging: Messaging;
  proactive: ProactiveService;
  tokens: VisitorTokens;
  sessions: VisitorSessions;
  /** Per visitor: events, sends. Per IP: events (many visitors behind one address), connections. */
  limits: { events: Limiter; ipEvents: Limiter; sends: Limiter; connections: Limiter };
  maxUploadBytes: number;
  log: { error(obj: object, msg: string): void; info(obj: object, msg: string): void };
  isClosing: () => boolean;
  rules: RuleEngine | null;
  /** Behind a reverse proxy, limits count the X-Forwarded-For client, not the proxy. */
  trustProxy: boolean;
}

function clientIp(socket: Socket, trustProxy: boolean): string {
  const forwarded = socket.handshake.headers['x-forwarded-for'];
  if (trustProxy && typeof forwarded === 'string' && forwarded) return forwarded.split(',')[0]!.trim();
  return socket.handshake.address;
}

/** Newest messages sent for a thread the client does not know yet; older ones via `messages.list`. */
const NEW_THREAD_PAGE = 30;
/** Threads (most recently active first) covered by one `sync`. */
const SYNC_THREADS = 200;

function refuse(code: ServerError['code'], message: string, retryAfterMs?: number): Error {
  const err = new Error(message) as Error & { data: unknown };
  err.data = retryAfterMs === undefined ? { code, message } : { code, message, retryAfterMs };
  return err;
}

/** The visitor channel (namespace `/`): handshake, then every visitor event. */
export function attachVisitorChannel(deps: VisitorChannelDeps): void {
  const { messaging, tokens } = deps;
  const { store, io } = messaging;

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
      const app = await store.getApp(a.appId);
      if (!app) return next(refuse('unauthorized', 'unknown app'));
      if (!isOriginAllowed(app.allowedOrigins, socket.handshake.headers.origin)) {
        return next(refuse('origin_not_allowed', `origin ${socket.handshake.headers.origin} is not allowed for this app`));
      }
      const identity = await verifyIdentity(app.secret, a);

      let visitor = null;
      let session = null;
      if (a.token) {
        const claims = await tokens.verify(a.token);
        // An invalid, foreign, revoked or expired token is not an error: the browser simply
        // becomes a new visitor.
        session = claims && claims.appId === app.id ? await deps.sessions.resume(claims, a.token) : null;
        if (session) visitor = (await store.getVisitor(session.visitor_id)) ?? null;
      }
      // A device that was someone else's user must not carry that user's visitor into a new identity.
      if (visitor && identity && visitor.user_id && visitor.user_id !== identity.userId) visitor = null;
      visitor ??= await store.createVisitor(app.id);

      if (identity) {
        await store.bindUser(visitor.id, {
          userId: identity.userId,
          name: identity.name ?? a.name,
          email: identity.email ?? a.email,
        });
      } else if (!visitor.user_id && (a.name !== undefined || a.email !== undefined)) {
        // Only an anonymous visitor declares its own profile. A visitor bound to a user keeps the
        // profile its last proof set: an old token alone must not put a false name beside "Signed in".
        await store.setVisitorProfile(visitor.id, { name: a.name, email: a.email });
      }
      const principal = { appId: app.id, visitorId: visitor.id, userId: identity?.userId ?? null };
      // The device keeps its session (sliding expiry) unless it just became another visitor.
      const sessionId = await deps.sessions.renew(session?.visitor_id === visitor.id ? session.id : null, principal);
      socket.data.principal = principal;
      socket.data.sessionId = sessionId;
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
    await socket.join([visitorRoom(p.visitorId), sessionRoom(socket.data.sessionId)]);
    if (p.userId) await socket.join(userRoom(p.appId, p.userId));
    const ua = socket.handshake.headers['user-agent'];
    const visitor = await store.mergeContext(p.visitorId, { device: ua ? { userAgent: String(ua).slice(0, 300) } : {} });
    socket.emit('session', {
      visitorId: p.visitorId,
      token: socket.data.token,
      userId: p.userId,
      protocol: SUPPORTED_PROTOCOL_VERSIONS[SUPPORTED_PROTOCOL_VERSIONS.length - 1]!,
      maxUploadBytes: deps.maxUploadBytes,
    });
    if (visitor) messaging.agents.to(agentRoom(p.appId)).emit('visitor', toAgentVisitor(visitor, true));

    const before = async () => {
      if (deps.isClosing()) throw new ServerError('unavailable', 'server is shutting down');
      await deps.limits.events.take(p.visitorId);
      await deps.limits.ipEvents.take(clientIp(socket, deps.trustProxy));
    };
    const log = deps.log;

    socket.on(
      'sync',
      handler(syncInputSchema, log, before, async ({ cursors, limit = 100 }) => {
        const rows = await store.threadsOf(p, { limit: SYNC_THREADS });
        const messages: Message[] = [];
        // Past SYNC_THREADS threads the client pages the rest of the inbox with `threads.list`.
        let more = false;
        for (const t of rows) {
          const budget = limit - messages.length;
          if (budget <= 0) {
            more = true;
            break;
          }
          const cursor = cursors[t.id];
          if (cursor === undefined) {
            const page = await store.messagesBefore(t.id, undefined, Math.min(NEW_THREAD_PAGE, budget));
            messages.push(...page.map(toMessage));
          } else if (cursor < Number(t.last_seq)) {
            const page = await store.messagesAfter(t.id, cursor, budget + 1);
            if (page.length > budget) more = true;
            messages.push(...page.slice(0, budget).map(toMessage));
          }
        }
        const pending = await store.pendingProactive(p);
        await Promise.all(pending.map((row) => store.markProactive(row.id, 'delivered')));
        return { threads: await messaging.visitorThreads(rows), messages, proactive: pending.map(toProactive), more };
      }),
    );

    socket.on(
      'threads.list',
      handler(listThreadsInputSchema, log, before, async ({ before: cursor, limit = 50 }) => {
        const rows = await store.threadsOf(p, { before: cursor ? decodeCursor(cursor) : undefined, limit: limit + 1 });
        const more = rows.length > limit;
        const page = rows.slice(0, limit);
        const last = page[page.length - 1];
        return { items: await messaging.visitorThreads(page), more, next: more && last ? encodeCursor(Number(last.updated_at), last.id) : null };
      }),
    );

    socket.on(
      'messages.list',
      handler(listMessagesInputSchema, log, before, async ({ threadId, before: b, after, limit = 50 }) => {
        await store.visibleThread(p, threadId);
        return pageOf(store, threadId, { before: b, after, limit });
      }),
    );

    socket.on(
      'message.send',
      handler(sendInputSchema, log, before, async (input) => {
        await deps.limits.sends.take(p.visitorId);
        const message: NewMessage = {
          clientId: input.clientId,
          author: { kind: 'visitor' },
          text: input.text,
          kind: 'text',
          attachmentIds: input.attachmentIds ?? [],
          meta: input.quickReply || input.proactiveId ? { quickReply: input.quickReply, proactiveId: input.proactiveId } : undefined,
          bodyExtra: [input.quickReply ?? null, input.proactiveId ?? null],
        };
        let campaign: string | null = null;
        const prelude: NewMessage[] = [];
        if (input.proactiveId) {
          const prompt = toProactive(await store.liveProactive(p, input.proactiveId));
          campaign = prompt.campaign;
          // The prompt becomes the first message of the thread it started, so the agent sees what
          // the visitor is answering.
          prelude.push({
            clientId: `proactive:${prompt.id}`,
            author: prompt.author,
            text: prompt.text,
            kind: 'proactive',
            quickReplies: prompt.quickReplies,
            meta: { proactiveId: prompt.id, campaign: prompt.campaign },
          });
        }
        const result = await store.append({
          appId: p.appId,
          threadId: input.threadId,
          principal: p,
          create: input.create ? { visitorId: p.visitorId, userId: p.userId, campaign, prelude } : undefined,
          message,
          reopen: true,
        });
        const published = await messaging.published(result);
        if (input.proactiveId && !result.duplicate) await deps.proactive.report(p, input.proactiveId, 'replied', result.thread.id);
        if (result.reopened) {
          const { agentThread } = await messaging.threadChanged(result.thread);
          await messaging.webhooks.emit(p.appId, 'thread.reopened', { thread: agentThread });
        }
        return { message: published.message, thread: published.thread, duplicate: result.duplicate };
      }),
    );

    socket.on(
      'thread.read',
      handler(readInputSchema, log, before, async ({ threadId, seq }) => {
        const row = await store.visibleThread(p, threadId);
        const updated = await store.setReadSeq(threadId, 'visitor', seq);
        if (Number(updated.visitor_read_seq) !== Number(row.visitor_read_seq)) {
          const event = { threadId, seq: Number(updated.visitor_read_seq), by: 'visitor' as const };
          socket.to(ownerRoom(updated)).emit('read', event);
          messaging.agents.to(agentRoom(p.appId)).emit('read', event);
        }
        return { thread: await messaging.visitorThread(updated) };
      }),
    );

    socket.on(
      'typing',
      handler(typingInputSchema, log, before, async ({ threadId, typing }) => {
        await store.visibleThread(p, threadId);
        messaging.agents.to(agentRoom(p.appId)).emit('typing', { threadId, author: { kind: 'visitor' }, typing });
      }),
    );

    // Liveness: the client asks when it suspects the connection is half-open (an ack is late, the
    // browser came back online). Counted like any event; it touches nothing else.
    socket.on(
      'ping',
      handler(pingInputSchema, log, before, async () => ({ now: new Date().toISOString() })),
    );

    socket.on(
      'track',
      handler(trackInputSchema, log, before, async ({ name, props }) => {
        await store.insertEvent(p.appId, p.visitorId, name, props);
        deps.rules?.onEvent(p, name, props);
      }),
    );

    socket.on(
      'context.update',
      handler(contextInputSchema, log, before, async (patch) => {
        const row = await store.mergeContext(p.visitorId, patch);
        if (row) messaging.agents.to(agentRoom(p.appId)).emit('visitor', toAgentVisitor(row, true));
      }),
    );

    socket.on(
      'thread.rate',
      handler(rateInputSchema, log, before, async ({ threadId, score, comment }) => {
        await store.visibleThread(p, threadId);
        await store.setRating(threadId, score, comment ?? null);
        const result = await store.append({
          appId: p.appId,
          threadId,
          principal: p,
          message: {
            // Derived from the body: a retried rating is the same message, a changed one a new one.
            clientId: `rating:${score}:${createHash('sha256').update(comment ?? '').digest('hex').slice(0, 16)}`,
            author: { kind: 'visitor' },
            text: comment ?? '',
            kind: 'rating',
            meta: comment ? { score, comment } : { score },
          },
          reopen: false,
        });
        const { message } = await messaging.published(result);
        const { thread, agentThread } = await messaging.threadChanged(result.thread);
        await messaging.webhooks.emit(p.appId, 'rating.submitted', { threadId, score, comment: comment ?? null, thread: agentThread });
        return { thread, message };
      }),
    );

    socket.on(
      'proactive.event',
      handler(proactiveEventInputSchema, log, before, async ({ id, event }) => {
        await deps.proactive.report(p, id, event);
      }),
    );

    socket.on('disconnect', () => {
      void (async () => {
        if (deps.isClosing()) return;
        const online = await messaging.isOnline(p.visitorId);
        if (online) return;
        await store.touchVisitor(p.visitorId);
        const row = await store.getVisitor(p.visitorId);
        if (row) messaging.agents.to(agentRoom(p.appId)).emit('visitor', toAgentVisitor(row, false));
      })().catch((err) => deps.log.error({ err }, 'visitor disconnect bookkeeping failed'));
    });
  }
}

export const MAX_FRAME_BYTES = LIMITS.maxFrameBytes;
