// Simulated shoppers for trying the console by hand or from screenshots.mjs: each connects to the
// visitor channel like the widget does, reports a page and cart, and writes.
import { createHmac, randomBytes } from 'node:crypto';
import { io } from 'socket.io-client';

/** UUIDv7 (the protocol's id format for threads and clientIds): 48-bit ms time, then random. */
export function uuidv7() {
  const b = randomBytes(16);
  const ms = BigInt(Date.now());
  for (let i = 0; i < 6; i++) b[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  b[6] = (b[6] & 0x0f) | 0x70;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const USER_AGENTS = {
  iphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  android: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
  mac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
};

/**
 * @param {string} url server origin
 * @param {{ origin?: string, userAgent?: string, userId?: string, secret?: string, name?: string, email?: string }} opts
 */
export function connectVisitor(url, opts = {}) {
  const auth = { appId: 'demo', v: 1 };
  if (opts.userId) {
    auth.userId = opts.userId;
    auth.userHash = createHmac('sha256', opts.secret ?? 's').update(opts.userId).digest('hex');
  }
  if (opts.name) auth.name = opts.name;
  if (opts.email) auth.email = opts.email;
  const socket = io(url, {
    auth,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: { origin: opts.origin ?? 'http://127.0.0.1:5174', ...(opts.userAgent ? { 'user-agent': opts.userAgent } : {}) },
  });
  const call = (event, payload) =>
    new Promise((resolve, reject) =>
      socket.timeout(5000).emit(event, payload, (err, ack) => {
        if (err) return reject(err);
        if (!ack.ok) return reject(new Error(`${event}: ${ack.error.code} ${ack.error.message}`));
        resolve(ack);
      }),
    );
  return new Promise((resolve, reject) => {
    socket.once('connect_error', (err) => reject(new Error(`visitor connect: ${err.data?.message ?? err.message}`)));
    socket.once('session', (session) => {
      resolve({
        socket,
        session,
        call,
        async send(threadId, text, { create = false, attachmentIds } = {}) {
          return call('message.send', { threadId, create, clientId: uuidv7(), text, ...(attachmentIds ? { attachmentIds } : {}) });
        },
        async upload(name, mime, bytes, durationMs) {
          const form = new FormData();
          form.append('file', new Blob([bytes], { type: mime }), name);
          const res = await fetch(`${url}/v1/uploads${durationMs ? `?durationMs=${durationMs}` : ''}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${session.token}` },
            body: form,
          });
          const body = await res.json();
          if (res.status !== 201) throw new Error(`upload ${name}: ${JSON.stringify(body)}`);
          return body.attachment;
        },
        close: () => socket.close(),
      });
    });
  });
}
