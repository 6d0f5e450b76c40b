import type { FastifyInstance, FastifyReply } from 'fastify';
import { ServerError } from '../../errors.js';
import { escapeHtml } from '../../notifications/digest.js';
import { requireApp } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { errorSchema } from '../schemas.js';

type Scope = 'thread' | 'address';

interface UnsubscribeQuery {
  n: string;
  scope: Scope;
  sig: string;
}

const unsubscribeQuery = {
  type: 'object',
  properties: {
    n: { type: 'string', pattern: '^[0-9a-f-]{36}$' },
    scope: { type: 'string', enum: ['thread', 'address'] },
    sig: { type: 'string', pattern: '^[0-9a-f]{1,64}$' },
  },
  required: ['n', 'scope', 'sig'],
} as const;

function page(reply: FastifyReply, status: number, title: string, body: string): FastifyReply {
  return reply
    .status(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
    .header('cache-control', 'no-store')
    .send(
      `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title></head>` +
        `<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem">${body}</body></html>`,
    );
}

/**
 * Email notifications over HTTP: unsubscribe links (RFC 8058 one-click POST; a GET only shows a
 * button, since mail scanners follow links), inbound email for providers that forward over
 * HTTP, and the app's setting for identified users' emails. Registered only with notifications
 * configured (`deps.notifications`).
 */
export function notificationRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const n = deps.notifications;
  if (!n) return;
  const { store: nstore, signer, inbound } = n;

  async function unsubscribe(q: UnsubscribeQuery): Promise<{ scope: Scope; brand: string } | null> {
    if (!signer.verify('unsubscribe', `${q.scope}:${q.n}`, q.sig)) return null;
    const sent = await nstore.get(q.n);
    if (!sent) return null;
    if (q.scope === 'thread') await nstore.threadOff(sent.thread_id);
    else await nstore.suppress(sent.app_id, sent.email, Date.now());
    return { scope: q.scope, brand: (await nstore.appName(sent.app_id)) ?? '' };
  }

  void app.register(async (scope) => {
    // RFC 8058: the mail client POSTs `List-Unsubscribe=One-Click` as a form.
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1024 }, (_req, body, done) => done(null, body));

    scope.get<{ Querystring: UnsubscribeQuery }>(
      '/v1/notifications/unsubscribe',
      { schema: { tags: ['notifications'], summary: 'Unsubscribe page of an email (shows a button; changes nothing)', querystring: unsubscribeQuery } },
      async (req, reply) => {
        const q = req.query;
        if (!signer.verify('unsubscribe', `${q.scope}:${q.n}`, q.sig) || !(await nstore.get(q.n))) {
          return page(reply, 404, 'Link not valid', '<p>This unsubscribe link is not valid.</p>');
        }
        const what = q.scope === 'thread' ? 'emails about this conversation' : 'all emails of this shop to your address';
        const action = `?n=${encodeURIComponent(q.n)}&scope=${q.scope}&sig=${encodeURIComponent(q.sig)}`;
        return page(
          reply,
          200,
          'Unsubscribe',
          `<p>Stop ${escapeHtml(what)}?</p><form method="post" action="${escapeHtml(action)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`,
        );
      },
    );

    scope.post<{ Querystring: UnsubscribeQuery }>(
      '/v1/notifications/unsubscribe',
      {
        schema: {
          tags: ['notifications'],
          summary: 'Unsubscribe (RFC 8058 one-click POST): one thread, or the address from every email of the app',
          querystring: unsubscribeQuery,
        },
      },
      async (req, reply) => {
        const done = await unsubscribe(req.query);
        if (!done) return page(reply, 404, 'Link not valid', '<p>This unsubscribe link is not valid.</p>');
        const what = done.scope === 'thread' ? 'about this conversation' : `from ${done.brand}`;
        return page(reply, 200, 'Unsubscribed', `<p>You will get no more emails ${escapeHtml(what)}.</p>`);
      },
    );

    // Raw MIME, as a provider's inbound webhook forwards it; the same parser as the SMTP listener.
    for (const type of ['message/rfc822', 'application/octet-stream']) {
      scope.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: n.maxInboundBytes }, (_req, body, done) => done(null, body));
    }
    scope.post(
      '/v1/inbound/email',
      {
        bodyLimit: n.maxInboundBytes,
        schema: {
          tags: ['notifications'],
          summary: 'Post an email reply (raw MIME, Content-Type message/rfc822) into the thread its reply address names',
          description:
            'For mail providers that forward inbound mail over HTTP. Answers 201 with the message posted, 200 for a repeat or an ignored bounce or auto-reply, 403 `reply_token_invalid` for a bad, expired or foreign reply address (nothing lands), 413 over the size limit, 400 for mail that does not parse.',
          security: [{ apiKey: [] }],
          response: { 200: { type: 'object', additionalProperties: true }, 201: { type: 'object', additionalProperties: true }, 400: errorSchema, 401: errorSchema, 403: errorSchema, 413: errorSchema, 501: errorSchema },
        },
      },
      async (req, reply) => {
        const appRow = await requireApp(req, deps.store);
        if (!Buffer.isBuffer(req.body)) throw new ServerError('bad_request', 'send the raw email with Content-Type: message/rfc822');
        const result = await inbound.receive(req.body, undefined, appRow.id);
        if (result.outcome === 'ignored') return reply.status(200).send({ outcome: 'ignored', reason: result.reason });
        return reply.status(result.outcome === 'appended' ? 201 : 200).send(result);
      },
    );
  });

  app.get(
    '/v1/notifications/settings',
    { schema: { tags: ['notifications'], summary: "The app's email notification settings", security: [{ apiKey: [] }] } },
    async (req) => {
      const appRow = await requireApp(req, deps.store);
      return { identifiedUsers: await nstore.identifiedOptIn(appRow.id) };
    },
  );

  app.put<{ Body: { identifiedUsers: boolean } }>(
    '/v1/notifications/settings',
    {
      schema: {
        tags: ['notifications'],
        summary: "Changes the app's email notification settings",
        description: '`identifiedUsers`: an identified user whose `identify` carried an email gets notifications there without asking (default false).',
        security: [{ apiKey: [] }],
        body: { type: 'object', properties: { identifiedUsers: { type: 'boolean' } }, required: ['identifiedUsers'], additionalProperties: false },
      },
    },
    async (req) => {
      const appRow = await requireApp(req, deps.store);
      await nstore.setIdentifiedOptIn(appRow.id, req.body.identifiedUsers);
      return { identifiedUsers: req.body.identifiedUsers };
    },
  );
}
