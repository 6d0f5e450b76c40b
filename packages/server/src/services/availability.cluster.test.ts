/** The `availability` event with several nodes: the app's agents counted on every node, told to visitors on every node. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { io as ioClient } from 'socket.io-client';
import { API_KEY, connect, eventually } from '../test/harness.js';
import { startNodes, type Nodes } from '../test/nodes.js';

let group: Nodes;

beforeAll(async () => {
  group = await startNodes(2);
});
afterAll(async () => {
  await group?.close();
});

function inbox(url: string) {
  const socket = ioClient(`${url}/agent`, { auth: { apiKey: API_KEY }, transports: ['websocket'], forceNew: true, reconnection: false });
  return new Promise<typeof socket>((resolve) => socket.once('connect', () => resolve(socket)));
}

it('tells a visitor on one node about inboxes on another, and says all gone only when the last one on any node closes', async () => {
  const [a, b] = group.nodes as [(typeof group.nodes)[0], (typeof group.nodes)[0]];
  const visitor = await connect(b.url);
  const heard: { agentsOnline: boolean }[] = [];
  visitor.socket.on('availability', (event) => heard.push(event));

  const onA = await inbox(a.url);
  await eventually(() => heard.length === 1);
  expect(heard).toEqual([{ agentsOnline: true }]);

  // A second inbox, on the visitor's node: this node's first, told as the state (still online).
  const onB = await inbox(b.url);
  await eventually(() => heard.length === 2);
  // The inbox on A closes while B's stays: A tells the app-wide state, which is still online.
  onA.close();
  await eventually(() => heard.length === 3);
  expect(heard).toEqual([{ agentsOnline: true }, { agentsOnline: true }, { agentsOnline: true }]);

  onB.close();
  await eventually(() => heard.length === 4);
  expect(heard[3]).toEqual({ agentsOnline: false });
  visitor.close();
});
