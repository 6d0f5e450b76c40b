import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../clock.js';
import type { VisitorsTable } from '../db/schema.js';
import type { ProactiveInput } from './proactive.js';
import { connect, startServer, tempDir, type Harness } from '../test/harness.js';
import { RuleEngine, loadRules, ruleSchema, type RuleEvaluation, type RuleOutcome } from './rules.js';

let h: Harness;
const rulesFile = path.join(tempDir(), 'rules.json');

beforeAll(async () => {
  fs.writeFileSync(
    rulesFile,
    JSON.stringify({
      rules: [
        {
          id: 'checkout-help',
          when: { event: 'checkout_started', urlContains: '/checkout', minCartValue: 10 },
          delayMs: 150,
          message: { text: 'Need help with your order?', display: 'toast', author: { kind: 'bot', name: 'Shop assistant' } },
          cap: { count: 1, perMs: 86_400_000 },
        },
      ],
    }),
  );
  h = await startServer({ rulesFile });
});
afterAll(() => h.close());

/** The outcome of the next evaluation of a rule for this visitor (subscribe before tracking). */
function evaluated(visitorId: string): Promise<RuleOutcome> {
  return new Promise((resolve) => {
    const stop = h.server.rules!.subscribe((e) => {
      if (e.visitorId !== visitorId) return;
      stop();
      resolve(e.outcome);
    });
  });
}

async function atCheckout(cartValue: number) {
  const v = await connect(h.url);
  await v.call('context.update', { page: { url: 'http://shop.test/checkout' } });
  return { v, track: () => v.call('track', { name: 'checkout_started', props: { cartValue } }) };
}

describe('campaign rules', () => {
  it('pushes the prompt after the delay, once per visitor per day however often the event repeats', async () => {
    const { v, track } = await atCheckout(42);
    const prompt = v.next('proactive', 2000);
    const first = evaluated(v.session.visitorId);
    await track();
    await track(); // a second tab or a reload: still one timer
    const p = await prompt;
    expect(p).toMatchObject({ text: 'Need help with your order?', campaign: 'checkout-help', display: 'toast', author: { kind: 'bot', name: 'Shop assistant' } });
    expect(p.expiresAt).not.toBeNull();
    // The prompt reaches the socket before its evaluation ends (it is marked delivered after):
    // wait for that outcome, or the next listener would hear it instead of the third track's.
    expect(await first).toBe('pushed');
    const third = evaluated(v.session.visitorId);
    await track();
    expect(await third).toBe('capped');
    expect(v.received.proactive).toHaveLength(1);
    v.close();
  });

  it('does not push when the cart is below the threshold, the page does not match, or the visitor left', async () => {
    const small = await atCheckout(5);
    const smallOutcome = evaluated(small.v.session.visitorId);
    await small.track();

    const elsewhere = await connect(h.url);
    await elsewhere.call('context.update', { page: { url: 'http://shop.test/products' } });
    const elsewhereOutcome = evaluated(elsewhere.session.visitorId);
    await elsewhere.call('track', { name: 'checkout_started', props: { cartValue: 50 } });

    const gone = await atCheckout(50);
    const goneOutcome = evaluated(gone.v.session.visitorId);
    await gone.track();
    gone.v.close();

    expect(await smallOutcome).toBe('cart');
    expect(await elsewhereOutcome).toBe('url');
    expect(await goneOutcome).toBe('offline');
    expect(small.v.received.proactive ?? []).toHaveLength(0);
    expect(elsewhere.received.proactive ?? []).toHaveLength(0);
    const sync = await (await connect(h.url, { token: gone.v.session.token })).call('sync', { cursors: {} });
    expect(sync.proactive).toHaveLength(0);
    small.v.close();
    elsewhere.close();
  });

  it('refuses an invalid rules file with the path of the problem', () => {
    const bad = path.join(tempDir(), 'bad.json');
    fs.writeFileSync(bad, JSON.stringify([{ id: 'x', when: {}, message: { text: 'hi' } }]));
    expect(() => loadRules(bad)).toThrow(/invalid rules at 0\.when\.event/);
  });
});

describe('the rule engine on a fake clock', () => {
  const rule = parse(ruleSchema, { id: 'welcome', when: { event: 'page_viewed' }, delayMs: 5000, message: { text: 'Hello!' } });
  const p = { appId: 'demo', visitorId: 'v1', userId: null };
  const visitor = { id: 'v1', context: '{}' } as VisitorsTable;

  function engine(options: { online?: boolean; sent?: number } = {}) {
    const timers = new Map<number, { fn: () => void; ms: number }>();
    let ids = 0;
    const clock: Clock = {
      now: () => 1_000_000,
      setTimeout: (fn, ms) => {
        timers.set(++ids, { fn, ms });
        return ids;
      },
      clearTimeout: (id) => timers.delete(id as number),
    };
    /** Runs every timer now, whatever its delay. */
    const elapse = () => {
      const due = [...timers.values()];
      timers.clear();
      for (const t of due) t.fn();
    };
    const pushed: ProactiveInput[] = [];
    const rules = new RuleEngine([rule], {
      store: { getVisitor: async () => visitor, campaignPromptsSince: async () => options.sent ?? 0 },
      presence: { isOnline: async () => options.online ?? true },
      proactive: {
        push: async (_appId, input) => {
          pushed.push(input);
          return { proactive: {} as never, delivered: 'live', duplicate: false };
        },
      },
      log: { warn: () => {} },
      clock,
    });
    const next = () => new Promise<RuleEvaluation>((resolve) => rules.subscribe(resolve));
    return { rules, timers, elapse, pushed, next };
  }

  it('waits for the delay on the injected clock, once per visitor however often the event repeats', async () => {
    const { rules, timers, elapse, pushed, next } = engine();
    rules.onEvent(p, 'page_viewed', undefined);
    rules.onEvent(p, 'page_viewed', undefined);
    expect([...timers.values()].map((t) => t.ms)).toEqual([5000]);
    expect(pushed).toHaveLength(0);
    const evaluation = next();
    elapse();
    expect(await evaluation).toEqual({ rule: 'welcome', visitorId: 'v1', outcome: 'pushed' });
    expect(pushed).toEqual([expect.objectContaining({ text: 'Hello!', campaign: 'welcome', expiresAt: new Date(1_000_000 + 60 * 60 * 1000).toISOString() })]);
  });

  it('says why it pushed nothing: the visitor left, or the cap is reached', async () => {
    const gone = engine({ online: false });
    gone.rules.onEvent(p, 'page_viewed', undefined);
    const offline = gone.next();
    gone.elapse();
    expect((await offline).outcome).toBe('offline');

    const capped = engine({ sent: 1 });
    capped.rules.onEvent(p, 'page_viewed', undefined);
    const full = capped.next();
    capped.elapse();
    expect((await full).outcome).toBe('capped');
    expect([...gone.pushed, ...capped.pushed]).toHaveLength(0);
  });

  it('cancels the waiting timers when stopped', () => {
    const { rules, timers } = engine();
    rules.onEvent(p, 'page_viewed', undefined);
    rules.stop();
    expect(timers.size).toBe(0);
  });
});
