/** Business hours, the expected reply time and the away auto-reply, through the real server on loopback. */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient } from 'socket.io-client';
import * as v from 'valibot';
import { availabilityEventSchema } from '@threadline/protocol';
import { API_KEY, connect, eventually, newId, send, startServer, type Harness } from '../test/harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startServer();
});
afterAll(async () => {
  await h.close();
});

const ALWAYS_OPEN = { timeZone: 'UTC', weekly: Object.fromEntries(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((d) => [d, [['00:00', '24:00']]])), holidays: [] };
const NEVER_OPEN = { timeZone: 'Asia/Shanghai', weekly: {}, holidays: [] };

async function messagesOf(threadId: string): Promise<{ text: string; author: { kind: string }; meta?: Record<string, unknown> }[]> {
  const res = await h.api('GET', `/v1/threads/${threadId}/messages?limit=100`);
  return res.body.items;
}

describe('availability', () => {
  it('is unset until the brand sets it: always open, nothing shown', async () => {
    const res = await h.api('GET', '/v1/availability');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ hours: null, replyTimeMinutes: null, awayMessage: null });
  });

  it('is replaced by PUT and read back the same, holidays sorted and unique', async () => {
    const body = {
      hours: { timeZone: 'Europe/Paris', weekly: { mon: [['09:00', '18:00']], sat: [['10:00', '12:00'], ['14:00', '24:00']] }, holidays: ['2026-12-25', '2026-01-01', '2026-12-25'] },
      replyTimeMinutes: 30,
      awayMessage: '  We are closed; we answer from 9:00.  ',
    };
    const put = await h.api('PUT', '/v1/availability', body);
    expect(put.status).toBe(200);
    const expected = { hours: { ...body.hours, holidays: ['2026-01-01', '2026-12-25'] }, replyTimeMinutes: 30, awayMessage: 'We are closed; we answer from 9:00.' };
    expect(put.body).toEqual(expected);
    expect((await h.api('GET', '/v1/availability')).body).toEqual(expected);
  });

  it('keeps the team shown on the widget’s first screen, names trimmed, and forgets it when a PUT leaves it out', async () => {
    const team = [{ name: ' Mei ', avatarUrl: 'https://cdn.example/mei.png' }, { name: 'Omar' }];
    const put = await h.api('PUT', '/v1/availability', { replyTimeMinutes: 15, team });
    expect(put.body).toEqual({ hours: null, replyTimeMinutes: 15, awayMessage: null, team: [{ name: 'Mei', avatarUrl: 'https://cdn.example/mei.png' }, { name: 'Omar' }] });
    const v = await connect(h.url);
    try {
      expect((await v.call('availability.get', {})).team).toEqual([{ name: 'Mei', avatarUrl: 'https://cdn.example/mei.png' }, { name: 'Omar' }]);
    } finally {
      v.close();
    }
    expect((await h.api('PUT', '/v1/availability', { replyTimeMinutes: 15 })).body).toEqual({ hours: null, replyTimeMinutes: 15, awayMessage: null });
  });

  it.each([
    [{ team: [{ name: '   ' }] }, /team/],
    [{ team: [{ name: 'Mei', avatarUrl: 'javascript:alert(1)' }] }, /avatarUrl|pattern/],
    [{ team: Array.from({ length: 9 }, (_, i) => ({ name: `A${i}` })) }, /team/],
    [{ hours: { timeZone: 'Mars/Olympus', weekly: {} } }, /time zone/],
    [{ hours: { timeZone: 'UTC', weekly: { mon: [['18:00', '09:00']] } } }, /ends before it starts/],
    [{ hours: { timeZone: 'UTC', weekly: { mon: [['9:00', '17:00']] } } }, /pattern|HH:MM/],
    [{ hours: { timeZone: 'UTC', weekly: { funday: [] } } }, /additional|weekday/i],
    [{ replyTimeMinutes: 0 }, /replyTimeMinutes/],
    [{ awayMessage: 'x'.repeat(1001) }, /awayMessage/],
  ])('refuses %j with 400 and changes nothing', async (body, message) => {
    const before = (await h.api('GET', '/v1/availability')).body;
    const res = await h.api('PUT', '/v1/availability', body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('bad_request');
    expect(res.body.error.message).toMatch(message);
    expect((await h.api('GET', '/v1/availability')).body).toEqual(before);
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${h.url}/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/v1/availability'] ?? {}).sort()).toEqual(['get', 'put']);
  });

  it('needs the API key', async () => {
    const res = await fetch(`${h.url}/v1/availability`);
    expect(res.status).toBe(401);
  });

  it('tells a visitor the settings and whether an agent inbox is connected', async () => {
    await h.api('PUT', '/v1/availability', { hours: ALWAYS_OPEN, replyTimeMinutes: 15 });
    const v = await connect(h.url);
    const before = await v.call('availability.get', {});
    expect(before).toEqual({ ok: true, hours: ALWAYS_OPEN, replyTimeMinutes: 15, awayMessage: null, agentsOnline: false });
    const agent = ioClient(`${h.url}/agent`, { auth: { apiKey: API_KEY }, transports: ['websocket'], forceNew: true, reconnection: false });
    await new Promise<void>((resolve) => agent.once('connect', () => resolve()));
    await eventually(async () => (await v.call('availability.get', {})).agentsOnline === true);
    agent.close();
    await eventually(async () => (await v.call('availability.get', {})).agentsOnline === false);
    v.close();
  });

  it('tells connected visitors when the first agent inbox connects and when the last one closes', async () => {
    const visitor = await connect(h.url);
    const heard: unknown[] = [];
    visitor.socket.on('availability', (event) => heard.push(event));
    const inbox = () => {
      const socket = ioClient(`${h.url}/agent`, { auth: { apiKey: API_KEY }, transports: ['websocket'], forceNew: true, reconnection: false });
      return new Promise<typeof socket>((resolve) => socket.once('connect', () => resolve(socket)));
    };
    const first = await inbox();
    await eventually(() => heard.length === 1);
    expect(heard[0]).toEqual({ agentsOnline: true });
    expect(v.is(availabilityEventSchema, heard[0])).toBe(true);
    // A second inbox changes nothing; closing one of two leaves someone there.
    const second = await inbox();
    second.close();
    await eventually(async () => (await visitor.call('availability.get', {})).agentsOnline === true);
    first.close();
    await eventually(() => heard.length === 2);
    expect(heard).toEqual([{ agentsOnline: true }, { agentsOnline: false }]);
    visitor.close();
  });

  it('posts the away message once per thread outside hours, as a bot, after the visitor’s message', async () => {
    await h.api('PUT', '/v1/availability', { hours: NEVER_OPEN, awayMessage: 'We are away until Monday.' });
    const v = await connect(h.url);
    const t = newId();
    await send(v, t, 'hello?', { create: true });
    // It may arrive before the send's ack: read what was received.
    const away = await eventually(() => v.received.message?.find((m) => m.author.kind === 'bot'));
    expect(away).toMatchObject({ threadId: t, text: 'We are away until Monday.', author: { kind: 'bot' }, meta: { away: true } });
    await send(v, t, 'anyone?');
    // A later brand message is the positive signal that everything before it has landed.
    await h.api('POST', `/v1/threads/${t}/messages`, { text: 'Back now', author: { kind: 'agent', name: 'Sam' } });
    await eventually(async () => (await messagesOf(t)).some((m) => m.text === 'Back now'));
    expect((await messagesOf(t)).map((m) => `${m.author.kind}: ${m.text}`)).toEqual([
      'visitor: hello?',
      'bot: We are away until Monday.',
      'visitor: anyone?',
      'agent: Back now',
    ]);
    v.close();
  });

  it('posts no away message while open, nor without one set', async () => {
    await h.api('PUT', '/v1/availability', { hours: ALWAYS_OPEN, awayMessage: 'We are away.' });
    const v = await connect(h.url);
    const open = newId();
    await send(v, open, 'open hours', { create: true });
    await h.api('PUT', '/v1/availability', { hours: NEVER_OPEN });
    const closed = newId();
    await send(v, closed, 'closed, nothing to say', { create: true });
    for (const t of [open, closed]) {
      await h.api('POST', `/v1/threads/${t}/messages`, { text: 'marker', author: { kind: 'agent' } });
      await eventually(async () => (await messagesOf(t)).some((m) => m.text === 'marker'));
      expect((await messagesOf(t)).map((m) => m.author.kind)).toEqual(['visitor', 'agent']);
    }
    v.close();
  });

  it('posts no second away message and logs nothing when its text changes during the closed period', async () => {
    // A server of its own that logs warnings: a node remembers the notices it posted, so the
    // restart stands for the node that did not (another node, or this one started again).
    const warnings: { msg: string }[] = [];
    const logStream = new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) {
          const entry = JSON.parse(line) as { msg: string; level: number };
          if (entry.level >= 40) warnings.push(entry);
        }
        done();
      },
    });
    const own = await startServer({ logLevel: 'warn' }, { logStream });
    try {
      await own.api('PUT', '/v1/availability', { hours: NEVER_OPEN, awayMessage: 'Closed until Monday.' });
      const first = await connect(own.url);
      const t = newId();
      await send(first, t, 'hello?', { create: true });
      await eventually(() => first.received.message?.find((m) => m.author.kind === 'bot'));
      first.close();
      await own.restart();
      await own.api('PUT', '/v1/availability', { hours: NEVER_OPEN, awayMessage: 'Closed for the holidays, back on the 4th.' });
      const again = await connect(own.url, { token: first.session.token });
      expect((await send(again, t, 'still there?')).ok).toBe(true);
      await own.api('POST', `/v1/threads/${t}/messages`, { text: 'marker', author: { kind: 'agent' } });
      const texts = async () => ((await own.api('GET', `/v1/threads/${t}/messages?limit=100`)).body.items as { text: string; author: { kind: string } }[]).map((m) => `${m.author.kind}: ${m.text}`);
      await eventually(async () => (await texts()).includes('agent: marker'));
      // The away reply is tried before the send's ack; the marker's append waits for it (the thread's lock).
      expect(await texts()).toEqual(['visitor: hello?', 'bot: Closed until Monday.', 'visitor: still there?', 'agent: marker']);
      expect(warnings.map((w) => w.msg)).not.toContainEqual(expect.stringContaining('away message'));
      again.close();
    } finally {
      await own.close();
    }
  });
});
