import fs from 'node:fs';
import * as v from 'valibot';
import { systemClock, type Clock } from '../clock.js';
import type { Job, JobWorker } from '../jobs/worker.js';
import type { CampaignStore } from '../store/campaign-store.js';
import type { Principal, SqlStore } from '../store/sql-store.js';
import { visitorContext } from '../store/rows.js';
import type { ProactiveService } from './proactive.js';
import type { Messaging } from './messaging.js';
import type { CampaignFireInput, CampaignFireResult, PageCampaign, PageTrigger } from '@threadline/protocol';
import { HOLDOUT, PAGE_TRIGGERS, assign, audienceMiss, capsOf, globMatch, isRunning, subjectOf, variantOf, type Campaign, type CampaignSpec } from './campaign-spec.js';

const authorSchema = v.object({
  kind: v.picklist(['agent', 'bot', 'system']),
  name: v.optional(v.pipe(v.string(), v.maxLength(120))),
  avatarUrl: v.optional(v.pipe(v.string(), v.regex(/^https?:\/\//))),
});

/**
 * A rule of the JSON rules file (`THREADLINE_RULES_FILE`), now an import format: at start each
 * rule whose id no campaign of its app has (or had) becomes a live campaign (`ruleToCampaign`);
 * campaigns already there are left as they are, so changes made through `/v1/campaigns` stay.
 */
export const ruleSchema = v.object({
  /** Also the campaign id of the prompts it pushes. */
  id: v.pipe(v.string(), v.regex(/^[\w-]{1,64}$/)),
  appId: v.optional(v.string(), 'demo'),
  /** The campaign's name in the console. @default the id */
  name: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(200))),
  when: v.object({
    /** Name given to `track` (e.g. `checkout_started`). */
    event: v.pipe(v.string(), v.minLength(1)),
    /** Substring the visitor's current page URL must contain (from `context.update`). */
    urlContains: v.optional(v.string()),
    /** The tracked event's `cartValue` prop (or the context's cart value) must be at least this. */
    minCartValue: v.optional(v.number()),
  }),
  /** Wait this long after the event (a durable job); the prompt is pushed only if the visitor is still connected. */
  delayMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 0),
  message: v.object({
    text: v.pipe(v.string(), v.minLength(1), v.maxLength(5000)),
    display: v.optional(v.picklist(['toast', 'open']), 'toast'),
    author: v.optional(authorSchema),
    quickReplies: v.optional(v.array(v.object({ label: v.string(), value: v.optional(v.string()) }))),
  }),
  /** At most `count` prompts of this campaign per visitor (or user) per `perMs`. */
  cap: v.optional(v.object({ count: v.pipe(v.number(), v.integer(), v.minValue(1)), perMs: v.pipe(v.number(), v.integer(), v.minValue(1)) }), {
    count: 1,
    perMs: 24 * 60 * 60 * 1000,
  }),
  /** The campaign's goal: this tracked event within `windowMs` after the prompt counts as a conversion (docs/campaigns.md). */
  goal: v.optional(v.object({ event: v.pipe(v.string(), v.minLength(1), v.maxLength(100)), windowMs: v.pipe(v.number(), v.integer(), v.minValue(1000)) })),
  /** A queued prompt expires after this long. */
  expiresAfterMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1000)), 60 * 60 * 1000),
});

export type Rule = v.InferOutput<typeof ruleSchema>;

/** The campaign a rule of the rules file becomes. */
export function ruleToCampaign(rule: Rule): { appId: string; id: string; name: string; spec: CampaignSpec } {
  return {
    appId: rule.appId,
    id: rule.id,
    name: rule.name ?? rule.id,
    spec: {
      message: { text: rule.message.text, ...(rule.message.author ? { author: rule.message.author } : {}), ...(rule.message.quickReplies ? { quickReplies: rule.message.quickReplies } : {}) },
      display: rule.message.display,
      audience: {},
      trigger: {
        kind: 'server_event',
        event: rule.when.event,
        delayMs: rule.delayMs,
        // A glob: `*` around the substring (a `*` inside it also matches any run, which a substring rule never meant; rare in URLs).
        ...(rule.when.urlContains ? { urlPattern: `*${rule.when.urlContains}*` } : {}),
        ...(rule.when.minCartValue !== undefined ? { minCartValue: rule.when.minCartValue } : {}),
      },
      caps: { perVisitor: { count: rule.cap.count, perMs: rule.cap.perMs } },
      schedule: {},
      ...(rule.goal ? { goal: rule.goal } : {}),
      expiresAfterMs: rule.expiresAfterMs,
    },
  };
}

/** Creates the campaigns of a rules file that do not exist yet (ids of deleted ones included); returns the ids created. */
export async function importRules(campaigns: Pick<CampaignStore, 'create'>, rules: Rule[]): Promise<string[]> {
  const created: string[] = [];
  for (const rule of rules) {
    const c = ruleToCampaign(rule);
    if (await campaigns.create(c.appId, c.id, c.name, 'live', c.spec, { ifAbsent: true })) created.push(c.id);
  }
  return created;
}

/** The prompt a campaign (in the variant whose `message` this is) sends a visitor, from a trigger on the server or on the page. */
function campaignPrompt(c: Campaign, message: ReturnType<typeof variantOf>['message'], visitorId: string, now: number) {
  return {
    to: { visitorId },
    text: message.text,
    display: c.display,
    campaign: c.id,
    author: message.author ?? { kind: 'bot' as const },
    quickReplies: message.quickReplies,
    blocks: message.blocks,
    expiresAt: new Date(now + c.expiresAfterMs).toISOString(),
  };
}

export function loadRules(file: string): Rule[] {
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
  const parsed = v.safeParse(v.array(ruleSchema), Array.isArray(raw) ? raw : (raw as { rules?: unknown }).rules);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const where = issue.path?.map((p) => String(p.key)).join('.') ?? '';
    throw new Error(`${file}: invalid rules at ${where || 'top level'}: ${issue.message}`);
  }
  return parsed.output;
}

/**
 * How one evaluation of a campaign ended: `pushed` a prompt, `held_out` (the person is in the
 * experiment's holdout: their exposure is recorded, nothing is sent), or why not — the campaign
 * `stopped` (paused, ended, deleted or out of its schedule) meanwhile, the visitor was `offline`
 * or `unknown` by then, outside the `audience`, the page (`url`) or the cart value (`cart`) did
 * not match, a cap was reached (`capped`), an earlier run of the same job had pushed it already
 * (`duplicate`: its node died before it could finish; nothing is pushed again), or it `failed`
 * (logged; the job is tried again later, up to 5 runs).
 */
export type RuleOutcome = 'pushed' | 'held_out' | 'stopped' | 'offline' | 'unknown' | 'audience' | 'url' | 'cart' | 'capped' | 'duplicate' | 'failed';

const isPageTrigger = (t: { kind: string }): boolean => (PAGE_TRIGGERS as readonly string[]).includes(t.kind);
/** The campaign's trigger, or a variant's, is evaluated on the page. */
const hasPageTrigger = (c: Campaign): boolean => isPageTrigger(c.trigger) || !!c.experiment?.variants.some((v) => v.trigger && isPageTrigger(v.trigger));

export interface RuleEvaluation {
  /** The campaign's id. */
  rule: string;
  visitorId: string;
  outcome: RuleOutcome;
  /** The arm it ran in (a variant id, `default`, or `holdout`), once known. */
  variant?: string;
}

/** The job kind of a campaign's delay. */
export const RULE_JOB = 'rule.fire';

/** What a campaign's job carries: the campaign, who tracked the event, and its props. */
interface RuleJob {
  rule: string;
  principal: Principal;
  props: Record<string, unknown> | undefined;
}

export interface RuleEngineDeps {
  /** The counts behind the up-front caps of page campaigns are optional: without them every campaign is listed, and the caps are met when it fires. */
  store: Pick<SqlStore, 'getVisitor' | 'exposedArm'> & Partial<Pick<SqlStore, 'campaignPromptsSince' | 'lastPersonMessageAt'>>;
  /** The campaigns (cached per node: see CampaignStore), and where goal events convert. */
  campaigns: Pick<CampaignStore, 'ofApp' | 'convert'>;
  /** Whether the visitor still has a tab connected when the delay is over. */
  presence: Pick<Messaging, 'isOnline'>;
  proactive: Pick<ProactiveService, 'pushCampaign'>;
  /** Where the delays wait: durable jobs, run by whichever node claims them. */
  jobs: Pick<JobWorker, 'add' | 'handle' | 'complete'>;
  log: { warn(obj: object, msg: string): void };
  /**
   * The time delays count from and caps are counted at.
   * @default real time
   */
  clock?: Pick<Clock, 'now'>;
  /** The day's cap across campaigns (`THREADLINE_PROMPTS_PER_DAY`), checked before listing page campaigns; 0: none. @default 0 */
  promptsPerDay?: number;
}

/**
 * Runs the live campaigns with a server trigger (`server_event`) on tracked events, and counts
 * goal events as conversions. A matching event writes a `rule.fire` job due after the trigger's
 * delay (one per campaign and visitor: a job already waiting absorbs a repeat), so the delay
 * survives a restart and, with several nodes, exactly one node evaluates it. When it runs, the
 * campaign is read again (a pause meanwhile stops it), then the audience, page and cart are
 * checked; the caps are counted and the prompt (or, in the holdout, the exposure alone) stored in
 * one transaction, serialised per campaign and visitor, which also deletes the job; the prompt's
 * id is the job's, so a job run again after its node died pushes nothing twice.
 */
export class RuleEngine {
  readonly #listeners = new Set<(evaluation: RuleEvaluation) => void>();
  readonly #clock: Pick<Clock, 'now'>;

  constructor(private readonly deps: RuleEngineDeps) {
    this.#clock = deps.clock ?? systemClock;
    deps.jobs.handle(RULE_JOB, (job) => this.#run(job));
  }

  /**
   * Hears every evaluation, on the node that ran it, once its outcome is final (a pushed prompt
   * is stored and emitted). Returns the unsubscribe function.
   */
  subscribe(listener: (evaluation: RuleEvaluation) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * A tracked event: converts the exposures it is the goal of, and writes the delayed job of every
   * running campaign whose trigger (the person's variant's) it matches. Resolves once stored.
   */
  async onEvent(p: Principal, name: string, props: Record<string, unknown> | undefined): Promise<void> {
    const now = this.#clock.now();
    const campaigns = await this.deps.campaigns.ofApp(p.appId);
    if (campaigns.some((c) => c.goal?.event === name)) await this.deps.campaigns.convert({ appId: p.appId, visitorId: p.visitorId, userId: p.userId, event: name });
    for (const c of campaigns) {
      if (!isRunning(c, now)) continue;
      // The trigger of the person's arm. Only when variants have triggers of their own does the arm
      // change which events matter: then a stored arm (exposed while anonymous, say) is read first.
      const subject = subjectOf(p);
      const stored = c.experiment?.variants.some((v) => v.trigger) ? await this.deps.store.exposedArm(p.appId, c.id, subject, p.visitorId) : undefined;
      const trigger = variantOf(c, stored ?? assign(c, subject)).trigger;
      if (trigger.kind !== 'server_event' || trigger.event !== name) continue;
      const payload: RuleJob = { rule: c.id, principal: p, props };
      // Already waiting: a reload re-tracking, or a second tab, changes nothing.
      await this.deps.jobs.add(RULE_JOB, payload, { runAt: now + (trigger.delayMs ?? 0), dedupeKey: `rule:${p.appId}:${c.id}:${p.visitorId}` });
    }
  }

  async #run(job: Job): Promise<void> {
    const { rule: id, principal: p, props } = job.payload as RuleJob;
    const campaign = (await this.deps.campaigns.ofApp(p.appId)).find((c) => c.id === id);
    if (!campaign || !isRunning(campaign, this.#clock.now())) {
      // Resolving deletes the job.
      this.#emit({ rule: id, visitorId: p.visitorId, outcome: 'stopped' });
      return;
    }
    let evaluation: RuleEvaluation;
    try {
      evaluation = await this.#fire(campaign, p, props, job);
    } catch (err) {
      this.deps.log.warn({ err, campaign: id }, 'campaign failed');
      this.#emit({ rule: id, visitorId: p.visitorId, outcome: 'failed' });
      throw err; // the worker tries the job again later
    }
    this.#emit(evaluation);
  }

  async #fire(c: Campaign, p: Principal, props: Record<string, unknown> | undefined, job: Job): Promise<RuleEvaluation> {
    const subject = subjectOf(p);
    const variant = (await this.deps.store.exposedArm(p.appId, c.id, subject, p.visitorId)) ?? assign(c, subject);
    const done = (outcome: RuleOutcome): RuleEvaluation => ({ rule: c.id, visitorId: p.visitorId, outcome, variant });
    if (!(await this.deps.presence.isOnline(p.visitorId))) return done('offline');
    const visitor = await this.deps.store.getVisitor(p.visitorId);
    if (!visitor) return done('unknown');
    const context = visitorContext(visitor);
    const now = this.#clock.now();
    if (audienceMiss(c.audience, { userId: p.userId, context, createdAt: Number(visitor.created_at) }, now)) return done('audience');
    const { message, trigger } = variantOf(c, variant);
    if (trigger.urlPattern !== undefined && !globMatch(trigger.urlPattern, context.page?.url ?? '')) return done('url');
    if (trigger.minCartValue !== undefined) {
      const value = typeof props?.cartValue === 'number' ? props.cartValue : (context.cart?.value ?? 0);
      if (value < trigger.minCartValue) return done('cart');
    }
    const outcome = await this.deps.proactive.pushCampaign(
      p,
      campaignPrompt(c, message, p.visitorId, now),
      // The job is deleted in the transaction that stores the prompt (or finds a cap reached).
      {
        id: job.id,
        cap: capsOf(c, now),
        then: (trx) => this.deps.jobs.complete(job.id, trx),
        exposure: { campaign: c.id, subject, variant, visitorId: p.visitorId, userId: p.userId },
      },
    );
    if (outcome === 'exists') return done('duplicate');
    return done(outcome);
  }

  /**
   * The page-triggered campaigns to list in this visitor's `session` (docs/campaigns.md#page-triggers):
   * running, whose audience matches the stored context (its URL glob is left to the page, which
   * knows the URL now), under every cap as far as they can be counted now (the campaign's caps, the
   * day's cap, no person talking with the visitor). The holdout gets the trigger without a
   * prompt, and only until its exposure is recorded. Empty, with no query, while the app has no
   * running page campaign.
   */
  async pageCampaigns(p: Principal): Promise<PageCampaign[]> {
    const now = this.#clock.now();
    const running = (await this.deps.campaigns.ofApp(p.appId)).filter((c) => isRunning(c, now) && hasPageTrigger(c));
    if (!running.length) return [];
    const visitor = await this.deps.store.getVisitor(p.visitorId);
    if (!visitor) return [];
    const facts = { userId: p.userId, context: visitorContext(visitor), createdAt: Number(visitor.created_at) };
    const store = this.deps.store;
    const count = (campaign: string | null, since: number) => store.campaignPromptsSince?.(p, campaign, since) ?? Promise.resolve(0);
    const perDay = this.deps.promptsPerDay ?? 0;
    if (perDay > 0 && (await count(null, now - 24 * 60 * 60 * 1000)) >= perDay) return [];
    if (((await store.lastPersonMessageAt?.(p.appId, { visitorId: p.visitorId, userId: p.userId })) ?? null) !== null) return [];
    const subject = subjectOf(p);
    const listed: PageCampaign[] = [];
    for (const c of running) {
      if (audienceMiss({ ...c.audience, urlPattern: undefined }, facts, now)) continue;
      const stored = await store.exposedArm(p.appId, c.id, subject, p.visitorId);
      const arm = stored ?? assign(c, subject);
      const { message, trigger } = variantOf(c, arm);
      if (!isPageTrigger(trigger)) continue;
      const entry: PageCampaign = { id: c.id, trigger: trigger as PageTrigger, ...(c.audience.urlPattern !== undefined ? { urlPattern: c.audience.urlPattern } : {}) };
      if (arm === HOLDOUT) {
        // Exposed already: the holdout's one exposure is recorded, there is nothing more to learn.
        if (stored) continue;
        listed.push(entry);
        continue;
      }
      let capped = false;
      for (const cap of capsOf(c, now)) if ((await count(c.id, cap.since)) >= cap.count) capped = true;
      if (capped) continue;
      entry.prompt = { text: message.text, display: c.display, author: message.author ?? { kind: 'bot' }, ...(message.quickReplies?.length ? { quickReplies: message.quickReplies } : {}), ...(message.blocks?.length ? { blocks: message.blocks } : {}) };
      listed.push(entry);
    }
    return listed;
  }

  /**
   * A page trigger fired on the visitor's page (`campaign.fire`): the device has already shown
   * the prompt under `id`. Stores it (not delivered: the page has it) and the exposure, within
   * every cap, in one transaction like a server trigger's prompt; in the holdout, the exposure
   * only. Anything but `shown`, `held_out` or `duplicate` tells the page to withdraw it.
   */
  async fire(p: Principal, input: CampaignFireInput): Promise<CampaignFireResult> {
    const now = this.#clock.now();
    const c = (await this.deps.campaigns.ofApp(p.appId)).find((x) => x.id === input.campaign);
    const result = (outcome: CampaignFireResult['outcome'], variant?: string): CampaignFireResult => {
      this.#emit({ rule: input.campaign, visitorId: p.visitorId, outcome: outcome === 'shown' ? 'pushed' : outcome, ...(variant ? { variant } : {}) });
      return { outcome };
    };
    if (!c || !isRunning(c, now)) return result('stopped');
    const subject = subjectOf(p);
    const variant = (await this.deps.store.exposedArm(p.appId, c.id, subject, p.visitorId)) ?? assign(c, subject);
    const { message, trigger } = variantOf(c, variant);
    if (!isPageTrigger(trigger)) return result('stopped', variant);
    const visitor = await this.deps.store.getVisitor(p.visitorId);
    if (!visitor) return result('stopped', variant);
    // The URL globs were checked by the page: the stored context may not have its URL yet.
    if (audienceMiss({ ...c.audience, urlPattern: undefined }, { userId: p.userId, context: visitorContext(visitor), createdAt: Number(visitor.created_at) }, now)) {
      return result('audience', variant);
    }
    const outcome = await this.deps.proactive.pushCampaign(
      p,
      campaignPrompt(c, message, p.visitorId, now),
      { id: input.id, cap: capsOf(c, now), deliver: false, exposure: { campaign: c.id, subject, variant, visitorId: p.visitorId, userId: p.userId } },
    );
    return result(outcome === 'pushed' ? 'shown' : outcome === 'exists' ? 'duplicate' : outcome, variant);
  }

  #emit(evaluation: RuleEvaluation): void {
    for (const listener of this.#listeners) listener(evaluation);
  }
}
