import { afterEach, describe, expect, it } from 'vitest';
import { connect, newId, send, type Harness } from '../test/harness.js';
import { startNodes, type Nodes } from '../test/nodes.js';

let group: Nodes | undefined;
afterEach(async () => {
  await group?.close();
  group = undefined;
});

/** The ids of the visitor's threads, as a resuming widget learns them. */
async function threadsOf(node: Harness, token: string): Promise<{ visitorId: string; threads: string[] }> {
  const v = await connect(node.url, { token });
  try {
    const sync = await v.call('sync', { cursors: {} });
    return { visitorId: v.session.visitorId, threads: sync.threads.map((t: any) => t.id) };
  } finally {
    v.close();
  }
}

// Without Redis and without THREADLINE_TOKEN_KEY: the key is the database's.
describe('visitor tokens on several nodes', () => {
  it('a token issued by one node resumes the same visitor and threads on another, and back', async () => {
    group = await startNodes(2, { redis: false });
    const [a, b] = group.nodes as [Harness, Harness];
    const v = await connect(a.url);
    const threadId = newId();
    expect((await send(v, threadId, 'hello from node A', { create: true })).ok).toBe(true);
    v.close();
    const onB = await threadsOf(b, v.session.token);
    expect(onB).toEqual({ visitorId: v.session.visitorId, threads: [threadId] });
    // And a token node B issued works on node A.
    const w = await connect(b.url, { token: v.session.token });
    w.close();
    expect(await threadsOf(a, w.session.token)).toEqual({ visitorId: v.session.visitorId, threads: [threadId] });
  });

  it('a node started with a fresh data dir, after the one that issued a token is gone, accepts it', async () => {
    group = await startNodes(1, { redis: false });
    const [a] = group.nodes as [Harness];
    const v = await connect(a.url);
    const threadId = newId();
    await send(v, threadId, 'before the restart', { create: true });
    v.close();
    await a.server.close();
    const c = await group.add(); // its own new data dir
    expect(c.config.dataDir).not.toBe(a.config.dataDir);
    expect(await threadsOf(c, v.session.token)).toEqual({ visitorId: v.session.visitorId, threads: [threadId] });
  });

  it('nodes starting at the same time on a new database agree on one key', async () => {
    group = await startNodes(0, { redis: false });
    const nodes = await Promise.all([group.add(), group.add(), group.add()]);
    for (const issuer of nodes) {
      const v = await connect(issuer.url);
      v.close();
      for (const other of nodes) expect((await threadsOf(other, v.session.token)).visitorId).toBe(v.session.visitorId);
    }
  });
});
