/**
 * Page triggers (docs/campaigns.md#page-triggers): the campaigns the session lists for this
 * visitor (`Session.campaigns`), each watched on this page until its trigger fires, then handed to
 * `fire` (the client shows its prompt at once and reports it). Loaded on demand, only when a
 * session lists campaigns (see `units.ts`): a page without live page campaigns never loads it.
 *
 * Every listener is passive and removed as soon as no armed campaign needs it; a campaign fires at
 * most once per page; nothing here may throw into the host page (a failure is an `error` event).
 */
import type { PageCampaign, Session } from '@threadline/protocol';
import type { TimerHandle } from '../environment.js';
import type { Host } from '../host.js';
import type { Unit } from '../lazy.js';
import { conditionHolds, fastScrollUp, globMatch, leftThroughTop, scrolledPercent, type ScrollSamples } from './page-rules.js';

type Listen = (type: string, fn: (e: Event) => void, options?: AddEventListenerOptions) => void;

/** What the triggers read of the page: the browser's `window`, a fake in tests. */
export interface PageLike {
  addEventListener: Listen;
  removeEventListener: Listen;
  readonly scrollY: number;
  readonly innerHeight: number;
  readonly location: { readonly href: string };
  readonly document: {
    readonly documentElement: { readonly scrollHeight: number };
    readonly visibilityState: string;
    addEventListener: Listen;
    removeEventListener: Listen;
  };
  /** Milliseconds since the page started loading. */
  readonly performance: { now(): number };
  matchMedia?(query: string): { matches: boolean };
}

export interface TriggersDeps {
  host: Host;
  page: PageLike;
  /** The cart's value as this page last set it (`updateContext`). */
  cartValue(): number | undefined;
  /** A listed campaign's trigger fired on this page. */
  fire(campaign: string): void;
}

/** What a tab does with input, for `idle`. */
const INPUT = ['pointermove', 'pointerdown', 'keydown', 'wheel', 'touchstart', 'scroll'];
const passive = { passive: true, capture: true };

export class Triggers implements Unit {
  readonly #d: TriggersDeps;
  /** Armed campaigns: how to disarm each. */
  readonly #armed = new Map<string, () => void>();
  /** Campaigns that listen to tracked events and cart changes. */
  readonly #hearers = new Map<string, (name: string | null, props: Record<string, unknown> | undefined) => void>();
  readonly #fired = new Set<string>();
  readonly #unsubscribe: () => void;
  #session: Session | Omit<Session, 'token' | 'protocol'> | null = null;

  constructor(deps: TriggersDeps) {
    this.#d = deps;
    this.#unsubscribe = deps.host.store.subscribe(() => this.#safely(() => this.#sync()));
    this.#safely(() => this.#sync());
  }

  /** A tracked event (`name`), or the page's context changed (`null`): for `page_event` and `cart_value`. */
  heard(name: string | null, props?: Record<string, unknown>): void {
    this.#safely(() => {
      for (const hear of [...this.#hearers.values()]) hear(name, props);
    });
  }

  stop(): void {
    this.#unsubscribe();
    for (const id of [...this.#armed.keys()]) this.#disarm(id);
  }

  /** The session changed (a new connection, another tab's): arm what it lists, disarm what it no longer does. */
  #sync(): void {
    const session = this.#d.host.store.state.session;
    if (session === this.#session) return;
    this.#session = session;
    const listed = session?.campaigns ?? [];
    for (const id of [...this.#armed.keys()]) if (!listed.some((c) => c.id === id)) this.#disarm(id);
    for (const c of listed) if (!this.#armed.has(c.id) && !this.#fired.has(c.id)) this.#arm(c);
  }

  #arm(c: PageCampaign): void {
    const { page, host } = this.#d;
    const t = c.trigger;
    const offs: (() => void)[] = [];
    const on = (target: Pick<PageLike, 'addEventListener' | 'removeEventListener'>, type: string, fn: (e: Event) => void) => {
      const safe = (e: Event) => this.#safely(() => fn(e));
      target.addEventListener(type, safe, passive);
      offs.push(() => target.removeEventListener(type, safe, passive));
    };
    let timer: TimerHandle | null = null;
    const wait = (ms: number, fn: () => void) => {
      if (timer !== null) host.env.clearTimeout(timer);
      timer = host.env.setTimeout(() => {
        timer = null;
        this.#safely(fn);
      }, Math.max(0, ms));
    };
    offs.push(() => timer !== null && host.env.clearTimeout(timer));
    this.#armed.set(c.id, () => offs.forEach((off) => off()));
    const fire = () => this.#fire(c);
    const hear = (fn: (name: string | null, props: Record<string, unknown> | undefined) => void) => {
      this.#hearers.set(c.id, fn);
      offs.push(() => this.#hearers.delete(c.id));
    };

    switch (t.kind) {
      case 'time_on_page':
        // Counted from the page's start (navigation), not from when this code loaded.
        wait((t.seconds ?? 0) * 1000 - page.performance.now(), fire);
        break;
      case 'idle': {
        const ms = (t.seconds ?? 0) * 1000;
        let last = page.performance.now();
        const check = () => {
          const quiet = page.performance.now() - last;
          if (page.document.visibilityState !== 'visible') return;
          if (quiet >= ms) fire();
          else wait(ms - quiet, check);
        };
        for (const type of INPUT) on(page, type, () => (last = page.performance.now()));
        // A hidden page is not an idle visitor: the count starts again when it shows.
        on(page.document, 'visibilitychange', () => {
          last = page.performance.now();
          check();
        });
        wait(ms, check);
        break;
      }
      case 'scroll_depth':
        on(page, 'scroll', () => {
          if (scrolledPercent(page.scrollY, page.innerHeight, page.document.documentElement.scrollHeight) >= (t.percent ?? 100)) fire();
        });
        break;
      case 'exit_intent':
        if (page.matchMedia?.('(pointer: coarse)').matches) {
          let samples: ScrollSamples = [];
          on(page, 'scroll', () => {
            const r = fastScrollUp(samples, page.performance.now(), page.scrollY, page.innerHeight);
            samples = r.samples;
            if (r.up) fire();
          });
          on(page.document, 'visibilitychange', () => page.document.visibilityState === 'hidden' && fire());
        } else {
          on(page.document, 'mouseout', (e) => leftThroughTop(e as MouseEvent) && fire());
        }
        break;
      case 'page_event':
        hear((name, props) => name === t.event && (t.conditions ?? []).every((x) => conditionHolds(x, props ?? {})) && fire());
        break;
      case 'cart_value': {
        const check = (props?: Record<string, unknown>) => {
          const value = typeof props?.cartValue === 'number' ? props.cartValue : this.#d.cartValue();
          if (value !== undefined && value >= (t.minCartValue ?? 0)) fire();
        };
        hear((_name, props) => check(props));
        check();
      }
    }
  }

  /** Fires once per page, on a page whose URL matches the trigger's glob and the audience's. */
  #fire(c: PageCampaign): void {
    if (this.#fired.has(c.id) || !this.#armed.has(c.id)) return;
    const url = this.#d.page.location.href;
    if ((c.trigger.urlPattern !== undefined && !globMatch(c.trigger.urlPattern, url)) || (c.urlPattern !== undefined && !globMatch(c.urlPattern, url))) return;
    this.#fired.add(c.id);
    this.#disarm(c.id);
    this.#d.fire(c.id);
  }

  #disarm(id: string): void {
    this.#armed.get(id)?.();
    this.#armed.delete(id);
  }

  /** Never into the host page: a failure is reported as an `error` event. */
  #safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#d.host.error({ code: 'internal_client', message: `page trigger failed: ${String(err)}` });
    }
  }
}
