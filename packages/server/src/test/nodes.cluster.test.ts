import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNodes, type Nodes } from './nodes.js';

describe('several nodes on one database', () => {
  let group: Nodes;
  beforeAll(async () => {
    group = await startNodes(3);
  });
  afterAll(() => group?.close());

  it('start side by side on their own ports, migrating and seeding once', async () => {
    const ports = new Set(group.nodes.map((n) => n.server.port));
    expect(ports.size).toBe(3);
    for (const node of group.nodes) {
      const res = await node.api('GET', '/health', undefined, {}, null);
      expect(res.status).toBe(200);
    }
    // Only the first node created the demo app; the others found it.
    expect(group.nodes.map((n) => n.server.demo.created)).toEqual([true, false, false]);
  });
});
