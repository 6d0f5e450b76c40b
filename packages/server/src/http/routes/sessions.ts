import type { FastifyInstance } from 'fastify';
import { ServerError, notFound } from '../../errors.js';
import { looksLikeJwt } from '../../auth/tokens.js';
import { sessionRoom } from '../../realtime/rooms.js';
import { bearer, requireApp } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { errorSchema } from '../schemas.js';

const revokedSchema = {
  type: 'object',
  properties: { revoked: { type: 'integer', description: 'Sessions revoked by this call (already revoked or expired ones are not counted)' } },
  required: ['revoked'],
} as const;

/** Revoking visitor sessions: by the browser on logout, or by the brand backend for a visitor or user. */
export function sessionRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { store, tokens, sessions, messaging } = deps;
  // The session's sockets close with reason `io server disconnect` (socket.io clients do not
  // reconnect on their own after that).
  const disconnect = (ids: string[]) => {
    if (ids.length) messaging.io.in(ids.map(sessionRoom)).disconnectSockets(true);
  };

  app.delete(
    '/v1/session',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Log out: revoke the session of this visitor token and disconnect its sockets',
        description:
          'Idempotent: an already revoked or expired token also answers 204. Browsers call it on `shutdown()` with `fetch(…, { method: "DELETE", keepalive: true })`; CORS allows the origins of the apps.',
        security: [{ visitorToken: [] }],
        response: { 204: { type: 'null', description: 'Revoked (or already revoked or expired)' }, 401: errorSchema, 429: errorSchema },
      },
    },
    async (req, reply) => {
      const token = bearer(req);
      const seen = token && looksLikeJwt(token) ? await tokens.inspect(token) : null;
      if (!token || !seen) throw new ServerError('unauthorized', 'send the visitor token as "Authorization: Bearer <token>"');
      // An expired token's session ran out no later than the token did (see sessions.ts): nothing to do.
      if (!seen.expired) {
        const id = await sessions.revokeToken(seen.claims, token);
        if (id) disconnect([id]);
      }
      return reply.status(204).send();
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/v1/visitors/:id/sessions',
    {
      schema: {
        tags: ['sessions'],
        summary: "Revoke every session of a visitor (all its devices' tokens) and disconnect their sockets",
        security: [{ apiKey: [] }],
        params: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 64 } }, required: ['id'] },
        response: { 200: revokedSchema, 401: errorSchema, 404: errorSchema, 429: errorSchema },
      },
    },
    async (req) => {
      const appRow = await requireApp(req, store);
      const visitor = await store.getVisitor(req.params.id);
      if (!visitor || visitor.app_id !== appRow.id) throw notFound('visitor');
      const ids = await sessions.revokeVisitor(appRow.id, visitor.id);
      disconnect(ids);
      return { revoked: ids.length };
    },
  );

  app.delete<{ Params: { userId: string } }>(
    '/v1/users/:userId/sessions',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Revoke every session of every visitor bound to a user, and disconnect their sockets',
        description:
          'Signed-in pages reconnect only by proving the identity again (a new `userHash` or JWT): call this when the user is deleted, changes password, or signs out everywhere.',
        security: [{ apiKey: [] }],
        params: { type: 'object', properties: { userId: { type: 'string', minLength: 1, maxLength: 128 } }, required: ['userId'] },
        response: { 200: revokedSchema, 401: errorSchema, 429: errorSchema },
      },
    },
    async (req) => {
      const appRow = await requireApp(req, store);
      const ids = await sessions.revokeUser(appRow.id, req.params.userId);
      disconnect(ids);
      return { revoked: ids.length };
    },
  );
}
