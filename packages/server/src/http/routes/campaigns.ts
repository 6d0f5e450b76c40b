import type { FastifyInstance } from 'fastify';
import { v7 as uuidv7 } from 'uuid';
import { ServerError } from '../../errors.js';
import {
  CAMPAIGN_STATUSES,
  CONDITION_OPS,
  DEFAULT_CAPS,
  DEFAULT_EXPIRES_AFTER_MS,
  TRIGGER_KINDS,
  campaignProblem,
  type Campaign,
  type CampaignSpec,
  type CampaignStatus,
} from '../../services/campaign-spec.js';
import { campaignStats } from '../../services/campaign-stats.js';
import { requireApp } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { blockSchema, errorSchema, postMessageBody } from '../schemas.js';

const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const;
const ms = { type: 'integer', minimum: 0, maximum: 366 * 24 * 60 * 60 * 1000 } as const;
const glob = { type: 'string', minLength: 1, maxLength: 500, description: 'A glob on the whole URL: `*` is any run of characters, everything else matches itself (no regular expressions)' } as const;

const conditionSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    key: text(100),
    op: { type: 'string', enum: CONDITION_OPS },
    // One union type, not anyOf: with the server's type coercion, anyOf's first branch (a string)
    // would take `false` and `50` as "false" and "50"; a union coerces only what matches none.
    value: { type: ['string', 'number', 'boolean'], maxLength: 500 },
  },
  required: ['key', 'op'],
} as const;

const messageSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    text: text(5000),
    author: postMessageBody.properties.author,
    quickReplies: postMessageBody.properties.quickReplies,
    blocks: {
      type: 'array',
      items: blockSchema,
      description: 'Rich content (protocol `Block`), checked as for a message. A prompt shows `text`, their fallback, until prompts carry blocks (docs/campaigns.md).',
    },
  },
  required: ['text'],
} as const;

const triggerSchema = {
  type: 'object',
  additionalProperties: false,
  description:
    'Server side: `server_event` (a tracked event, then `delayMs`, with `urlPattern` and `minCartValue` checked when the delay is over). Page side, stored only in this version: `time_on_page`, `scroll_depth`, `idle`, `exit_intent`, `page_event` (with `conditions`), `cart_value`.',
  properties: {
    kind: { type: 'string', enum: TRIGGER_KINDS },
    event: text(100),
    delayMs: ms,
    urlPattern: glob,
    minCartValue: { type: 'number', minimum: 0 },
    seconds: { type: 'integer', minimum: 1, maximum: 86400 },
    percent: { type: 'integer', minimum: 1, maximum: 100 },
    conditions: { type: 'array', items: conditionSchema, maxItems: 10 },
  },
  required: ['kind'],
} as const;

const audienceSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    identified: { type: 'boolean', description: 'true: identified users only; false: anonymous visitors only' },
    locales: { type: 'array', items: text(35), maxItems: 50, description: 'Locale prefixes: `en` matches `en-GB`' },
    urlPattern: glob,
    returning: { type: 'boolean', description: 'true: visitors first seen over 30 minutes ago; false: newer ones' },
    attributes: { type: 'array', items: conditionSchema, maxItems: 20, description: "Tests on the visitor's attributes (context.update)" },
  },
} as const;

const capsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    perVisitor: {
      type: 'object',
      additionalProperties: false,
      properties: { count: { type: 'integer', minimum: 1, maximum: 1000 }, perMs: { ...ms, minimum: 1 } },
      required: ['count'],
      description: 'At most `count` prompts of this campaign per visitor (or user) per `perMs` (left out: ever)',
    },
    cooldownMs: { ...ms, description: 'At least this long between two prompts of this campaign to one visitor' },
  },
  required: ['perVisitor'],
} as const;

const variantSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,32}$' },
    share: { type: 'number', minimum: 0, maximum: 100, description: 'Percent of eligible people' },
    message: messageSchema,
    trigger: triggerSchema,
  },
  required: ['id', 'share'],
} as const;

/** The fields a campaign is written with (POST: name, message and trigger required; PATCH: any). */
const fields = {
  name: text(200),
  status: { type: 'string', enum: CAMPAIGN_STATUSES },
  message: messageSchema,
  display: { type: 'string', enum: ['toast', 'open'] },
  audience: audienceSchema,
  trigger: triggerSchema,
  caps: capsSchema,
  schedule: {
    type: 'object',
    additionalProperties: false,
    properties: { startAt: { type: 'string', format: 'date-time' }, endAt: { type: 'string', format: 'date-time' } },
  },
  goal: {
    type: ['object', 'null'],
    additionalProperties: false,
    properties: { event: text(100), windowMs: { ...ms, minimum: 1000 } },
    required: ['event', 'windowMs'],
    description: 'A tracked event within `windowMs` after the prompt went out (or would have, for the holdout) converts, once per person',
  },
  experiment: {
    type: ['object', 'null'],
    additionalProperties: false,
    properties: {
      holdoutShare: { type: 'number', minimum: 0, maximum: 100, description: 'Percent of eligible people never shown anything' },
      variants: { type: 'array', items: variantSchema, minItems: 1, maxItems: 10 },
    },
    required: ['holdoutShare', 'variants'],
    description: "Shares (variants' and holdout's) add up to 100",
  },
  expiresAfterMs: { ...ms, minimum: 1000 },
} as const;

const createBody = {
  type: 'object',
  additionalProperties: false,
  properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'Left out: one is made' }, ...fields },
  required: ['name', 'message', 'trigger'],
} as const;

const patchBody = { type: 'object', additionalProperties: false, properties: fields, minProperties: 1 } as const;

const campaignSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    ...fields,
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
  required: ['id', 'name', 'status', 'message', 'display', 'audience', 'trigger', 'caps', 'schedule', 'expiresAfterMs', 'createdAt', 'updatedAt'],
} as const;

const idParams = { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 64 } }, required: ['id'] } as const;

const rate = { type: ['number', 'null'] } as const;
const armSchema = {
  type: 'object',
  properties: {
    variant: { type: 'string' },
    eligible: { type: 'integer' },
    shown: { type: 'integer' },
    opened: { type: 'integer' },
    replied: { type: 'integer' },
    dismissed: { type: 'integer' },
    converted: { type: 'integer' },
    rates: {
      type: 'object',
      properties: { shown: rate, opened: rate, replied: rate, dismissed: rate, converted: rate },
    },
    lift: {
      type: ['object', 'null'],
      description: 'Conversion rate minus the holdout’s, with its 95 % confidence interval (Newcombe hybrid score); null for the holdout or without one',
      properties: { difference: { type: 'number' }, low: { type: 'number' }, high: { type: 'number' } },
    },
  },
} as const;

const statsSchema = {
  type: 'object',
  properties: {
    campaign: { type: 'string' },
    goal: fields.goal,
    method: { type: 'string' },
    arms: { type: 'array', items: armSchema },
  },
} as const;

type Body = Partial<Omit<CampaignSpec, 'goal' | 'experiment'>> & {
  id?: string;
  name?: string;
  status?: CampaignStatus;
  goal?: CampaignSpec['goal'] | null;
  experiment?: CampaignSpec['experiment'] | null;
};

/** The whole definition from a body over what was there (PATCH replaces each field given; null clears goal and experiment). */
function specOf(body: Body, base?: Campaign): CampaignSpec {
  const spec: CampaignSpec = {
    message: body.message ?? base!.message,
    display: body.display ?? base?.display ?? 'toast',
    audience: body.audience ?? base?.audience ?? {},
    trigger: body.trigger ?? base!.trigger,
    caps: body.caps ?? base?.caps ?? DEFAULT_CAPS,
    schedule: body.schedule ?? base?.schedule ?? {},
    expiresAfterMs: body.expiresAfterMs ?? base?.expiresAfterMs ?? DEFAULT_EXPIRES_AFTER_MS,
  };
  const goal = body.goal === undefined ? base?.goal : body.goal;
  if (goal) spec.goal = goal;
  const experiment = body.experiment === undefined ? base?.experiment : body.experiment;
  if (experiment) spec.experiment = experiment;
  const problem = campaignProblem(spec);
  if (problem) throw new ServerError('bad_request', problem);
  return spec;
}

/**
 * `/v1/campaigns`: campaigns as data (docs/campaigns.md). Validation: the JSON Schemas below
 * (types, enums, sizes), then `campaignProblem` (shares adding up to 100, fields a trigger kind
 * does not have, dates, reserved names) — both answer 400 `bad_request` naming the field.
 */
export function campaignRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const tags = ['campaigns'];
  const security = [{ apiKey: [] }];

  app.post<{ Body: Body }>(
    '/v1/campaigns',
    {
      schema: {
        tags,
        summary: 'Create a campaign',
        description: 'Created as `draft` unless `status` says otherwise. An `id` already used (by a deleted campaign too) is a 409 `conflict`.',
        security,
        body: createBody,
        response: { 201: campaignSchema, 400: errorSchema, 401: errorSchema, 409: errorSchema },
      },
    },
    async (req, reply) => {
      const appRow = await requireApp(req, deps.store);
      const spec = specOf(req.body);
      const id = req.body.id ?? uuidv7();
      await deps.campaigns.create(appRow.id, id, req.body.name!, req.body.status ?? 'draft', spec);
      return reply.status(201).send(await deps.campaigns.get(appRow.id, id));
    },
  );

  app.get(
    '/v1/campaigns',
    {
      schema: {
        tags,
        summary: "The app's campaigns (not the deleted ones), oldest first",
        security,
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: campaignSchema } } }, 401: errorSchema },
      },
    },
    async (req) => {
      const appRow = await requireApp(req, deps.store);
      deps.campaigns.forget(appRow.id); // an API read is never stale
      return { items: await deps.campaigns.ofApp(appRow.id) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/campaigns/:id',
    { schema: { tags, summary: 'A campaign', security, params: idParams, response: { 200: campaignSchema, 401: errorSchema, 404: errorSchema } } },
    async (req) => {
      const appRow = await requireApp(req, deps.store);
      return deps.campaigns.get(appRow.id, req.params.id);
    },
  );

  app.patch<{ Params: { id: string }; Body: Body }>(
    '/v1/campaigns/:id',
    {
      schema: {
        tags,
        summary: 'Change a campaign (pause, resume, edit)',
        description:
          'Each field given replaces the stored one (`goal: null` and `experiment: null` remove them). An `ended` campaign cannot be set live or paused again. Seen at once by this node, by the others within `campaignCacheMs` (5 s).',
        security,
        params: idParams,
        body: patchBody,
        response: { 200: campaignSchema, 400: errorSchema, 401: errorSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const appRow = await requireApp(req, deps.store);
      const base = await deps.campaigns.get(appRow.id, req.params.id);
      const status = req.body.status ?? base.status;
      if (base.status === 'ended' && status !== 'ended') throw new ServerError('bad_request', 'status: an ended campaign stays ended (create another)');
      const spec = specOf(req.body, base);
      await deps.campaigns.update(appRow.id, base.id, req.body.name ?? base.name, status, spec);
      return deps.campaigns.get(appRow.id, base.id);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/v1/campaigns/:id',
    {
      schema: {
        tags,
        summary: 'Delete a campaign',
        description: 'It stops prompting; its prompts, exposures and stats stay, and its id is not reused. A push naming it is refused (400).',
        security,
        params: idParams,
        response: { 204: { type: 'null' }, 401: errorSchema, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const appRow = await requireApp(req, deps.store);
      await deps.campaigns.delete(appRow.id, req.params.id);
      return reply.status(204).send();
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/campaigns/:id/stats',
    {
      schema: {
        tags,
        summary: "A campaign's figures per variant and holdout",
        description:
          'Counted from stored rows: people exposed (`eligible`), and how many of them saw, opened, answered and dismissed a prompt of it, and converted (its goal within the window). Rates are over `eligible`; `lift` is the conversion difference against the holdout with a 95 % Newcombe (hybrid score) interval.',
        security,
        params: idParams,
        response: { 200: statsSchema, 401: errorSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const appRow = await requireApp(req, deps.store);
      const campaign = await deps.campaigns.get(appRow.id, req.params.id);
      const counts = await deps.campaigns.counts(appRow.id, campaign.id);
      return campaignStats(campaign, counts);
    },
  );
}
