/**
 * Campaigns on two nodes sharing one PostgreSQL database (no Redis: nothing here goes through
 * it). Caps and exposures live in the database and are exact across nodes; a node's cached copy
 * of the campaigns (`campaignCacheMs`) follows a change made on another node within that time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, eventually } from '../test/harness.js';
import { startNodes, type Nodes } from '../test/nodes.js';

let group: Nodes;

beforeAll(async () => {
  group = await startNodes(2, { redis: false, overrides: { campaignCacheMs: 300, promptsPerDay: 0 } });
});
afterAll(() => group?.close());

const campaign = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: id,
  status: 'live',
  message: { text: 'Need a hand?' },
  trigger: { kind: 'server_event', event: `${id}_event` },
  caps: { perVisitor: { count: 1 } },
  ...extra,
});

describe('campaigns on several nodes', () => {
  it('holds a campaign’s cap across nodes: of ten pushes at once through two nodes, one goes out', async () => {
    const [a, b] = group.nodes;
    expect((await a!.api('POST', '/v1/campaigns', campaign('raced'))).status).toBe(201);
    const to = { userId: `racer-${Date.now()}` };
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a! : b!).api('POST', '/v1/proactive', { to, text: `try ${i}`, campaign: 'raced' })));
    expect(answers.filter((r) => r.status === 202)).toHaveLength(1);
    expect(answers.filter((r) => r.status === 429).map((r) => r.body.error.code)).toEqual(Array(9).fill('campaign_capped'));
    const exposures = await a!.server.store.db.selectFrom('campaign_exposures').selectAll().where('campaign_id', '=', 'raced').execute();
    expect(exposures).toHaveLength(1);
  });

  it('counts a goal tracked through one node against an exposure made through the other, once', async () => {
    const [a, b] = group.nodes;
    expect((await a!.api('POST', '/v1/campaigns', campaign('goaled', { goal: { event: 'paid', windowMs: 3_600_000 } }))).status).toBe(201);
    const onB = await connect(b!.url);
    expect((await a!.api('POST', '/v1/proactive', { to: { visitorId: onB.session.visitorId }, text: 'Hi', campaign: 'goaled' })).status).toBe(202);
    // Node b may have read the app's campaigns before `goaled` existed: within its cache time it knows it.
    await eventually(async () => (await b!.server.campaigns.ofApp('demo')).some((c) => c.id === 'goaled'));
    await onB.call('track', { name: 'paid' });
    await onB.call('track', { name: 'paid' });
    const stats = (await a!.api('GET', '/v1/campaigns/goaled/stats')).body;
    expect(stats.arms).toEqual([expect.objectContaining({ variant: 'default', eligible: 1, converted: 1 })]);
    onB.close();
  });

  it('a pause through one node reaches the other within its cache time', async () => {
    const [a, b] = group.nodes;
    expect((await a!.api('POST', '/v1/campaigns', campaign('paused-elsewhere'))).status).toBe(201);
    await eventually(async () => (await b!.server.campaigns.ofApp('demo')).find((c) => c.id === 'paused-elsewhere')?.status === 'live');
    expect((await a!.api('PATCH', '/v1/campaigns/paused-elsewhere', { status: 'paused' })).status).toBe(200);
    await eventually(async () => (await b!.server.campaigns.ofApp('demo')).find((c) => c.id === 'paused-elsewhere')?.status === 'paused');
    const v = await connect(b!.url);
    await v.call('track', { name: 'paused-elsewhere_event' });
    const jobs = await b!.server.store.db.selectFrom('jobs').select('id').where('dedupe_key', '=', `rule:demo:paused-elsewhere:${v.session.visitorId}`).execute();
    expect(jobs).toEqual([]);
    v.close();
  });
});
