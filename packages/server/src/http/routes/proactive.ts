import type { FastifyInstance } from 'fastify';
import { richContentSchema, validate } from '@threadline/protocol';
import { requireApp } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { errorSchema, proactiveBody, proactiveSchema } from '../schemas.js';
import type { ProactiveInput } from '../../services/proactive.js';
import { unsafePatternProblem } from '../../services/form-patterns.js';
import { ServerError } from '../../errors.js';

export function proactiveRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.post<{ Body: Omit<ProactiveInput, 'idempotencyKey'>; Headers: { 'idempotency-key'?: string } }>(
    '/v1/proactive',
    {
      schema: {
        tags: ['proactive'],
        summary: 'Push a proactive message to a user or visitor',
        description:
          'Delivered at once to every connected tab of the target (`delivered: "live"`), otherwise kept for their next connection (`delivered: "queued"`) until it expires. `Idempotency-Key` makes retries safe. Naming a stored campaign (`/v1/campaigns`), the push meets its caps (429 `campaign_capped`) and its experiment (see docs/campaigns.md); naming a deleted one is a 400.',
        security: [{ apiKey: [] }],
        headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 200 } } },
        body: proactiveBody,
        response: {
          202: {
            type: 'object',
            properties: {
              proactive: { anyOf: [proactiveSchema, { type: 'null' }] },
              delivered: {
                type: 'string',
                enum: ['live', 'queued', 'held_out'],
                description: '`held_out`: the campaign named is an experiment and the target is in its holdout; nothing is stored or sent (`proactive: null`), the exposure is recorded',
              },
              duplicate: { type: 'boolean' },
            },
          },
          400: errorSchema,
          401: errorSchema,
          404: errorSchema,
          413: errorSchema,
          429: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const appRow = await requireApp(req, deps.store);
      // Blocks and quick replies by the protocol's rules, as for a message (routes/threads.ts): the JSON Schema only documents them.
      const rich = validate(richContentSchema, { text: req.body.text, blocks: req.body.blocks, quickReplies: req.body.quickReplies });
      if (!rich.ok) throw new ServerError('bad_request', `body: ${rich.message}`);
      const slow = unsafePatternProblem(rich.value.blocks);
      if (slow) throw new ServerError('bad_request', `body: ${slow}`);
      const { blocks, quickReplies } = rich.value;
      const result = await deps.proactive.push(appRow.id, { ...req.body, blocks, quickReplies, idempotencyKey: req.headers['idempotency-key'] ?? null });
      return reply.status(202).send(result);
    },
  );
}
