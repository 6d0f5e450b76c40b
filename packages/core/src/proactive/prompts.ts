/**
 * Proactive prompts on this device: which ones to offer (expiry, frequency caps, never twice), and
 * what the shopper did with them, kept in storage (`ProactiveRecord`) and reported to the server.
 * Loaded on demand (see `units.ts`): most page views never get a prompt, so the caps and this
 * bookkeeping stay out of the page's first code; the client loads it when a prompt arrives, when
 * storage holds prompts from an earlier page, or when the widget reports on one.
 */
import type { CampaignFireResult, ProactiveEvent, ProactiveMessage } from '@threadline/protocol';
import type { Host } from '../host.js';
import type { Unit } from '../lazy.js';
import type { ProactiveRecord } from '../storage/local-store.js';
import * as caps from './caps.js';
import type { ProactivePrompt } from '../types.js';
import type { PageLike, Triggers } from './triggers.js';
import type { TabCommand, TabCommands } from '../tabs/messages.js';

/** A page campaign's prompt not shown again on this device within the caps' window (`done` key). */
const firedKey = (campaign: string) => `campaign:${campaign}`;
/** Refused by the server: the page withdraws the prompt (see `fire`). */
const COUNTS = new Set<CampaignFireResult['outcome'] | undefined>(['shown', 'duplicate', 'held_out']);

export class Prompts implements Unit {
  readonly #host: Host;
  #record: ProactiveRecord;
  /** Page campaigns' prompts whose `campaign.fire` is under way: their reports wait for its answer. */
  readonly #firing = new Map<string, Promise<boolean>>();
  /** Leader: page campaigns whose fire is being decided (two tabs' triggers at once: one wins). */
  readonly #claimed = new Set<string>();
  /** This page's triggers, when the session lists page campaigns (their own chunk). */
  #triggers: Triggers | null = null;
  #loadingTriggers = false;
  #stopped = false;
  readonly #unsubscribe: () => void;

  /** `stored`: the record read at start; expired and capped prompts are dropped from it. */
  /** This page's tracked events so far (the client's list, kept up to date by it), for triggers that load after them. */
  readonly #tracked: readonly TabCommands['track'][];

  constructor(host: Host, stored: ProactiveRecord, tracked: readonly TabCommands['track'][] = []) {
    this.#host = host;
    this.#tracked = tracked;
    this.#record = caps.prune(stored, host.env.now(), host.options.caps);
    this.#unsubscribe = host.store.subscribe(() => this.#watch());
    this.#watch();
  }

  /** The session lists page campaigns: load their triggers for this page (once). */
  #watch(): void {
    if (this.#loadingTriggers || !this.#host.store.state.session?.campaigns || typeof window != 'object') return;
    this.#loadingTriggers = true;
    import('./triggers.js').then(
      (m) => {
        if (this.#stopped) return;
        const host = this.#host;
        this.#triggers = new m.Triggers({
          host,
          page: window as unknown as PageLike,
          cartValue: () => host.context().cart?.value,
          fire: (campaign) => void this.#fired(campaign),
        });
        // Events the page tracked before the triggers loaded (at page load, before the session):
        // a `page_event` trigger hears them now, as it would have then.
        for (const args of this.#tracked) this.#triggers.heard(...args);
      },
      (err: unknown) => {
        // Tried again at the next change of the store (a new session, say).
        this.#loadingTriggers = false;
        this.#host.error({ code: 'network', message: `could not load the page triggers code: ${String(err)}` });
      },
    );
  }

  /** A command of this page (`TabCommands`): its tracked events and context changes go to its triggers. */
  heard<K extends TabCommand>(command: K, args: TabCommands[K]): void {
    if (command === 'track') this.#triggers?.heard(...(args as TabCommands['track']));
    else if (command === 'context') this.#triggers?.heard(null);
  }

  /** A trigger fired in this page: the tab holding the socket decides and offers; this tab announces it (an `open` prompt opens here). */
  async #fired(campaign: string): Promise<void> {
    const host = this.#host;
    await host.leader('proactive', [campaign, 'fire'], () => this.fire(campaign));
    const prompt = host.store.state.proactive.find((p) => p.campaign === campaign && !p.shown);
    if (prompt) host.proactive(prompt);
  }

  /** Put the prompts kept from earlier pages in the state and announce them. */
  restore(): void {
    if (!this.#record.prompts.length) return;
    this.#set(this.#record);
    for (const prompt of this.#host.store.state.proactive) this.#host.proactive(prompt);
  }

  /** Prompts from the server (live or in a `sync`): keep and announce those within the caps. */
  offer(prompts: ProactiveMessage[]): void {
    const now = this.#host.env.now();
    const offered: ProactiveMessage[] = [];
    // Offered by the server, not to be shown here: reported, so the server stops offering them.
    const reports: [string, ProactiveEvent][] = [];
    let record = this.#record;
    for (const p of prompts) {
      const verdict = caps.verdict(record, p, now, this.#host.options.caps);
      if (verdict === 'capped') {
        record = caps.suppress(record, p.id, now);
        reports.push([p.id, 'suppressed']);
      } else if (verdict === 'done') {
        // Shown, dismissed or answered here while the report could not go: the server never
        // heard. A showing is what every close here began with (the UI shows before it closes).
        reports.push([p.id, 'shown']);
      } else if (verdict === 'offer') {
        record = caps.offer(record, p);
        offered.push(p);
      }
    }
    if (record !== this.#record) this.#set(record);
    for (const [id, event] of reports) void this.#report(id, event);
    if (!offered.length) return;
    for (const p of offered) {
      const prompt = this.#host.store.state.proactive.find((x) => x.id === p.id);
      if (prompt) this.#host.proactive(prompt);
    }
  }

  /** What the shopper did with a prompt: recorded here (a showing counts against its cap), then reported. */
  async event(id: string, event: ProactiveEvent | 'fire'): Promise<void> {
    if (event === 'fire') return void (await this.fire(id));
    const now = this.#host.env.now();
    const known = this.#record.prompts.find((p) => p.id === id);
    if (event === 'shown') {
      if (!known || known.shown) return;
      this.#set(caps.markShown(this.#record, id, now));
    } else if (event === 'dismissed' || event === 'replied') {
      if (known && !known.shown) this.#set(caps.markShown(this.#record, id, now));
      this.#set(caps.close(this.#record, id, now));
    }
    await this.#report(id, event);
  }

  /**
   * A page trigger of a listed campaign fired (in this tab or another: this runs in the tab that
   * holds the socket, one call at a time). Once per campaign per caps window on this device, so
   * two tabs, or a reload, never show it twice. Its prompt is offered at once — no round trip —
   * and `campaign.fire` reported; the server stores it under the same id within every cap. In the
   * rare race where a cap was reached meanwhile (another device, a person started talking) the
   * server answers so, and the prompt is withdrawn from the page, unreported: it counts nowhere.
   * The holdout has no prompt: its fire only records its exposure. Resolves with the prompt
   * offered, for the tab that fired to announce.
   */
  async fire(campaign: string): Promise<ProactivePrompt | null> {
    const { env, options, store, local } = this.#host;
    const c = store.state.session?.campaigns?.find((x) => x.id === campaign);
    const recent = (at: number | undefined) => at !== undefined && env.now() - at < options.caps.capWindowMs;
    if (!c || this.#claimed.has(campaign) || recent(this.#record.done[firedKey(campaign)])) return null;
    this.#claimed.add(campaign);
    // What the tab that held the socket before this one stored (this copy may be older).
    const stored = (await local.load()).proactive;
    this.#claimed.delete(campaign);
    if (recent(stored.done[firedKey(campaign)])) {
      this.#record = { ...this.#record, done: { ...this.#record.done, [firedKey(campaign)]: stored.done[firedKey(campaign)]! } };
      return null;
    }
    const now = env.now();
    let record: ProactiveRecord = { ...this.#record, done: { ...this.#record.done, [firedKey(campaign)]: now } };
    const id = env.uuid();
    const answer = this.#host.request('campaign.fire', { campaign, id });
    if (c.prompt) {
      record = caps.offer(record, {
        id,
        campaign,
        ...c.prompt,
        expiresAt: new Date(now + 3_600_000).toISOString(),
        createdAt: new Date(now).toISOString(),
      });
      // Not connected (null): shown all the same; the server never hears of it.
      this.#firing.set(id, answer.then((res) => !res || COUNTS.has(res.outcome)));
    }
    this.#set(record);
    if (c.prompt) {
      void this.#firing.get(id)!.then((counts) => {
        this.#firing.delete(id);
        if (!counts) this.#set(caps.close(this.#record, id, env.now()));
      });
    }
    return store.state.proactive.find((p) => p.id === id) ?? null;
  }

  async #report(id: string, event: ProactiveEvent): Promise<void> {
    if (this.#firing.has(id) && !(await this.#firing.get(id))) return;
    if (this.#host.store.state.connection !== 'connected') return;
    await this.#host.request('proactive.event', { id, event });
  }

  #set(record: ProactiveRecord): void {
    this.#record = record;
    this.#host.store.dispatch({ type: 'proactive', prompts: record.prompts });
    void this.#host.local.putProactive(record);
  }

  stop(): void {
    // Every write is already under way, and reports are fire-and-forget; the triggers' listeners go.
    this.#stopped = true;
    this.#unsubscribe();
    this.#triggers?.stop();
  }
}
