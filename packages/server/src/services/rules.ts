import fs from 'node:fs';
import * as v from 'valibot';
import { systemClock, type Clock } from '../clock.js';
import type { Job, JobWorker } from '../jobs/worker.js';
import type { Principal, SqlStore } from '../store/sql-store.js';
import { visitorContext } from '../store/rows.js';
import type { ProactiveService } from './proactive.js';
import type { Messaging } from './messaging.js';

const authorSchema = v.object({
  kind: v.picklist(['agent', 'bot', 'system']),
  name: v.optional(v.pipe(v.string(), v.maxLength(120))),
  avatarUrl: v.optional(v.pipe(v.string(), v.regex(/^https?:\/\//))),
});

/** A declarative campaign: when a tracked event matches, push a prompt after a delay, within a cap. */
export const ruleSchema = v.object({
  /** Also the campaign id of the prompts it pushes. */
  id: v.pipe(v.string(), v.regex(/^[\w-]{1,64}$/)),
  appId: v.optional(v.string(), 'demo'),
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
  /** A queued prompt expires after this long. */
  expiresAfterMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1000)), 60 * 60 * 1000),
});

export type Rule = v.InferOutput<typeof ruleSchema>;

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
 * How one evaluation of a rule ended: `pushed` a prompt, or why not — the visitor was `offline` or
 * `unknown` by then, the page (`url`) or the cart value (`cart`) did not match, the cap was
 * reached (`capped`), an earlier run of the same job had pushed it already (`duplicate`: its node
 * died before it could finish; nothing is pushed again), or it `failed` (logged; the job is tried
 * again later, up to 5 runs).
 */
export type RuleOutcome = 'pushed' | 'offline' | 'unknown' | 'url' | 'cart' | 'capped' | 'duplicate' | 'failed';

export interface RuleEvaluation {
  rule: string;
  visitorId: string;
  outcome: RuleOutcome;
}

/** The job kind of a rule's delay. */
export const RULE_JOB = 'rule.fire';

/** What a rule's job carries: the rule, who tracked the event, and its props. */
interface RuleJob {
  rule: string;
  principal: Principal;
  props: Record<string, unknown> | undefined;
}

export interface RuleEngineDeps {
  store: Pick<SqlStore, 'getVisitor'>;
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
}

/**
 * Runs campaign rules on tracked events. A matching event writes a `rule.fire` job due after the
 * rule's delay (one per rule and visitor: a job already waiting absorbs a repeat), so the delay
 * survives a restart and, with several nodes, exactly one node evaluates it. The evaluation and
 * the cap are atomic: the cap is counted and the prompt stored in one transaction, serialised per
 * campaign and visitor, which also deletes the job; the prompt's id is the job's, so a job run
 * again after its node died pushes nothing twice.
 */
export class RuleEngine {
  readonly #listeners = new Set<(evaluation: RuleEvaluation) => void>();
  readonly #byId = new Map<string, Rule>();
  readonly #clock: Pick<Clock, 'now'>;

  constructor(
    private readonly rules: Rule[],
    private readonly deps: RuleEngineDeps,
  ) {
    this.#clock = deps.clock ?? systemClock;
    for (const rule of rules) this.#byId.set(`${rule.appId}:${rule.id}`, rule);
    deps.jobs.handle(RULE_JOB, (job) => this.#run(job));
  }

  get size(): number {
    return this.rules.length;
  }

  /**
   * Hears every evaluation, on the node that ran it, once its outcome is final (a pushed prompt
   * is stored and emitted). Returns the unsubscribe function.
   */
  subscribe(listener: (evaluation: RuleEvaluation) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A tracked event: writes the delayed job of every rule it matches (resolves once they are stored). */
  async onEvent(p: Principal, name: string, props: Record<string, unknown> | undefined): Promise<void> {
    for (const rule of this.rules) {
      if (rule.appId !== p.appId || rule.when.event !== name) continue;
      const payload: RuleJob = { rule: rule.id, principal: p, props };
      // Already waiting: a reload re-tracking, or a second tab, changes nothing.
      await this.deps.jobs.add(RULE_JOB, payload, { runAt: this.#clock.now() + rule.delayMs, dedupeKey: `rule:${p.appId}:${rule.id}:${p.visitorId}` });
    }
  }

  async #run(job: Job): Promise<void> {
    const { rule: ruleId, principal: p, props } = job.payload as RuleJob;
    const rule = this.#byId.get(`${p.appId}:${ruleId}`);
    if (!rule) {
      // Written by a node with another rules file, or before this one changed.
      this.deps.log.warn({ rule: ruleId, job: job.id }, 'campaign rule job for a rule this node does not have; dropped');
      return;
    }
    let outcome: RuleOutcome;
    try {
      outcome = await this.#fire(rule, p, props, job);
    } catch (err) {
      this.deps.log.warn({ err, rule: rule.id }, 'campaign rule failed');
      this.#emit({ rule: rule.id, visitorId: p.visitorId, outcome: 'failed' });
      throw err; // the worker tries the job again later
    }
    this.#emit({ rule: rule.id, visitorId: p.visitorId, outcome });
  }

  async #fire(rule: Rule, p: Principal, props: Record<string, unknown> | undefined, job: Job): Promise<RuleOutcome> {
    if (!(await this.deps.presence.isOnline(p.visitorId))) return 'offline';
    const visitor = await this.deps.store.getVisitor(p.visitorId);
    if (!visitor) return 'unknown';
    const context = visitorContext(visitor);
    if (rule.when.urlContains && !(context.page?.url ?? '').includes(rule.when.urlContains)) return 'url';
    if (rule.when.minCartValue !== undefined) {
      const value = typeof props?.cartValue === 'number' ? props.cartValue : (context.cart?.value ?? 0);
      if (value < rule.when.minCartValue) return 'cart';
    }
    const now = this.#clock.now();
    const outcome = await this.deps.proactive.pushCampaign(
      p,
      {
        to: { visitorId: p.visitorId },
        text: rule.message.text,
        display: rule.message.display,
        campaign: rule.id,
        author: rule.message.author ?? { kind: 'bot' },
        quickReplies: rule.message.quickReplies,
        expiresAt: new Date(now + rule.expiresAfterMs).toISOString(),
      },
      // The job is deleted in the transaction that stores the prompt (or finds the cap reached).
      { id: job.id, cap: { count: rule.cap.count, since: now - rule.cap.perMs }, then: (trx) => this.deps.jobs.complete(job.id, trx) },
    );
    return outcome === 'exists' ? 'duplicate' : outcome;
  }

  #emit(evaluation: RuleEvaluation): void {
    for (const listener of this.#listeners) listener(evaluation);
  }
}
