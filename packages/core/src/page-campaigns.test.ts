import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PageCampaign } from '@threadline/protocol';
import { ThreadlineClient } from './client.js';
import { memoryStorage } from './storage/memory.js';
import type { StorageAdapter } from './storage/adapter.js';
import type { Client, ProactivePrompt } from './types.js';
import { lazyUnits, type Units } from './units.js';
import { FakeServer, flush, manualClock, testEnv } from './test/fakes.js';
import { FakePage } from './test/fake-page.js';

/** Page campaigns in the client: the triggers chunk, the prompt shown at once, `campaign.fire` (docs/campaigns.md#page-triggers). */

// The chunks, compiled once here: a test's flush() then covers their (cached) import.
beforeAll(async () => {
  await Promise.all([import('./proactive/triggers.js'), lazyUnits.prompts()]);
});

const clients: Client[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
  vi.unstubAllGlobals();
});

const coupon: PageCampaign = {
  id: 'coupon-help',
  trigger: { kind: 'page_event', event: 'coupon_failed', conditions: [{ key: 'total', op: 'gte', value: 50 }] },
  prompt: { text: 'That code did not work? We can help.', display: 'toast', author: { kind: 'bot', name: 'Assistant' } },
};

function setup(opts: { server?: FakeServer; storage?: StorageAdapter } = {}) {
  const server = opts.server ?? new FakeServer();
  server.handlers['campaign.fire'] ??= () => ({ ok: true, outcome: 'shown' });
  const clock = manualClock();
  const page = new FakePage(clock.now);
  vi.stubGlobal('window', page);
  const loads = { prompts: 0 };
  const units: Units = { ...lazyUnits, prompts: () => (loads.prompts++, lazyUnits.prompts()) };
  const client = new ThreadlineClient(
    { appId: 'demo', serverUrl: 'http://x', storage: opts.storage ?? memoryStorage(), transport: server.factory, env: testEnv({ now: clock.now, setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout }) },
    null,
    units,
  );
  clients.push(client);
  const announced: ProactivePrompt[] = [];
  client.on('proactive', (e) => announced.push(e.prompt));
  return { server, client, page, loads, announced };
}

const fires = (server: FakeServer) => server.requests.filter((r) => r.name === 'campaign.fire').map((r) => r.input);
const reports = (server: FakeServer) => server.requests.filter((r) => r.name === 'proactive.event').map((r) => r.input);

describe('page campaigns', () => {
  it('loads no prompt or trigger code and listens to nothing when the session lists no campaign', async () => {
    const { client, loads, page } = setup();
    await client.start();
    await flush();
    expect(client.getSnapshot().connection).toBe('connected');
    client.track('coupon_failed', { total: 80 });
    await flush();
    expect(loads.prompts).toBe(0);
    expect(page.listeners).toBe(0);
  });

  it('shows the prompt the moment its trigger fires, reports campaign.fire under the prompt’s id, then its showing', async () => {
    const server = new FakeServer();
    server.campaigns = [coupon];
    const { client, loads, announced, page } = setup({ server });
    await client.start();
    await flush();
    expect(loads.prompts).toBe(1);
    expect(page.listeners).toBe(0); // a tracked event's trigger listens to the client, not the page
    client.track('coupon_failed', { total: 20 });
    await flush();
    expect(announced).toEqual([]);
    client.track('coupon_failed', { total: 80 });
    await flush();
    expect(announced).toMatchObject([{ text: coupon.prompt!.text, campaign: 'coupon-help', display: 'toast' }]);
    expect(client.getSnapshot().proactive.map((p) => p.id)).toEqual([announced[0]!.id]);
    expect(fires(server)).toEqual([{ campaign: 'coupon-help', id: announced[0]!.id }]);
    client.reportProactive(announced[0]!.id, 'shown');
    await flush();
    expect(reports(server)).toEqual([{ id: announced[0]!.id, event: 'shown' }]);
  });

  it('hears an event the page tracked before the session listed the campaign (at page load): it fires when the triggers load', async () => {
    const server = new FakeServer();
    server.campaigns = [coupon];
    const { client, announced } = setup({ server });
    // Tracked at once, before the client has even connected; and a second, non-matching one.
    client.track('coupon_failed', { total: 80 });
    client.track('viewed', { page: 'cart' });
    await client.start();
    await flush();
    expect(announced).toMatchObject([{ text: coupon.prompt!.text, campaign: 'coupon-help' }]);
    expect(fires(server)).toHaveLength(1);
    // Heard once: a later event does not fire it again.
    client.track('coupon_failed', { total: 90 });
    await flush();
    expect(announced).toHaveLength(1);
  });

  it('never shows it twice: again on the page, nor after a reload', async () => {
    const server = new FakeServer();
    server.campaigns = [coupon];
    const storage = memoryStorage();
    const first = setup({ server, storage });
    await first.client.start();
    await flush();
    first.client.track('coupon_failed', { total: 80 });
    first.client.track('coupon_failed', { total: 90 });
    await flush();
    expect(first.announced).toHaveLength(1);
    first.client.reportProactive(first.announced[0]!.id, 'dismissed');
    await flush();
    first.client.destroy();

    const reloaded = setup({ server, storage });
    await reloaded.client.start();
    await flush();
    reloaded.client.track('coupon_failed', { total: 80 });
    await flush();
    expect(reloaded.announced).toEqual([]);
    expect(fires(server)).toHaveLength(1);
  });

  it('withdraws the prompt, unreported, when the server answers that it must not count', async () => {
    const server = new FakeServer();
    server.campaigns = [coupon];
    server.handlers['campaign.fire'] = () => ({ ok: true, outcome: 'capped' });
    const { client, announced } = setup({ server });
    await client.start();
    await flush();
    client.track('coupon_failed', { total: 80 });
    client.reportProactive('unused', 'shown');
    await flush();
    expect(announced).toHaveLength(1);
    client.reportProactive(announced[0]!.id, 'shown');
    await flush();
    expect(client.getSnapshot().proactive).toEqual([]);
    expect(reports(server).filter((r) => r.id === announced[0]!.id)).toEqual([]);
  });

  it('in the holdout, shows nothing and reports the fire (the exposure) all the same', async () => {
    const server = new FakeServer();
    server.campaigns = [{ id: 'coupon-help', trigger: coupon.trigger }];
    const { client, announced } = setup({ server });
    await client.start();
    await flush();
    client.track('coupon_failed', { total: 80 });
    await flush();
    expect(announced).toEqual([]);
    expect(client.getSnapshot().proactive).toEqual([]);
    expect(fires(server)).toMatchObject([{ campaign: 'coupon-help' }]);
  });
});
