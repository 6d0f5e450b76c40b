import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageCampaign } from '@threadline/protocol';
import { connect, newId, send, startServer, type Harness, type Visitor } from '../test/harness.js';
import { HOLDOUT, assign } from './campaign-spec.js';

/** Page-triggered campaigns: listed in the visitor's session, reported by `campaign.fire` (docs/campaigns.md#page-triggers). */

let h: Harness;

beforeAll(async () => {
  h = await startServer({ promptsPerDay: 1000 });
});
afterAll(() => h.close());

const exitIntent = {
  name: 'Leaving checkout',
  status: 'live',
  message: { text: 'Before you go: free returns for 30 days.', author: { kind: 'bot', name: 'Shop assistant' }, quickReplies: [{ label: 'Returns' }] },
  display: 'toast',
  trigger: { kind: 'exit_intent', urlPattern: '*/checkout*' },
  caps: { perVisitor: { count: 1 } },
  goal: { event: 'order_completed', windowMs: 60 * 60 * 1000 },
};

let ids = 0;
async function create(overrides: Record<string, unknown> = {}, id = `page${++ids}-${Date.now()}`) {
  const res = await h.api('POST', '/v1/campaigns', { ...exitIntent, id, ...overrides });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string } & Record<string, any>;
}

const listed = (v: Visitor, id: string): PageCampaign | undefined => v.session.campaigns?.find((c) => c.id === id);
const stats = async (id: string) => (await h.api('GET', `/v1/campaigns/${id}/stats`)).body.arms as { variant: string; eligible: number; shown: number }[];

describe('page campaigns in the session', () => {
  it('lists none while the app runs no page campaign: the session has no `campaigns` at all', async () => {
    const v = await connect(h.url);
    expect(v.session.campaigns).toBeUndefined();
    v.close();
  });

  it('lists a live page campaign with its trigger, the audience’s URL glob and the prompt to show; not a draft, a paused one, or one whose audience does not match', async () => {
    const live = await create({ audience: { urlPattern: '*shop.test*', locales: ['en'] } });
    const draft = await create({ status: 'draft' });
    const paused = await create({ status: 'paused' });
    const french = await create({ audience: { locales: ['fr'] } });
    // The locale is the stored context's: an earlier page view told it.
    const first = await connect(h.url);
    await first.call('context.update', { locale: 'en-GB' });
    first.close();
    const v = await connect(h.url, { token: first.session.token });
    expect(listed(v, live.id)).toEqual({
      id: live.id,
      trigger: { kind: 'exit_intent', urlPattern: '*/checkout*' },
      urlPattern: '*shop.test*',
      prompt: { text: exitIntent.message.text, display: 'toast', author: exitIntent.message.author, quickReplies: exitIntent.message.quickReplies },
    });
    expect([draft.id, paused.id, french.id].map((id) => listed(v, id))).toEqual([undefined, undefined, undefined]);
    v.close();
    await h.api('PATCH', `/v1/campaigns/${live.id}`, { status: 'ended' });
  });
});

describe('campaign.fire', () => {
  it('stores the prompt under the page’s id without sending it back, counts its exposure, and refuses a second one over the cap; the next session no longer lists it', async () => {
    const c = await create({ trigger: { kind: 'scroll_depth', percent: 50 } });
    const v = await connect(h.url);
    expect(listed(v, c.id)?.prompt?.text).toBe(exitIntent.message.text);
    const id = crypto.randomUUID();
    expect(await v.call('campaign.fire', { campaign: c.id, id })).toEqual({ ok: true, outcome: 'shown' });
    // A retry of the same report (a reconnect) is not a second prompt.
    expect(await v.call('campaign.fire', { campaign: c.id, id })).toEqual({ ok: true, outcome: 'duplicate' });
    const row = await h.server.store.db.selectFrom('proactive').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ campaign: c.id, visitor_id: v.session.visitorId, text: exitIntent.message.text, delivered_at: null });
    expect(v.received.proactive ?? []).toEqual([]);
    // The page reports it shown, as any prompt.
    expect((await v.call('proactive.event', { id, event: 'shown' })).ok).toBe(true);
    expect(await stats(c.id)).toMatchObject([{ variant: 'default', eligible: 1, shown: 1 }]);
    // Another tab (or the same one after a reload) fires too: over the cap, withdrawn.
    expect(await v.call('campaign.fire', { campaign: c.id, id: crypto.randomUUID() })).toEqual({ ok: true, outcome: 'capped' });
    const again = await connect(h.url, { token: v.session.token });
    expect(listed(again, c.id)).toBeUndefined();
    expect(await stats(c.id)).toMatchObject([{ variant: 'default', eligible: 1, shown: 1 }]);
    v.close();
    again.close();
  });

  it('is refused while a person is talking with the visitor, for a paused campaign, and for a server trigger; a bad id is a bad_request', async () => {
    const c = await create({ trigger: { kind: 'time_on_page', seconds: 5 } });
    const server = await create({ trigger: { kind: 'server_event', event: 'never_tracked' } });
    const v = await connect(h.url);
    expect(await v.call('campaign.fire', { campaign: server.id, id: crypto.randomUUID() })).toEqual({ ok: true, outcome: 'stopped' });
    expect(await v.call('campaign.fire', { campaign: c.id, id: 'not-a-uuid' })).toMatchObject({ ok: false, error: { code: 'bad_request' } });

    const threadId = newId();
    await send(v, threadId, 'Hello?', { create: true });
    expect((await h.api('POST', `/v1/threads/${threadId}/messages`, { text: 'Hi, Maya here.', author: { kind: 'agent', name: 'Maya' } })).status).toBe(201);
    const talking = await connect(h.url, { token: v.session.token });
    expect(listed(talking, c.id)).toBeUndefined();
    expect(await talking.call('campaign.fire', { campaign: c.id, id: crypto.randomUUID() })).toEqual({ ok: true, outcome: 'capped' });

    const other = await connect(h.url);
    await h.api('PATCH', `/v1/campaigns/${c.id}`, { status: 'paused' });
    expect(await other.call('campaign.fire', { campaign: c.id, id: crypto.randomUUID() })).toEqual({ ok: true, outcome: 'stopped' });
    expect(await stats(c.id)).toMatchObject([{ eligible: 0, shown: 0 }]);
    for (const s of [v, talking, other]) s.close();
  });

  it('checks the audience again when it fires, on the latest context: a visitor who no longer matches is refused', async () => {
    const c = await create({ trigger: { kind: 'exit_intent' }, audience: { attributes: [{ key: 'plan', op: 'eq', value: 'pro' }] } });
    const first = await connect(h.url);
    await first.call('context.update', { attributes: { plan: 'pro' } });
    first.close();
    const v = await connect(h.url, { token: first.session.token });
    expect(listed(v, c.id)?.prompt).toBeDefined();
    await v.call('context.update', { attributes: { plan: 'free' } });
    expect(await v.call('campaign.fire', { campaign: c.id, id: crypto.randomUUID() })).toEqual({ ok: true, outcome: 'audience' });
    expect(await stats(c.id)).toMatchObject([{ eligible: 0 }]);
    v.close();
  });

  it('lists the holdout’s trigger without a prompt; its fire records the exposure and stores no prompt, and it is not listed again', async () => {
    const experiment = { holdoutShare: 50, variants: [{ id: 'a', share: 50 }] };
    const v = await connect(h.url);
    // A campaign id that puts this visitor in the holdout (assignment is a hash of id and visitor).
    let id = '';
    for (let i = 0; !id || assign({ id, experiment } as never, `v:${v.session.visitorId}`) !== HOLDOUT; i++) id = `held${Date.now()}-${i}`;
    await create({ trigger: { kind: 'idle', seconds: 3 }, experiment }, id);
    v.close();
    const reloaded = await connect(h.url, { token: v.session.token });
    expect(listed(reloaded, id)).toEqual({ id, trigger: { kind: 'idle', seconds: 3 } });
    const fired = crypto.randomUUID();
    expect(await reloaded.call('campaign.fire', { campaign: id, id: fired })).toEqual({ ok: true, outcome: 'held_out' });
    expect(await h.server.store.db.selectFrom('proactive').select('id').where('id', '=', fired).executeTakeFirst()).toBeUndefined();
    const arms = await stats(id);
    expect(arms.find((a) => a.variant === HOLDOUT)).toMatchObject({ eligible: 1, shown: 0 });
    expect(arms.find((a) => a.variant === 'a')).toMatchObject({ eligible: 0 });
    const later = await connect(h.url, { token: v.session.token });
    expect(listed(later, id)).toBeUndefined();
    reloaded.close();
    later.close();
  });
});
