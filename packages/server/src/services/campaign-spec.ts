import { createHash } from 'node:crypto';
import { conditionHolds, globMatch, richContentSchema, validate, type Author, type Block, type QuickReply, type VisitorContext } from '@threadline/protocol';
import { unsafePatternProblem } from './form-patterns.js';

/**
 * Campaigns as data (docs/campaigns.md): the definition a product team writes through
 * `/v1/campaigns`, its checks beyond the JSON Schema of the route, URL globs, the audience test,
 * and the sticky assignment of a visitor (or user) to a variant or the holdout.
 */

export const CAMPAIGN_STATUSES = ['draft', 'live', 'paused', 'ended'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** Triggers the server evaluates (on a tracked event, after a delay). */
export const SERVER_TRIGGERS = ['server_event'] as const;
/**
 * Triggers the page evaluates: listed in the visitor's session and reported by `campaign.fire`
 * (services/rules.ts `pageCampaigns`, `fire`; the core's proactive/triggers.ts; docs/campaigns.md#page-triggers).
 */
export const PAGE_TRIGGERS = ['time_on_page', 'scroll_depth', 'idle', 'exit_intent', 'page_event', 'cart_value'] as const;
export const TRIGGER_KINDS = [...SERVER_TRIGGERS, ...PAGE_TRIGGERS] as const;
export type TriggerKind = (typeof TRIGGER_KINDS)[number];

export const CONDITION_OPS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'contains', 'exists'] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];

/** A test on a property (of a tracked event, or of the visitor's attributes). */
export interface Condition {
  key: string;
  op: ConditionOp;
  value?: string | number | boolean;
}

export interface CampaignMessage {
  text: string;
  author?: Author;
  quickReplies?: QuickReply[];
  /**
   * RICH CONTENT (protocol `Block`: buttons, cards, a carousel, a form), checked with the
   * protocol's `richContentSchema` and stored with the campaign; its prompts carry them
   * (services/rules.ts → `ProactiveInput.blocks`, and the session's page campaigns).
   */
  blocks?: Block[];
}

export interface CampaignTrigger {
  kind: TriggerKind;
  /** `server_event`, `page_event`: the tracked event's name (e.g. `checkout_started`). */
  event?: string;
  /** `server_event`: wait this long after the event (a durable job). @default 0 */
  delayMs?: number;
  /** Glob the page URL must match (`*` is any run of characters, nothing else is special). */
  urlPattern?: string;
  /** `server_event`, `cart_value`: the cart value (the event's `cartValue` prop, else the context's) must be at least this. */
  minCartValue?: number;
  /** `time_on_page`, `idle`: seconds on the page / without input. */
  seconds?: number;
  /** `scroll_depth`: percent of the page scrolled. */
  percent?: number;
  /** `page_event`: every one must hold on the event's properties. */
  conditions?: Condition[];
}

export interface CampaignAudience {
  /** true: identified users only; false: anonymous visitors only; absent: both. */
  identified?: boolean;
  /** Locale prefixes (`en` matches `en-GB`); absent: any. */
  locales?: string[];
  /** Glob the current page URL must match. */
  urlPattern?: string;
  /** true: visitors first seen over 30 minutes ago; false: newer ones. */
  returning?: boolean;
  /** Every one must hold on the visitor's attributes (`context.update`'s `attributes`). */
  attributes?: Condition[];
}

export interface CampaignVariant {
  id: string;
  /** Percent of eligible visitors (with the others and the holdout: 100). */
  share: number;
  /** Replaces the campaign's message for this variant. */
  message?: CampaignMessage;
  /** Replaces the campaign's trigger for this variant. */
  trigger?: CampaignTrigger;
}

/** What a campaign is, besides its id, name and status (stored as JSON). */
export interface CampaignSpec {
  message: CampaignMessage;
  display: 'toast' | 'open';
  audience: CampaignAudience;
  trigger: CampaignTrigger;
  caps: {
    /** At most `count` prompts of this campaign per visitor (or user) per `perMs` (absent: ever). */
    perVisitor: { count: number; perMs?: number };
    /** At least this long between two prompts of this campaign to one visitor. @default 0 */
    cooldownMs?: number;
  };
  schedule: { startAt?: string; endAt?: string };
  goal?: { event: string; windowMs: number };
  experiment?: { holdoutShare: number; variants: CampaignVariant[] };
  /** A prompt not shown by then is withdrawn. @default 1 hour */
  expiresAfterMs: number;
}

export interface Campaign extends CampaignSpec {
  id: string;
  appId: string;
  name: string;
  status: CampaignStatus;
  createdAt: string;
  updatedAt: string;
}

export const DEFAULT_CAPS: CampaignSpec['caps'] = { perVisitor: { count: 1, perMs: 24 * 60 * 60 * 1000 } };
export const DEFAULT_EXPIRES_AFTER_MS = 60 * 60 * 1000;
export const HOLDOUT = 'holdout';
/** The one variant of a campaign without an experiment. */
export const DEFAULT_VARIANT = 'default';
/** Visitors first seen longer ago than this count as returning. */
export const RETURNING_AFTER_MS = 30 * 60 * 1000;
const MAX_GLOB_LENGTH = 500;

/**
 * What is wrong with a campaign the route's JSON Schema let through (types, enums and sizes are
 * checked there), as `field: problem`; null when nothing is.
 */
export function campaignProblem(spec: CampaignSpec): string | null {
  const trigger = triggerProblem(spec.trigger, 'trigger');
  if (trigger) return trigger;
  const message = messageProblem(spec.message, 'message');
  if (message) return message;
  if (spec.audience.urlPattern !== undefined) {
    const problem = globProblem(spec.audience.urlPattern);
    if (problem) return `audience.urlPattern: ${problem}`;
  }
  const { startAt, endAt } = spec.schedule;
  for (const [name, value] of [
    ['startAt', startAt],
    ['endAt', endAt],
  ] as const) {
    if (value !== undefined && Number.isNaN(Date.parse(value))) return `schedule.${name}: must be an ISO 8601 date`;
  }
  if (startAt && endAt && Date.parse(endAt) <= Date.parse(startAt)) return 'schedule.endAt: must be after startAt';
  if (spec.experiment) {
    const { holdoutShare, variants } = spec.experiment;
    const sum = variants.reduce((n, v) => n + v.share, holdoutShare);
    // Shares are whole or decimal percents; a sum off by float noise (33.3 × 3 + 0.1) is still 100.
    if (Math.abs(sum - 100) > 1e-9) return `experiment: the variants' shares and holdoutShare add up to ${sum}, not 100`;
    const ids = new Set<string>();
    for (const [i, variant] of variants.entries()) {
      if (variant.id === HOLDOUT) return `experiment.variants.${i}.id: "${HOLDOUT}" is reserved`;
      if (ids.has(variant.id)) return `experiment.variants.${i}.id: "${variant.id}" is used twice`;
      ids.add(variant.id);
      if (variant.message) {
        const problem = messageProblem(variant.message, `experiment.variants.${i}.message`);
        if (problem) return problem;
      }
      if (variant.trigger) {
        const problem = triggerProblem(variant.trigger, `experiment.variants.${i}.trigger`);
        if (problem) return problem;
      }
    }
  }
  return null;
}

/** Blocks and quick replies by the protocol's rules (sizes, URL schemes, text as their fallback), as for a message. */
function messageProblem(m: CampaignMessage, at: string): string | null {
  const checked = validate(richContentSchema, { text: m.text, blocks: m.blocks, quickReplies: m.quickReplies });
  if (!checked.ok) return `${at}.${checked.message}`;
  const slow = unsafePatternProblem(m.blocks);
  return slow ? `${at}.${slow}` : null;
}

function triggerProblem(t: CampaignTrigger, at: string): string | null {
  const needs: Partial<Record<TriggerKind, (keyof CampaignTrigger)[]>> = {
    server_event: ['event'],
    page_event: ['event'],
    time_on_page: ['seconds'],
    idle: ['seconds'],
    scroll_depth: ['percent'],
    cart_value: ['minCartValue'],
  };
  for (const field of needs[t.kind] ?? []) if (t[field] === undefined) return `${at}.${field}: required for a ${t.kind} trigger`;
  const allowed: Record<TriggerKind, (keyof CampaignTrigger)[]> = {
    server_event: ['event', 'delayMs', 'urlPattern', 'minCartValue'],
    page_event: ['event', 'conditions', 'urlPattern'],
    time_on_page: ['seconds', 'urlPattern'],
    idle: ['seconds', 'urlPattern'],
    scroll_depth: ['percent', 'urlPattern'],
    exit_intent: ['urlPattern'],
    cart_value: ['minCartValue', 'urlPattern'],
  };
  for (const field of Object.keys(t) as (keyof CampaignTrigger)[]) {
    if (field !== 'kind' && !allowed[t.kind].includes(field)) return `${at}.${field}: not a field of a ${t.kind} trigger`;
  }
  if (t.urlPattern !== undefined) {
    const problem = globProblem(t.urlPattern);
    if (problem) return `${at}.urlPattern: ${problem}`;
  }
  return null;
}

/**
 * URL patterns are globs, never regular expressions: a brand's pattern runs on every evaluation,
 * and a regex such as `(a+)+$` would take exponential time on a crafted URL. `*` is any run of
 * characters (none included); everything else matches itself. Matching is linear-ish (see
 * `globMatch`), so the only limit is length.
 */
export function globProblem(pattern: string): string | null {
  if (pattern.length === 0) return 'must not be empty';
  if (pattern.length > MAX_GLOB_LENGTH) return `longer than ${MAX_GLOB_LENGTH} characters`;
  return null;
}

// Globs and conditions: the protocol's (campaign-match.ts), so the page's triggers decide alike.
export { conditionHolds, globMatch };

/** What the audience test reads about a visitor. */
export interface AudienceFacts {
  userId: string | null;
  context: VisitorContext;
  /** When the visitor was first seen (epoch ms). */
  createdAt: number;
}

/** Why a visitor is outside the audience (the field that failed), or null when inside. */
export function audienceMiss(a: CampaignAudience, who: AudienceFacts, now: number): keyof CampaignAudience | null {
  if (a.identified !== undefined && a.identified !== (who.userId !== null)) return 'identified';
  if (a.locales?.length) {
    const locale = (who.context.locale ?? '').toLowerCase();
    if (!a.locales.some((l) => locale === l.toLowerCase() || locale.startsWith(`${l.toLowerCase()}-`))) return 'locales';
  }
  if (a.urlPattern !== undefined && !globMatch(a.urlPattern, who.context.page?.url ?? '')) return 'urlPattern';
  if (a.returning !== undefined && a.returning !== now - who.createdAt > RETURNING_AFTER_MS) return 'returning';
  if (a.attributes?.some((c) => !conditionHolds(c, who.context.attributes ?? {}))) return 'attributes';
  return null;
}

/** Whether the campaign runs at `now`: live, and inside its schedule. */
export function isRunning(c: Pick<Campaign, 'status' | 'schedule'>, now: number): boolean {
  if (c.status !== 'live') return false;
  if (c.schedule.startAt && Date.parse(c.schedule.startAt) > now) return false;
  if (c.schedule.endAt && Date.parse(c.schedule.endAt) <= now) return false;
  return true;
}

/** Whom assignment and caps are sticky for: the user when known (every device), else the visitor. */
export function subjectOf(p: { visitorId: string; userId: string | null }): string {
  return p.userId ? `u:${p.userId}` : `v:${p.visitorId}`;
}

/**
 * The variant (or `holdout`) of a subject: deterministic, so the same person gets the same answer
 * on every reload, device and node, with nothing stored before they are exposed. The first 32 bits
 * of SHA-256(`<campaign id>:<subject>`) give a point in [0, 100); the holdout takes [0, holdoutShare),
 * then each variant its share in the order listed. Changing the shares of a running experiment
 * moves people between arms: their earlier exposure (and its arm) is kept, see CampaignStore.
 */
export function assign(campaign: Pick<Campaign, 'id' | 'experiment'>, subject: string): string {
  const experiment = campaign.experiment;
  if (!experiment) return DEFAULT_VARIANT;
  const point = (createHash('sha256').update(`${campaign.id}:${subject}`).digest().readUInt32BE(0) / 2 ** 32) * 100;
  let edge = experiment.holdoutShare;
  if (point < edge) return HOLDOUT;
  for (const variant of experiment.variants) {
    edge += variant.share;
    if (point < edge) return variant.id;
  }
  // Float rounding at the very top of the range.
  return experiment.variants.at(-1)?.id ?? HOLDOUT;
}

/** The message and trigger a variant uses (its own, else the campaign's). The holdout's are the campaign's. */
export function variantOf(c: CampaignSpec, variant: string): { message: CampaignMessage; trigger: CampaignTrigger } {
  const v = c.experiment?.variants.find((x) => x.id === variant);
  return { message: v?.message ?? c.message, trigger: v?.trigger ?? c.trigger };
}

/** A campaign's caps as counts of its prompts to one person since a time (store/sql-store.ts `CampaignCap`). */
export function capsOf(spec: Pick<CampaignSpec, 'caps'>, now: number): { count: number; since: number }[] {
  const caps = [{ count: spec.caps.perVisitor.count, since: spec.caps.perVisitor.perMs ? now - spec.caps.perVisitor.perMs : 0 }];
  if (spec.caps.cooldownMs) caps.push({ count: 1, since: now - spec.caps.cooldownMs });
  return caps;
}
