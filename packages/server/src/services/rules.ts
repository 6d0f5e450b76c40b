import fs from 'node:fs';
import * as v from 'valibot';
import { systemClock, type Clock } from '../clock.js';
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
  /** Wait this long after the event; the prompt is pushed only if the visitor is still connected. */
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
 * reached (`capped`), or it `failed` (logged).
 */
export type RuleOutcome = 'pushed' | 'offline' | 'unknown' | 'url' | 'cart' | 'capped' | 'failed';

export interface RuleEvaluation {
  rule: string;
  visitorId: string;
  outcome: RuleOutcome;
}

export interface RuleEngineDeps {
  store: Pick<SqlStore, 'getVisitor' | 'campaignPromptsSince'>;
  /** Whether the visitor still has a tab connected when the delay is over. */
  presence: Pick<Messaging, 'isOnline'>;
  proactive: Pick<ProactiveService, 'push'>;
  log: { warn(obj: object, msg: string): void };
  /**
   * Time and the delay timers.
   * @default real time, with unref'd timers
   */
  clock?: Clock;
}

/**
 * Runs campaign rules on tracked events. Timers live in memory: a restart drops prompts that were
 * waiting for their delay (the visitor's next matching event schedules them again). The cap is
 * counted from stored prompts, so it survives restarts and holds across tabs and devices.
 */
export class RuleEngine {
  readonly #timers = new Map<string, unknown>();
  readonly #listeners = new Set<(evaluation: RuleEvaluation) => void>();
  readonly #clock: Clock;

  constructor(
    private readonly rules: Rule[],
    private readonly deps: RuleEngineDeps,
  ) {
    this.#clock = deps.clock ?? systemClock;
  }

  get size(): number {
    return this.rules.length;
  }

  /**
   * Hears every evaluation, once its outcome is final (a pushed prompt is stored and emitted).
   * Returns the unsubscribe function.
   */
  subscribe(listener: (evaluation: RuleEvaluation) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  onEvent(p: Principal, name: string, props: Record<string, unknown> | undefined): void {
    for (const rule of this.rules) {
      if (rule.appId !== p.appId || rule.when.event !== name) continue;
      const key = `${rule.id}:${p.visitorId}`;
      if (this.#timers.has(key)) continue; // already waiting: a reload re-tracking changes nothing
      const timer = this.#clock.setTimeout(() => {
        this.#timers.delete(key);
        void this.#fire(rule, p, props).then(
          (outcome) => this.#emit({ rule: rule.id, visitorId: p.visitorId, outcome }),
          (err: unknown) => {
            this.deps.log.warn({ err, rule: rule.id }, 'campaign rule failed');
            this.#emit({ rule: rule.id, visitorId: p.visitorId, outcome: 'failed' });
          },
        );
      }, rule.delayMs);
      this.#timers.set(key, timer);
    }
  }

  async #fire(rule: Rule, p: Principal, props: Record<string, unknown> | undefined): Promise<RuleOutcome> {
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
    if ((await this.deps.store.campaignPromptsSince(p, rule.id, now - rule.cap.perMs)) >= rule.cap.count) return 'capped';
    await this.deps.proactive.push(p.appId, {
      to: { visitorId: p.visitorId },
      text: rule.message.text,
      display: rule.message.display,
      campaign: rule.id,
      author: rule.message.author ?? { kind: 'bot' },
      quickReplies: rule.message.quickReplies,
      expiresAt: new Date(now + rule.expiresAfterMs).toISOString(),
    });
    return 'pushed';
  }

  #emit(evaluation: RuleEvaluation): void {
    for (const listener of this.#listeners) listener(evaluation);
  }

  stop(): void {
    for (const t of this.#timers.values()) this.#clock.clearTimeout(t);
    this.#timers.clear();
  }
}
