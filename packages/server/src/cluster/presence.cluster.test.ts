import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../test/harness.js';
import { REDIS_URL, dropRedisPrefix, newRedisPrefix } from '../test/redis.js';
import { Presence } from './presence.js';
import { RedisLink } from './redis.js';

const quiet = { info() {}, warn() {} };
const prefix = newRedisPrefix();
const opened: { presence: Presence; link: RedisLink }[] = [];

/** A node's presence on its own connection to the shared Redis. */
async function node(id: string, heartbeatMs?: number) {
  const link = await RedisLink.connect(REDIS_URL, prefix, quiet);
  const presence = new Presence({ nodeId: id, redis: link, log: quiet, heartbeatMs });
  await presence.start();
  opened.push({ presence, link });
  return { presence, link };
}

afterEach(async () => {
  for (const { presence, link } of opened.splice(0)) {
    await presence.stop();
    await link.close();
  }
});
afterAll(() => dropRedisPrefix(prefix));

describe('presence across nodes', () => {
  it('sees a room with a socket on another node, until its last socket there leaves', async () => {
    const a = await node('a');
    const b = await node('b');
    expect(await b.presence.isOnline('v:1')).toBe(false);
    await a.presence.enter('app', ['v:1', 'u:app:alice']);
    await a.presence.enter('app', ['v:1']);
    expect([...(await b.presence.online(['v:1', 'u:app:alice', 'v:2']))].sort()).toEqual(['u:app:alice', 'v:1']);
    await a.presence.leave(['v:1', 'u:app:alice']);
    // One of its two sockets is still there.
    expect(await b.presence.isOnline('v:1')).toBe(true);
    expect(await b.presence.isOnline('u:app:alice')).toBe(false);
    await a.presence.leave(['v:1']);
    expect(await b.presence.isOnline('v:1')).toBe(false);
  });

  it("lists an app's online visitors on every node, and none of another app's", async () => {
    const a = await node('a');
    const b = await node('b');
    await a.presence.enter('app', ['v:1']);
    await b.presence.enter('app', ['v:2', 'u:app:bob']);
    await b.presence.enter('other', ['v:3']);
    expect((await a.presence.members('app', 'v:')).sort()).toEqual(['v:1', 'v:2']);
    expect(await b.presence.members('other', 'v:')).toEqual(['v:3']);
  });

  it('forgets the rooms of a node that closed at once', async () => {
    const a = await node('a');
    const b = await node('b');
    await a.presence.enter('app', ['v:1']);
    await a.presence.stop();
    expect(await b.presence.isOnline('v:1')).toBe(false);
  });

  it('stops counting the rooms of a node that died without closing once its liveness runs out', async () => {
    const a = await node('a', 100);
    const b = await node('b', 100);
    await a.presence.enter('app', ['v:1']);
    expect(await b.presence.isOnline('v:1')).toBe(true);
    // Killed: its connections drop and its heartbeat stops, nothing is cleaned up.
    await a.link.close();
    await eventually(async () => !(await b.presence.isOnline('v:1')), 5000);
    // And the next heartbeat of a live node forgets it.
    await eventually(async () => (await b.link.commands.sismember(`${prefix}nodes`, 'a')) === 0, 5000);
  });

  it('writes its whole state again when its connection comes back, so entries lost meanwhile heal', async () => {
    const a = await node('a', 100);
    const b = await node('b', 100);
    await a.presence.enter('app', ['v:1']);
    // As if Redis had restarted empty.
    await b.link.commands.del(`${prefix}presence:a`);
    expect(await b.presence.isOnline('v:1')).toBe(false);
    // Its connection drops and comes back: it writes everything again.
    a.link.commands.disconnect(true);
    await eventually(() => b.presence.isOnline('v:1'), 5000);
  });
});
