import type { FastifyInstance } from 'fastify';
import { WEEKDAYS, hoursProblem, type AppAvailability } from '@threadline/protocol';
import { ServerError } from '../../errors.js';
import { requireApp } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { errorSchema } from '../schemas.js';

const interval = { type: 'array', items: { type: 'string', pattern: '^([01][0-9]|2[0-4]):[0-5][0-9]$' }, minItems: 2, maxItems: 2 } as const;

const hoursSchema = {
  type: ['object', 'null'],
  properties: {
    timeZone: { type: 'string', minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Europe/Paris' },
    weekly: {
      type: 'object',
      properties: Object.fromEntries(WEEKDAYS.map((d) => [d, { type: 'array', items: interval, maxItems: 8 }])),
      additionalProperties: false,
      description: 'Open intervals per weekday (sun … sat), local [HH:MM, HH:MM) with end after start (24:00 allowed); a day left out is closed',
    },
    holidays: { type: 'array', items: { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' }, maxItems: 366, description: 'Closed days, local YYYY-MM-DD' },
  },
  required: ['timeZone', 'weekly'],
  additionalProperties: false,
} as const;

export const availabilitySchema = {
  type: 'object',
  properties: {
    hours: hoursSchema,
    replyTimeMinutes: { type: ['integer', 'null'], minimum: 1, maximum: 10080, description: 'Usual time to a first reply while open, in minutes (the widget shows "Usually replies within …")' },
    awayMessage: { type: ['string', 'null'], minLength: 1, maxLength: 1000, description: 'Posted as a bot message once per thread and closed period when a shopper writes outside hours' },
    team: {
      type: 'array',
      maxItems: 8,
      items: {
        type: 'object',
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 80 },
          avatarUrl: { type: 'string', maxLength: 2048, pattern: '^https?://', description: 'http(s) URL of their picture' },
        },
        required: ['name'],
        additionalProperties: false,
      },
      description: "The people shown on the widget's first screen, in this order (their initial without a picture); left out or empty: none",
    },
  },
  additionalProperties: false,
} as const;

const responseSchema = { ...availabilitySchema, required: ['hours', 'replyTimeMinutes', 'awayMessage'] } as const;

/**
 * `GET`/`PUT /v1/availability`: an app's business hours, expected reply time and away message
 * (services/availability.ts). PUT replaces the whole document; fields left out become null.
 */
export function availabilityRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.get(
    '/v1/availability',
    {
      schema: {
        tags: ['availability'],
        summary: "The app's business hours, expected reply time, away message and team",
        security: [{ apiKey: [] }],
        response: { 200: responseSchema, 401: errorSchema },
      },
    },
    async (req) => {
      const appRow = await requireApp(req, deps.store);
      return deps.availability.get(appRow.id);
    },
  );

  app.put<{ Body: Partial<AppAvailability> & { hours?: (Omit<NonNullable<AppAvailability['hours']>, 'holidays'> & { holidays?: string[] }) | null } }>(
    '/v1/availability',
    {
      schema: {
        tags: ['availability'],
        summary: "Replaces the app's business hours, expected reply time, away message and team",
        description:
          'Fields left out become null. Without `hours` the app counts as always open (no away message is posted). The widget shows "Usually replies within …" from `replyTimeMinutes` while open, and "We\'re back at …" outside hours.',
        security: [{ apiKey: [] }],
        body: availabilitySchema,
        response: { 200: responseSchema, 400: errorSchema, 401: errorSchema },
      },
    },
    async (req) => {
      const appRow = await requireApp(req, deps.store);
      const b = req.body;
      const hours = b.hours ? { timeZone: b.hours.timeZone, weekly: b.hours.weekly, holidays: [...new Set(b.hours.holidays ?? [])].sort() } : null;
      const problem = hours && hoursProblem(hours);
      if (problem) throw new ServerError('bad_request', `hours: ${problem}`);
      const awayMessage = b.awayMessage?.trim() || null;
      const team = (b.team ?? []).map((m) => ({ name: m.name.trim(), ...(m.avatarUrl ? { avatarUrl: m.avatarUrl } : {}) }));
      if (team.some((m) => !m.name)) throw new ServerError('bad_request', 'team: a name is blank');
      return deps.availability.put(appRow.id, { hours, replyTimeMinutes: b.replyTimeMinutes ?? null, awayMessage, ...(team.length ? { team } : {}) });
    },
  );
}
