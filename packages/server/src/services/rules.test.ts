import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../clock.js';
import type { VisitorsTable } from '../db/schema.js';
import type { JobHandler } from '../jobs/worker.js';
import type { CampaignCap } from '../store/sql-store.js';
import type { ProactiveInput } from './proactive.js';
import type { ProactiveTable } from '../db/schema.js';
import { connect, newId, send, startServer, tempDir, type Harness } from '../test/harness.js';
import { RULE_JOB, RuleEngine, loadRules, ruleSchema, ruleToCampaign, type RuleEngineDeps, type RuleEvaluation, type RuleOutcome } from './rules.js';
import type { Campaign } from './campaign-spec.js';

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
          goal: { event: 'order_completed', windowMs: 3_600_000 },
        },
        { id: 'parcel-help', when: { event: 'parcel_delayed' }, delayMs: 60_000, message: { text: 'Sorry about the wait' } },
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

  it('skips a rule’s prompt for a visitor who already got the day’s prompts from other campaigns', async () => {
    const { v, track } = await atCheckout(42);
    for (let i = 0; i < 5; i++) expect((await h.api('POST', '/v1/proactive', { to: { visitorId: v.session.visitorId }, text: `pushed ${i}`, campaign: 'other' })).status).toBe(202);
    const outcome = evaluated(v.session.visitorId);
    await track();
    expect(await outcome).toBe('capped');
    expect((v.received.proactive ?? []).map((p: { text: string }) => p.text)).not.toContain('Need help with your order?');
    v.close();
  });

  it('skips a rule’s prompt while the visitor talks with a person', async () => {
    const { v, track } = await atCheckout(42);
    const threadId = newId();
    expect((await send(v, threadId, 'Can I pay by invoice?', { create: true })).ok).toBe(true);
    expect((await h.api('POST', `/v1/threads/${threadId}/messages`, { text: 'Yes, at checkout', author: { kind: 'agent', name: 'Sam' } })).status).toBe(201);
    const outcome = evaluated(v.session.visitorId);
    await track();
    expect(await outcome).toBe('capped');
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

  it('imports the rules file as campaigns at the first start only: a campaign changed through the API keeps its changes', async () => {
    const listed = (await h.api('GET', '/v1/campaigns')).body.items;
    expect(listed.map((c: { id: string }) => c.id)).toEqual(['checkout-help', 'parcel-help']);
    expect(listed[0]).toMatchObject({
      status: 'live',
      trigger: { kind: 'server_event', event: 'checkout_started', delayMs: 150, urlPattern: '*/checkout*', minCartValue: 10 },
      caps: { perVisitor: { count: 1, perMs: 86_400_000 } },
      goal: { event: 'order_completed', windowMs: 3_600_000 },
    });
    expect((await h.api('PATCH', '/v1/campaigns/parcel-help', { name: 'Parcel late' })).status).toBe(200);
    await h.restart();
    expect((await h.api('GET', '/v1/campaigns/parcel-help')).body).toMatchObject({ name: 'Parcel late', status: 'live' });
  });

  it('refuses an invalid rules file with the path of the problem', () => {
    const bad = path.join(tempDir(), 'bad.json');
    fs.writeFileSync(bad, JSON.stringify([{ id: 'x', when: {}, message: { text: 'hi' } }]));
    expect(() => loadRules(bad)).toThrow(/invalid rules at 0\.when\.event/);
  });
});

describe('campaign rules as durable jobs', () => {
  it('counts the cap and stores the prompt in one step: of ten racing jobs for one visitor, one pushes', async () => {
    const v = await connect(h.url);
    v.close();
    const p = { appId: 'demo', visitorId: v.session.visitorId, userId: null };
    const prompt = (id: string): ProactiveTable => ({
      id,
      app_id: 'demo',
      visitor_id: p.visitorId,
      user_id: null,
      text: 'Still there?',
      display: 'toast',
      campaign: 'race',
      author: JSON.stringify({ kind: 'bot' }),
      quick_replies: null,
      idempotency_key: null,
      expires_at: null,
      created_at: Date.now(),
      delivered_at: null,
      shown_at: null,
      opened_at: null,
      replied_at: null,
      dismissed_at: null,
      suppressed_at: null,
      thread_id: null,
    });
    const ids = Array.from({ length: 10 }, () => newId());
    const outcomes = await Promise.all(ids.map((id) => h.server.store.insertCampaignPrompt(prompt(id), p, { count: 1, since: 0 })));
    expect(outcomes.filter((o) => o === 'inserted')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'capped')).toHaveLength(9);
    // The job that pushed, run again (its node died after the commit): its prompt exists, so nothing more.
    const pushedId = ids[outcomes.indexOf('inserted')]!;
    expect(await h.server.store.insertCampaignPrompt(prompt(pushedId), p, { count: 5, since: 0 })).toBe('exists');
    expect(await h.server.store.campaignPromptsSince(p, 'race', 0)).toBe(1);
  });

  it('keeps a waiting rule across a restart, and runs it on the restarted server', async () => {
    const v = await connect(h.url);
    const trackedAt = Date.now();
    await v.call('track', { name: 'parcel_delayed' });
    const db = h.server.store.db;
    const [job] = await db.selectFrom('jobs').selectAll().where('dedupe_key', '=', `rule:demo:parcel-help:${v.session.visitorId}`).execute();
    expect(job).toMatchObject({ kind: 'rule.fire', locked_by: null, attempts: 0 });
    // Due a minute after the event (the row's created_at may be read a millisecond later).
    expect(job!.run_at).toBeGreaterThanOrEqual(trackedAt + 60_000);
    v.close();

    await h.restart();
    const back = await connect(h.url, { token: v.session.token });
    // As if the minute had passed while the server was away.
    await h.server.store.db.updateTable('jobs').set({ run_at: Date.now() }).where('id', '=', job!.id).execute();
    const outcome = evaluated(back.session.visitorId);
    const pushed = back.next('proactive', 5000);
    h.server.jobs.wake();
    expect(await outcome).toBe('pushed');
    // The prompt has the job's id: a second run of the job would find it and push nothing.
    expect(await pushed).toMatchObject({ id: job!.id, text: 'Sorry about the wait', campaign: 'parcel-help' });
    expect(await h.server.store.db.selectFrom('jobs').select('id').where('id', '=', job!.id).execute()).toEqual([]);
    back.close();
  });
});

describe('the rule engine on a fake clock and queue', () => {
  const rule = parse(ruleSchema, { id: 'welcome', when: { event: 'page_viewed' }, delayMs: 5000, message: { text: 'Hello!' } });
  const c = ruleToCampaign(rule);
  const campaign: Campaign = { ...c.spec, id: c.id, appId: c.appId, name: c.name, status: 'live', createdAt: '', updatedAt: '' };
  const campaigns: RuleEngineDeps['campaigns'] = { ofApp: async () => [campaign], convert: async () => 0 };
  const p = { appId: 'demo', visitorId: 'v1', userId: null };
  const visitor = { id: 'v1', context: '{}' } as VisitorsTable;
  const NOW = 1_000_000;

  function engine(options: { online?: boolean; outcome?: 'capped' | 'exists' } = {}) {
    const clock: Pick<Clock, 'now'> = { now: () => NOW };
    // The jobs table's contract: one waiting job per dedupe key.
    const waiting = new Map<string, { id: string; payload: unknown; runAt: number }>();
    let handler: JobHandler | null = null;
    let ids = 0;
    const completed: string[] = [];
    const jobs: RuleEngineDeps['jobs'] = {
      add: async (_kind, payload, at) => {
        if (waiting.has(at.dedupeKey!)) return false;
        waiting.set(at.dedupeKey!, { id: `job-${++ids}`, payload, runAt: at.runAt });
        return true;
      },
      handle: (_kind, h) => {
        handler = h;
      },
      complete: async (id) => {
        completed.push(id);
      },
    };
    /** Runs every waiting job now, whatever its time. */
    const elapse = async () => {
      const due = [...waiting.values()];
      waiting.clear();
      for (const j of due) await handler!({ id: j.id, kind: RULE_JOB, payload: j.payload, runAt: j.runAt, attempts: 1 }).catch(() => {});
    };
    const pushed: { input: ProactiveInput; id: string; cap: CampaignCap | CampaignCap[] }[] = [];
    const rules = new RuleEngine({
      campaigns,
      store: { getVisitor: async () => visitor, exposedArm: async () => undefined },
      presence: { isOnline: async () => options.online ?? true },
      proactive: {
        pushCampaign: async (_p, input, at) => {
          if (options.outcome) return options.outcome;
          pushed.push({ input, id: at.id, cap: at.cap });
          await at.then?.({} as never, 'inserted');
          return 'pushed';
        },
      },
      jobs,
      log: { warn: () => {} },
      clock,
    });
    const next = () => new Promise<RuleEvaluation>((resolve) => rules.subscribe(resolve));
    return { rules, waiting, elapse, pushed, next, completed };
  }

  it('writes one job per visitor due after the delay, however often the event repeats', async () => {
    const { rules, waiting, elapse, pushed, next, completed } = engine();
    await rules.onEvent(p, 'page_viewed', undefined);
    await rules.onEvent(p, 'page_viewed', undefined);
    expect([...waiting.values()].map((j) => j.runAt - NOW)).toEqual([5000]);
    expect(pushed).toHaveLength(0);
    const evaluation = next();
    await elapse();
    expect(await evaluation).toEqual({ rule: 'welcome', visitorId: 'v1', outcome: 'pushed', variant: 'default' });
    expect(pushed).toEqual([
      {
        input: expect.objectContaining({ text: 'Hello!', campaign: 'welcome', expiresAt: new Date(NOW + 60 * 60 * 1000).toISOString() }),
        // The prompt takes the job's id, so a second run of the job pushes nothing again.
        id: 'job-1',
        cap: [{ count: 1, since: NOW - 24 * 60 * 60 * 1000 }],
      },
    ]);
    // The job is deleted in the transaction that stored the prompt.
    expect(completed).toEqual(['job-1']);
  });

  it('says why it pushed nothing: the visitor left, the cap is reached, or the job had pushed already', async () => {
    const outcomes: RuleOutcome[] = [];
    for (const options of [{ online: false }, { outcome: 'capped' as const }, { outcome: 'exists' as const }]) {
      const e = engine(options);
      await e.rules.onEvent(p, 'page_viewed', undefined);
      const evaluation = e.next();
      await e.elapse();
      outcomes.push((await evaluation).outcome);
      expect(e.pushed).toHaveLength(0);
    }
    expect(outcomes).toEqual(['offline', 'capped', 'duplicate']);
  });

  it('reports a failed evaluation and throws, so the worker tries the job again', async () => {
    let run: JobHandler | null = null;
    const rules = new RuleEngine({
      campaigns,
      store: { getVisitor: () => Promise.reject(new Error('database gone')), exposedArm: async () => undefined },
      presence: { isOnline: async () => true },
      proactive: { pushCampaign: async () => 'pushed' },
      jobs: { add: async () => true, handle: (_kind, h) => (run = h), complete: async () => {} },
      log: { warn: () => {} },
    });
    const heard: RuleOutcome[] = [];
    rules.subscribe((e) => heard.push(e.outcome));
    await expect(run!({ id: 'j', kind: RULE_JOB, payload: { rule: 'welcome', principal: p }, runAt: 0, attempts: 1 })).rejects.toThrow('database gone');
    expect(heard).toEqual(['failed']);
  });
});
