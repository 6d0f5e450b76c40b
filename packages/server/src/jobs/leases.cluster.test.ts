/**
 * Timed work and webhooks on three nodes sharing one PostgreSQL database, without Redis: what this
 * file proves rests on the database alone (leases on rows), so the nodes do not share socket.io
 * rooms or presence. A visitor who must be online for a rule is therefore connected to every node,
 * so whichever node runs the rule's job sees it connected; each node emits only to its own sockets.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobStore } from '../store/job-store.js';
import { connect, eventually, newId, send, tempDir, type Harness, type Visitor } from '../test/harness.js';
import { startNodes, type Nodes } from '../test/nodes.js';
import type { RuleEvaluation } from '../services/rules.js';

const received: { delivery: string; type: string }[] = [];
let receiver: http.Server;
let hookUrl: string;

const rulesFile = path.join(tempDir(), 'rules.json');
fs.writeFileSync(
  rulesFile,
  JSON.stringify([
    { id: 'soon', when: { event: 'checkout_started' }, delayMs: 300, message: { text: 'Need a hand?' } },
    { id: 'later', when: { event: 'parcel_delayed' }, delayMs: 3_600_000, message: { text: 'Sorry about the wait' } },
  ]),
);

let group: Nodes;
const open: Visitor[] = [];
const evaluations: { node: number; e: RuleEvaluation }[] = [];

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push({ delivery: String(req.headers['threadline-delivery']), type: String(req.headers['threadline-event']) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  group = await startNodes(3, { redis: false, overrides: { rulesFile } });
  group.nodes.forEach((n, i) => n.server.rules!.subscribe((e) => evaluations.push({ node: i, e })));
});
afterAll(async () => {
  for (const v of open) v.close();
  await group?.close();
  await new Promise((r) => receiver.close(r));
});

const db = () => group.nodes[0]!.server.store.db;

/** One visitor with a tab on every node (the first makes it, the others reuse its token). */
async function everywhere(): Promise<Visitor[]> {
  const first = await connect(group.nodes[0]!.url);
  const tabs = [first];
  for (const n of group.nodes.slice(1)) tabs.push(await connect(n.url, { token: first.session.token }));
  open.push(...tabs);
  return tabs;
}

describe('three nodes on one database', () => {
  it('POST each webhook delivery once, whichever node wrote it', async () => {
    const [a, b, c] = group.nodes as [Harness, Harness, Harness];
    expect((await a.api('POST', '/v1/webhooks', { url: hookUrl })).status).toBe(201);
    const visitors = await Promise.all(group.nodes.map((n) => connect(n.url)));
    open.push(...visitors);
    const threads = visitors.map(() => newId());
    // Every node writes deliveries: messages on each, and resolutions through another node's API.
    for (let round = 0; round < 5; round++) {
      await Promise.all(visitors.map((v, i) => send(v, threads[i]!, `message ${round}`, { create: round === 0 })));
    }
    await Promise.all(threads.map((t, i) => [b, c, a][i]!.api('POST', `/v1/threads/${t}/resolve`)));

    const written = await eventually(async () => {
      const rows = await db().selectFrom('webhook_deliveries').select(['id', 'status']).execute();
      return rows.length > 0 && rows.every((r) => r.status === 'delivered') && rows;
    }, 15_000);
    // 3 thread.created, 15 message.created, 3 thread.resolved.
    expect(written).toHaveLength(21);
    expect(received).toHaveLength(21);
    expect(new Set(received.map((r) => r.delivery))).toEqual(new Set(written.map((r) => r.id)));
  });

  it('run a campaign rule once, for a visitor on every node who tracks the event on every node', async () => {
    const tabs = await everywhere();
    const visitorId = tabs[0]!.session.visitorId;
    // The same event on the three nodes at once: one job waits for the rule and visitor.
    await Promise.all(tabs.map((t) => t.call('track', { name: 'checkout_started' })));
    const pushed = await eventually(() => evaluations.find(({ e }) => e.visitorId === visitorId), 10_000);
    expect(pushed.e).toMatchObject({ rule: 'soon', outcome: 'pushed' });
    // Done when its job is gone; only then can no other node still run it.
    await eventually(async () => (await db().selectFrom('jobs').select('id').where('dedupe_key', 'like', `%:${visitorId}`).execute()).length === 0);
    expect(evaluations.filter(({ e }) => e.visitorId === visitorId)).toHaveLength(1);
    const prompts = await db().selectFrom('proactive').select('id').where('visitor_id', '=', visitorId).execute();
    expect(prompts).toHaveLength(1);
    // Emitted by the node that ran it, to its own tab (the nodes share no rooms here).
    const shown = tabs.flatMap((t) => t.received.proactive ?? []).map((p) => p.id);
    expect(shown).toEqual([prompts[0]!.id]);
  });

  it('run a job claimed by a node that then died, on another node once the claim runs out', async () => {
    const tabs = await everywhere();
    const visitorId = tabs[0]!.session.visitorId;
    await tabs[1]!.call('track', { name: 'parcel_delayed' });
    const [job] = await db().selectFrom('jobs').selectAll().where('dedupe_key', '=', `rule:demo:later:${visitorId}`).execute();
    expect(job).toBeDefined();
    // Due now, and claimed (in the same statement, so no live node takes it first) by a node that
    // never finishes it: the process was killed.
    const store = new JobStore(db());
    const now = Date.now();
    const claimed = await db()
      .updateTable('jobs')
      .set({ run_at: now, locked_by: 'killed-node', locked_until: now + 1000, attempts: 1 })
      .where('id', '=', job!.id)
      .returningAll()
      .executeTakeFirst();
    expect(claimed).toMatchObject({ id: job!.id, locked_by: 'killed-node' });
    const outcome = await eventually(() => evaluations.find(({ e }) => e.visitorId === visitorId), 10_000);
    expect(outcome.e).toMatchObject({ rule: 'later', outcome: 'pushed' });
    const prompt = await db().selectFrom('proactive').select(['id', 'created_at']).where('visitor_id', '=', visitorId).executeTakeFirstOrThrow();
    // The prompt is the job's, pushed once, after the dead node's lease.
    expect(prompt.id).toBe(job!.id);
    expect(prompt.created_at).toBeGreaterThanOrEqual(claimed!.locked_until!);
    await eventually(async () => !(await store.get(job!.id)));
    expect(evaluations.filter(({ e }) => e.visitorId === visitorId)).toHaveLength(1);
  });

  it('hand the work of a closing node to the others at once', async () => {
    const tabs = await everywhere();
    const visitorId = tabs[0]!.session.visitorId;
    const leaving = await group.add();
    leaving.server.rules!.subscribe((e) => evaluations.push({ node: 3, e }));
    await tabs[0]!.call('track', { name: 'parcel_delayed' });
    const [job] = await db().selectFrom('jobs').selectAll().where('dedupe_key', '=', `rule:demo:later:${visitorId}`).execute();
    // Due now, and held for an hour by the node about to close, as if it had just claimed it.
    const now = Date.now();
    await db()
      .updateTable('jobs')
      .set({ run_at: now, locked_by: leaving.server.jobs.node, locked_until: now + 3_600_000, attempts: 1 })
      .where('id', '=', job!.id)
      .execute();
    await leaving.server.close();
    const outcome = await eventually(() => evaluations.find(({ e }) => e.visitorId === visitorId), 10_000);
    expect(outcome).toMatchObject({ e: { rule: 'later', outcome: 'pushed' } });
    expect(outcome.node).not.toBe(3);
  });
});
