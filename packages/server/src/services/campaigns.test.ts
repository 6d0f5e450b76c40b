import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userHashOf } from '../auth/identity.js';
import { SECRET, connect, eventually, startServer, type Harness } from '../test/harness.js';
import { HOLDOUT, assign } from './campaign-spec.js';
import type { RuleEvaluation } from './rules.js';

let h: Harness;

beforeAll(async () => {
  // A high day cap: these tests count a campaign's own caps and arms.
  h = await startServer({ promptsPerDay: 1000 });
});
afterAll(() => h.close());

const checkout = {
  name: 'Checkout help',
  status: 'live',
  message: { text: 'Need help with your order?', author: { kind: 'bot', name: 'Shop assistant' }, quickReplies: [{ label: 'Shipping' }] },
  display: 'toast',
  trigger: { kind: 'server_event', event: 'checkout_started', delayMs: 0, urlPattern: '*/checkout*', minCartValue: 10 },
  caps: { perVisitor: { count: 1 } },
  goal: { event: 'order_completed', windowMs: 60 * 60 * 1000 },
};

let ids = 0;
/** A campaign with a fresh id. */
async function create(overrides: Record<string, unknown> = {}) {
  const id = `c${++ids}-${Date.now()}`;
  // An event of its own: the campaigns of earlier tests stay live and must not answer this one's.
  const res = await h.api('POST', '/v1/campaigns', { ...checkout, id, trigger: { ...checkout.trigger, event: `checkout_started_${ids}` }, ...overrides });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; trigger: { event: string } } & Record<string, any>;
}

/** The next evaluation of campaign `id` for this visitor (subscribe before tracking). */
function evaluated(id: string, visitorId: string): Promise<RuleEvaluation> {
  return new Promise((resolve) => {
    const stop = h.server.rules.subscribe((e) => {
      if (e.rule !== id || e.visitorId !== visitorId) return;
      stop();
      resolve(e);
    });
  });
}

/** The visitor does what the campaign's trigger waits for. */
function checkoutOf(v: { call(e: 'track', p: unknown): Promise<unknown> }, c: { trigger: { event: string } }) {
  return v.call('track', { name: c.trigger.event, props: { cartValue: 50 } });
}

async function shopper(opts: { userId?: string; token?: string } = {}) {
  const v = await connect(h.url, opts.userId ? { userId: opts.userId, userHash: userHashOf(SECRET, opts.userId), token: opts.token } : { token: opts.token });
  await v.call('context.update', { page: { url: 'http://shop.test/checkout' }, locale: 'en-GB' });
  return v;
}

describe('/v1/campaigns', () => {
  it('creates, lists, reads, pauses, resumes and deletes a campaign, with defaults filled in', async () => {
    const created = await create({ status: undefined });
    expect(created).toMatchObject({ name: 'Checkout help', status: 'draft', display: 'toast', audience: {}, schedule: {}, expiresAfterMs: 3_600_000 });
    expect((await h.api('GET', `/v1/campaigns/${created.id}`)).body).toEqual(created);
    expect((await h.api('GET', '/v1/campaigns')).body.items.map((c: { id: string }) => c.id)).toContain(created.id);

    const live = await h.api('PATCH', `/v1/campaigns/${created.id}`, { status: 'live', audience: { identified: false, locales: ['en'] } });
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({ status: 'live', audience: { identified: false, locales: ['en'] }, message: checkout.message });
    expect((await h.api('PATCH', `/v1/campaigns/${created.id}`, { status: 'paused' })).body.status).toBe('paused');
    expect((await h.api('PATCH', `/v1/campaigns/${created.id}`, { goal: null })).body.goal).toBeUndefined();

    expect((await h.api('DELETE', `/v1/campaigns/${created.id}`)).status).toBe(204);
    expect((await h.api('GET', `/v1/campaigns/${created.id}`)).status).toBe(404);
    expect((await h.api('GET', '/v1/campaigns')).body.items.map((c: { id: string }) => c.id)).not.toContain(created.id);
    // Its id stays taken, and a push naming it is refused.
    const again = await h.api('POST', '/v1/campaigns', { ...checkout, id: created.id });
    expect(again.status).toBe(409);
    const push = await h.api('POST', '/v1/proactive', { to: { userId: 'someone' }, text: 'Hi', campaign: created.id });
    expect(push.status).toBe(400);
    expect(push.body.error.message).toMatch(/was deleted/);
  });

  it('refuses bad definitions with a 400 naming the field', async () => {
    const bad = async (body: Record<string, unknown>) => {
      const res = await h.api('POST', '/v1/campaigns', { ...checkout, ...body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('bad_request');
      return res.body.error.message as string;
    };
    expect(await bad({ trigger: { kind: 'on_full_moon' } })).toMatch(/trigger\/kind/);
    expect(await bad({ trigger: { kind: 'scroll_depth' } })).toMatch(/trigger\.percent: required/);
    expect(await bad({ trigger: { kind: 'exit_intent', delayMs: 5 } })).toMatch(/trigger\.delayMs: not a field of a exit_intent trigger/);
    expect(await bad({ status: 'running' })).toMatch(/status/);
    expect(await bad({ experiment: { holdoutShare: 10, variants: [{ id: 'a', share: 50 }, { id: 'b', share: 30 }] } })).toMatch(/add up to 90, not 100/);
    expect(await bad({ experiment: { holdoutShare: 0, variants: [{ id: 'holdout', share: 100 }] } })).toMatch(/reserved/);
    expect(await bad({ experiment: { holdoutShare: 0, variants: [{ id: 'a', share: 50 }, { id: 'a', share: 50 }] } })).toMatch(/used twice/);
    expect(await bad({ message: { text: 'Hi', blocks: [{ type: 'buttons', buttons: [{ type: 'url', label: 'Go', url: 'javascript:alert(1)' }] }] } })).toMatch(/^message\.blocks\.0\.buttons\.0\.url/);
    expect(await bad({ message: { text: ' ', quickReplies: [{ label: 'Yes' }] } })).toMatch(/^message\..*needs text/);
    expect(await bad({ message: { text: 'Code?', blocks: [{ type: 'form', fields: [{ name: 'c', label: 'Code', pattern: '(\\d+)*x' }] }] } })).toMatch(/^message\.blocks\.0\.fields\.0\.pattern: may take exponential time/);
    expect(await bad({ schedule: { startAt: '2030-01-02T00:00:00Z', endAt: '2030-01-01T00:00:00Z' } })).toMatch(/endAt: must be after startAt/);
    expect(await bad({ audience: { urlPattern: 'x'.repeat(501) } })).toMatch(/urlPattern/);
    expect(await bad({ id: 'no spaces allowed' })).toMatch(/id/);
    const ended = await create({ status: 'ended' });
    const res = await h.api('PATCH', `/v1/campaigns/${ended.id}`, { status: 'live' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/ended campaign stays ended/);
    expect((await h.api('PATCH', '/v1/campaigns/nope', { status: 'live' })).status).toBe(404);
  });

  it('keeps a message’s rich content (protocol blocks); the prompt carries its text, their fallback', async () => {
    const blocks = [{ type: 'buttons', buttons: [{ type: 'url', label: 'Delivery times', url: 'https://shop.test/delivery' }, { type: 'handoff', label: 'Talk to a person' }] }];
    const c = await create({ message: { text: 'Questions about delivery?', blocks }, caps: { perVisitor: { count: 5 } } });
    expect(c.message).toEqual({ text: 'Questions about delivery?', blocks });
    expect((await h.api('GET', `/v1/campaigns/${c.id}`)).body.message.blocks).toEqual(blocks);
    const v = await shopper();
    const prompt = v.next('proactive', 3000);
    await checkoutOf(v, c);
    expect(await prompt).toMatchObject({ text: 'Questions about delivery?', campaign: c.id });
    v.close();
  });

  it('takes a URL pattern as a glob, never as a regular expression', async () => {
    // As a regex this would backtrack exponentially on a long run of a's; as a glob it is text.
    const c = await create({ trigger: { ...checkout.trigger, event: 'glob_check', urlPattern: '(a+)+$' }, caps: { perVisitor: { count: 5 } } });
    const v = await connect(h.url);
    await v.call('context.update', { page: { url: `http://shop.test/${'a'.repeat(5000)}!` } });
    const outcome = evaluated(c.id, v.session.visitorId);
    await checkoutOf(v, c);
    expect((await outcome).outcome).toBe('url');
    v.close();
  });

  it('keeps a condition value’s type: false stays false and 50 stays 50, "50" stays a string', async () => {
    const conditions = [
      { key: 'member', op: 'eq', value: false },
      { key: 'visits', op: 'gte', value: 50 },
      { key: 'code', op: 'eq', value: '50' },
    ];
    const c = await create({ audience: { attributes: conditions } });
    expect(c.audience.attributes).toEqual(conditions);
    expect((await h.api('GET', `/v1/campaigns/${c.id}`)).body.audience.attributes).toEqual(conditions);
  });

  it('is listed in the OpenAPI document', async () => {
    const doc = (await h.api('GET', '/v1/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/campaigns', '/v1/campaigns/{id}', '/v1/campaigns/{id}/stats']));
    expect(Object.keys(doc.paths['/v1/campaigns/{id}'])).toEqual(expect.arrayContaining(['get', 'patch', 'delete']));
  });
});

describe('campaign caps', () => {
  it('refuses an API push over the campaign’s cap per visitor with campaign_capped, and one inside the cooldown', async () => {
    const c = await create({ caps: { perVisitor: { count: 2 }, cooldownMs: 0 } });
    const to = { userId: `capped-${Date.now()}` };
    expect((await h.api('POST', '/v1/proactive', { to, text: 'One', campaign: c.id })).status).toBe(202);
    expect((await h.api('POST', '/v1/proactive', { to, text: 'Two', campaign: c.id })).status).toBe(202);
    const third = await h.api('POST', '/v1/proactive', { to, text: 'Three', campaign: c.id });
    expect(third.status).toBe(429);
    expect(third.body.error).toMatchObject({ code: 'campaign_capped' });
    expect(third.body.error.message).toMatch(/already got 2 prompts of campaign/);
    // Another person, or a campaign that is only a label, is not affected.
    expect((await h.api('POST', '/v1/proactive', { to: { userId: `${to.userId}-b` }, text: 'One', campaign: c.id })).status).toBe(202);
    expect((await h.api('POST', '/v1/proactive', { to, text: 'Label', campaign: 'not-stored' })).status).toBe(202);

    const cooled = await create({ caps: { perVisitor: { count: 10 }, cooldownMs: 60 * 60 * 1000 } });
    expect((await h.api('POST', '/v1/proactive', { to, text: 'One', campaign: cooled.id })).status).toBe(202);
    expect((await h.api('POST', '/v1/proactive', { to, text: 'Two', campaign: cooled.id })).body.error.code).toBe('campaign_capped');
  });

  it('a paused campaign prompts nobody; resumed, it does', async () => {
    const c = await create({ status: 'paused' });
    const v = await shopper();
    let outcome = evaluated(c.id, v.session.visitorId);
    // Paused: no job is written, so nothing is evaluated; resume and track again.
    await checkoutOf(v, c);
    expect(await h.server.store.db.selectFrom('jobs').select('id').where('dedupe_key', '=', `rule:demo:${c.id}:${v.session.visitorId}`).execute()).toEqual([]);
    expect((await h.api('PATCH', `/v1/campaigns/${c.id}`, { status: 'live' })).status).toBe(200);
    const prompt = v.next('proactive', 3000);
    await checkoutOf(v, c);
    expect((await outcome).outcome).toBe('pushed');
    expect(await prompt).toMatchObject({ text: 'Need help with your order?', campaign: c.id });
    outcome = evaluated(c.id, v.session.visitorId);
    await checkoutOf(v, c);
    expect((await outcome).outcome).toBe('capped');
    v.close();
  });

  it('checks the audience when the delay is over', async () => {
    const c = await create({ audience: { identified: true } });
    const v = await shopper();
    const outcome = evaluated(c.id, v.session.visitorId);
    await checkoutOf(v, c);
    expect((await outcome).outcome).toBe('audience');
    v.close();
  });
});

describe('experiments', () => {
  const experiment = { holdoutShare: 20, variants: [{ id: 'a', share: 50 }, { id: 'b', share: 30, message: { text: 'Questions about delivery?' } }] };

  it('splits 1,000 people by the configured shares (± 4 points), and the holdout gets nothing', async () => {
    const c = await create({ experiment, caps: { perVisitor: { count: 1 } } });
    const tally: Record<string, number> = {};
    const run = `split-${Date.now()}`;
    for (let i = 0; i < 1000; i++) {
      const res = await h.api('POST', '/v1/proactive', { to: { userId: `${run}-${i}` }, text: 'Hi', campaign: c.id });
      expect(res.status).toBe(202);
      const arm = res.body.delivered === 'held_out' ? HOLDOUT : 'shown';
      if (arm === HOLDOUT) expect(res.body.proactive).toBeNull();
      tally[arm] = (tally[arm] ?? 0) + 1;
    }
    const stats = (await h.api('GET', `/v1/campaigns/${c.id}/stats`)).body;
    const eligible = Object.fromEntries(stats.arms.map((a: { variant: string; eligible: number }) => [a.variant, a.eligible]));
    expect(eligible.a + eligible.b + eligible.holdout).toBe(1000);
    // Tolerance: ±4 percentage points, over 3 standard deviations of a binomial share at n = 1,000.
    expect(Math.abs(eligible.holdout / 10 - 20)).toBeLessThanOrEqual(4);
    expect(Math.abs(eligible.a / 10 - 50)).toBeLessThanOrEqual(4);
    expect(Math.abs(eligible.b / 10 - 30)).toBeLessThanOrEqual(4);
    expect(tally[HOLDOUT]).toBe(eligible.holdout);
    // No prompt was stored for anyone in the holdout.
    const held = await h.server.store.db.selectFrom('campaign_exposures').select('user_id').where('campaign_id', '=', c.id).where('variant', '=', HOLDOUT).execute();
    const prompts = await h.server.store.db.selectFrom('proactive').select('user_id').where('campaign', '=', c.id).execute();
    const prompted = new Set(prompts.map((p) => p.user_id));
    expect(held.filter((e) => prompted.has(e.user_id))).toEqual([]);
    expect(prompts).toHaveLength(1000 - eligible.holdout);
  });

  it('keeps a person’s arm across reloads and across the devices of one user; the holdout’s tabs never get a prompt', async () => {
    const c = await create({ experiment, caps: { perVisitor: { count: 3 } } });
    const arms = new Map<string, string>();
    // People until one in the holdout and one in a variant turned up (each is an identified user).
    for (let i = 0; i < 40 && !(arms.has(HOLDOUT) && arms.size > 1); i++) {
      const userId = `sticky-${Date.now()}-${i}`;
      const phone = await shopper({ userId });
      const first = evaluated(c.id, phone.session.visitorId);
      await checkoutOf(phone, c);
      const e1 = await first;
      // Reload: the same visitor token, a new socket.
      phone.close();
      const reloaded = await shopper({ userId, token: phone.session.token });
      const second = evaluated(c.id, reloaded.session.visitorId);
      await checkoutOf(reloaded, c);
      const e2 = await second;
      // Another device of the same user: a new visitor.
      const laptop = await shopper({ userId });
      expect(laptop.session.visitorId).not.toBe(phone.session.visitorId);
      const third = evaluated(c.id, laptop.session.visitorId);
      await checkoutOf(laptop, c);
      const e3 = await third;
      expect([e2.variant, e3.variant]).toEqual([e1.variant, e1.variant]);
      if (e1.variant === HOLDOUT) {
        expect([e1.outcome, e2.outcome, e3.outcome]).toEqual(['held_out', 'held_out', 'held_out']);
        expect(reloaded.received.proactive ?? []).toEqual([]);
        expect(laptop.received.proactive ?? []).toEqual([]);
        expect((await laptop.call('sync', { cursors: {} })).proactive).toEqual([]);
      } else {
        expect(e1.outcome).toBe('pushed');
        const text = e1.variant === 'b' ? 'Questions about delivery?' : 'Need help with your order?';
        expect((await laptop.call('sync', { cursors: {} })).proactive.map((p: { text: string }) => p.text)).toContain(text);
      }
      arms.set(e1.variant!, userId);
      reloaded.close();
      laptop.close();
    }
    expect(arms.has(HOLDOUT)).toBe(true);
    expect(arms.size).toBeGreaterThan(1);
    // One exposure per person however many devices and reloads.
    const exposures = await h.server.store.db.selectFrom('campaign_exposures').select('subject').where('campaign_id', '=', c.id).execute();
    expect(new Set(exposures.map((e) => e.subject)).size).toBe(exposures.length);
  });
});

describe('an arm with a trigger of its own', () => {
  it('keeps the arm a visitor was exposed to while anonymous after they sign in, trigger included', async () => {
    const stamp = Date.now();
    const c = await create({
      experiment: {
        holdoutShare: 0,
        variants: [
          { id: 'a', share: 50, trigger: { kind: 'server_event', event: `arm_a_${stamp}` } },
          { id: 'b', share: 50, trigger: { kind: 'server_event', event: `arm_b_${stamp}` } },
        ],
      },
      caps: { perVisitor: { count: 5 } },
    });
    const anonymous = await shopper();
    const arm = assign(c as never, `v:${anonymous.session.visitorId}`);
    const first = evaluated(c.id, anonymous.session.visitorId);
    await anonymous.call('track', { name: `arm_${arm}_${stamp}` });
    expect(await first).toMatchObject({ variant: arm, outcome: 'pushed' });
    anonymous.close();
    // A user whose own hash gives the other arm signs in on that visitor.
    let userId = '';
    for (let i = 0; !userId || assign(c as never, `u:${userId}`) === arm; i++) userId = `switch-${stamp}-${i}`;
    const signedIn = await shopper({ userId, token: anonymous.session.token });
    expect(signedIn.session.visitorId).toBe(anonymous.session.visitorId);
    const again = evaluated(c.id, signedIn.session.visitorId);
    await signedIn.call('track', { name: `arm_${arm}_${stamp}` });
    expect(await again).toMatchObject({ variant: arm, outcome: 'pushed' });
    signedIn.close();
  });
});

describe('goal and attribution', () => {
  it('counts a goal event within the window once per person, for the holdout too; outside the window, not at all', async () => {
    const c = await create({ experiment: { holdoutShare: 50, variants: [{ id: 'a', share: 50 }] }, caps: { perVisitor: { count: 1 } } });
    const byArm = new Map<string, { v: Awaited<ReturnType<typeof shopper>> }>();
    const exposed: Record<string, number> = { a: 0, holdout: 0 };
    for (let i = 0; i < 40 && byArm.size < 2; i++) {
      const v = await shopper();
      const e = evaluated(c.id, v.session.visitorId);
      await checkoutOf(v, c);
      const { variant } = await e;
      exposed[variant!]! += 1;
      if (byArm.has(variant!)) v.close();
      else byArm.set(variant!, { v });
    }
    const a = byArm.get('a')!.v;
    const held = byArm.get(HOLDOUT)!.v;
    // Shown, then the order: twice, and again after a reload. (The prompt reaches the socket
    // after the evaluation is reported: wait for it.)
    const prompt = await eventually(() => a.received.proactive?.[0]);
    await a.call('proactive.event', { id: prompt!.id, event: 'shown' });
    await a.call('track', { name: 'order_completed', props: { total: 42 } });
    await a.call('track', { name: 'order_completed', props: { total: 42 } });
    a.close();
    const reloaded = await connect(h.url, { token: a.session.token });
    await reloaded.call('track', { name: 'order_completed' });
    await held.call('track', { name: 'order_completed' });

    // Someone exposed longer ago than the window: their order does not count.
    const late = await shopper();
    const e = evaluated(c.id, late.session.visitorId);
    await checkoutOf(late, c);
    await e;
    await h.server.store.db.updateTable('campaign_exposures').set({ exposed_at: Date.now() - 2 * 60 * 60 * 1000 }).where('visitor_id', '=', late.session.visitorId).execute();
    await late.call('track', { name: 'order_completed' });

    const stats = (await h.api('GET', `/v1/campaigns/${c.id}/stats`)).body;
    const arm = (name: string) => stats.arms.find((x: { variant: string }) => x.variant === name);
    const lateArm = (await h.server.store.db.selectFrom('campaign_exposures').select('variant').where('visitor_id', '=', late.session.visitorId).executeTakeFirstOrThrow()).variant;
    exposed[lateArm]! += 1;
    // Those who did not order (the extra visitors of the loop, the late one) are eligible, not converted.
    expect(arm('a')).toMatchObject({ eligible: exposed.a, shown: 1, converted: 1 });
    expect(arm(HOLDOUT)).toMatchObject({ eligible: exposed.holdout, shown: 0, opened: 0, converted: 1 });
    expect(arm('a').rates.converted).toBeCloseTo(1 / exposed.a!, 10);
    reloaded.close();
    held.close();
    late.close();
  });
});

describe('stats', () => {
  it('counts from stored exposures and matches a hand computation of the rates and the Newcombe interval', async () => {
    const c = await create({ experiment: { holdoutShare: 50, variants: [{ id: 'a', share: 50 }] } });
    const db = h.server.store.db;
    // 70 people in variant a, 56 converted; 80 in the holdout, 48 converted (Newcombe 1998, table II, example (a)).
    const rows = [];
    for (let i = 0; i < 150; i++) {
      const inA = i < 70;
      const converted = inA ? i < 56 : i - 70 < 48;
      rows.push({
        app_id: 'demo',
        campaign_id: c.id,
        subject: `v:stats-${i}`,
        variant: inA ? 'a' : HOLDOUT,
        visitor_id: `stats-${c.id}-${i}`,
        user_id: null,
        prompt_id: null,
        exposed_at: Date.now(),
        converted_at: converted ? Date.now() : null,
      });
    }
    await db.insertInto('campaign_exposures').values(rows).execute();
    const stats = (await h.api('GET', `/v1/campaigns/${c.id}/stats`)).body;
    expect(stats.method).toMatch(/Newcombe/);
    const a = stats.arms.find((x: { variant: string }) => x.variant === 'a');
    const holdout = stats.arms.find((x: { variant: string }) => x.variant === HOLDOUT);
    expect(a).toMatchObject({ eligible: 70, converted: 56, shown: 0 });
    expect(a.rates.converted).toBeCloseTo(0.8, 10);
    expect(holdout).toMatchObject({ eligible: 80, converted: 48, lift: null });
    expect(holdout.rates.converted).toBeCloseTo(0.6, 10);
    // Newcombe's published interval for 56/70 − 48/80: +0.2000 (0.0524, 0.3339).
    expect(a.lift.difference).toBeCloseTo(0.2, 10);
    expect(a.lift.low).toBeCloseTo(0.0524, 4);
    expect(a.lift.high).toBeCloseTo(0.3339, 4);
  });
});
