/** Test doubles for the injected environment: manual clock, scripted transport, locks and channels. */
import type { Ack, Message, PageCampaign, SendResult, Thread, VisitorAuth } from '@threadline/protocol';
import type { ChannelLike, Environment, HttpClient, LockManagerLike, OnlineStatus } from '../environment.js';
import type { Reply, RequestName, Transport, TransportEvent, TransportFactory } from '../transport/transport.js';
import { uuidv7 } from '../uuid.js';
import { yieldToPage } from '../yield.js';

export function manualClock(start = 1_700_000_000_000) {
  let now = start;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let next = 1;
  return {
    now: () => now,
    setTimeout(fn: () => void, ms: number) {
      const id = next++;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout(h: unknown) {
      timers.delete(h as number);
    },
    pending: () => timers.size,
    /** Advance the clock, firing due timers in order. */
    async advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].fn();
        await flush();
      }
      now = end;
      await flush();
    },
  };
}

export async function flush(times = 20): Promise<void> {
  for (let i = 0; i < times; i++) await new Promise<void>((r) => setImmediate(r));
}

export function fakeOnline(initial = true): OnlineStatus & { set(online: boolean): void } {
  let online = initial;
  const listeners = new Set<(o: boolean) => void>();
  return {
    isOnline: () => online,
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    set(o) {
      online = o;
      for (const l of listeners) l(o);
    },
  };
}

export const noHttp: HttpClient = {
  upload: async () => ({ status: 503, body: null }),
  download: async () => ({ status: 404, blob: null }),
};

export function testEnv(overrides: Partial<Environment> = {}): Environment {
  const clock = manualClock();
  return {
    now: clock.now,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    random: () => 0.5,
    uuid: () => uuidv7(),
    online: fakeOnline(),
    locks: null,
    channel: null,
    http: noHttp,
    indexedDB: null,
    locale: 'en',
    // The real one: a macrotask, so tests see start-up resume in later tasks as a page does.
    yieldToPage: () => yieldToPage(),
    ...overrides,
  };
}

type Handler = (input: any) => Reply<any> | Promise<Reply<any>> | undefined;

/**
 * A scripted in-memory server behind the Transport contract: keeps threads and messages with
 * seq and (thread, clientId) dedupe like the real one, so client logic can be tested without
 * sockets. `handlers` override a request's answer (return undefined to fall through).
 */
export class FakeServer {
  threads = new Map<string, Thread>();
  messages = new Map<string, Message[]>();
  requests: { name: string; input: any }[] = [];
  transports = new Set<FakeTransport>();
  handlers: Partial<Record<RequestName, Handler>> = {};
  /** Push the visitor's own message back as a live event (as the real server does for other tabs). */
  echo = true;
  visitorId = 'v1';
  token = 'tok-1';
  /** Page campaigns listed in the session (`Session.campaigns`). */
  campaigns: PageCampaign[] | undefined;

  factory: TransportFactory = () => {
    const t = new FakeTransport(this);
    this.transports.add(t);
    return t;
  };

  sends(): { clientId: string; text: string; threadId: string }[] {
    return this.requests.filter((r) => r.name === 'message.send').map((r) => r.input);
  }

  /** Broadcast a server event to every connected transport. */
  push(event: TransportEvent): void {
    for (const t of this.transports) if (t.connected) t.fire(event);
  }

  appendAgent(threadId: string, text: string, live = true): Message {
    const m = this.#append(threadId, { author: { kind: 'agent', name: 'Sam' }, text, clientId: null });
    if (live) this.push({ type: 'server', name: 'message', payload: m });
    return m;
  }

  #append(threadId: string, m: { author: Message['author']; text: string; clientId: string | null; attachments?: Message['attachments'] }): Message {
    const t = this.threads.get(threadId)!;
    const seq = t.lastSeq + 1;
    const msg: Message = {
      id: `m-${threadId}-${seq}`,
      clientId: m.clientId,
      threadId,
      seq,
      author: m.author,
      text: m.text,
      attachments: m.attachments ?? [],
      kind: 'text',
      createdAt: new Date(1_700_000_000_000 + seq * 1000).toISOString(),
    };
    this.messages.get(threadId)!.push(msg);
    this.threads.set(threadId, { ...t, lastSeq: seq, lastMessage: msg, updatedAt: msg.createdAt, unread: m.author.kind === 'visitor' ? t.unread : t.unread + 1 });
    return msg;
  }

  handle(name: RequestName, input: any): Reply<any> {
    switch (name) {
      case 'message.send': {
        let t = this.threads.get(input.threadId);
        if (!t) {
          if (!input.create) return { ok: false, error: { code: 'not_found', message: 'thread' } };
          t = {
            id: input.threadId, status: 'open', lastSeq: 0, lastMessage: null, unread: 0, visitorReadSeq: 0, agentReadSeq: 0,
            campaign: null, rating: null, createdAt: new Date(0).toISOString(), updatedAt: new Date(0).toISOString(),
          };
          this.threads.set(t.id, t);
          this.messages.set(t.id, []);
        }
        const dup = this.messages.get(t.id)!.find((m) => m.clientId === input.clientId);
        if (dup) return { ok: true, message: dup, thread: this.threads.get(t.id)!, duplicate: true } as Ack<SendResult> as Reply<any>;
        const message = this.#append(t.id, { author: { kind: 'visitor' }, text: input.text, clientId: input.clientId });
        if (this.echo) this.push({ type: 'server', name: 'message', payload: message });
        return { ok: true, message, thread: this.threads.get(t.id)!, duplicate: false };
      }
      case 'sync': {
        const out: Message[] = [];
        for (const [id, list] of this.messages) {
          const c = input.cursors[id];
          out.push(...(c === undefined ? list.slice(-50) : list.filter((m) => m.seq > c)));
        }
        return { ok: true, threads: [...this.threads.values()], messages: out, proactive: [], more: false };
      }
      case 'messages.list': {
        const list = this.messages.get(input.threadId) ?? [];
        const limit = input.limit ?? 50;
        if (input.after !== undefined) {
          const items = list.filter((m) => m.seq > input.after);
          return { ok: true, items: items.slice(0, limit), more: items.length > limit };
        }
        const before = input.before ?? Infinity;
        const items = list.filter((m) => m.seq < before);
        return { ok: true, items: items.slice(-limit), more: items.length > limit };
      }
      default:
        return { ok: true };
    }
  }
}

export class FakeTransport implements Transport {
  connected = false;
  auth: VisitorAuth | null = null;
  #listeners = new Set<(e: TransportEvent) => void>();
  notified: unknown[] = [];
  /** When false, `connect` does not complete (server unreachable). */
  static reachable = true;

  constructor(readonly server: FakeServer) {}

  fire(e: TransportEvent): void {
    for (const l of [...this.#listeners]) l(e);
  }

  connect(auth: () => VisitorAuth): void {
    this.auth = auth();
    this.connected = false;
    this.fire({ type: 'connecting' });
    queueMicrotask(() => this.up());
  }

  /** Complete the connection (session), when the server is reachable. */
  up(): void {
    if (!this.auth || !this.server.transports.has(this)) return;
    if (!reachable(this.server)) return;
    this.connected = true;
    const campaigns = this.server.campaigns;
    this.fire({ type: 'session', session: { visitorId: this.server.visitorId, token: this.server.token, userId: null, protocol: 1, maxUploadBytes: 1024, ...(campaigns ? { campaigns } : {}) } });
  }

  drop(): void {
    this.connected = false;
    this.fire({ type: 'disconnected', reason: 'transport close' });
  }

  close(): void {
    this.connected = false;
    this.server.transports.delete(this);
  }

  reconnectNow(): void {
    if (!this.connected) this.up();
  }

  /** The connection stopped carrying packets without closing: requests go unanswered until a probe drops it. */
  halfOpen = false;
  probes = 0;

  /** Like socket.io's: a half-open connection fails the probe, is dropped and reconnects. */
  async verify(): Promise<boolean> {
    this.probes++;
    if (!this.connected) return false;
    if (!this.halfOpen) return true;
    this.halfOpen = false;
    this.drop();
    queueMicrotask(() => this.up());
    return false;
  }

  async request(name: RequestName, input: any): Promise<Reply<any>> {
    if (!this.connected) return { ok: false, error: { code: 'network', message: 'not connected' } };
    if (this.halfOpen) return { ok: false, error: { code: 'timeout', message: 'no ack (half-open)' } };
    this.server.requests.push({ name, input });
    const custom = await this.server.handlers[name]?.(input);
    return custom ?? this.server.handle(name, input);
  }

  notify(name: 'typing', input: unknown): void {
    this.notified.push([name, input]);
  }

  on(listener: (event: TransportEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

const unreachable = new WeakSet<FakeServer>();
function reachable(s: FakeServer): boolean {
  return !unreachable.has(s);
}
export function setReachable(s: FakeServer, ok: boolean): void {
  if (ok) unreachable.delete(s);
  else unreachable.add(s);
}

/** Web Locks with the one behaviour we need: exclusive, queued, released when the callback settles or aborted. */
export class FakeLocks implements LockManagerLike {
  #held = new Map<string, boolean>();
  #queue = new Map<string, (() => void)[]>();

  request(name: string, options: { signal?: AbortSignal }, callback: (lock: unknown) => Promise<unknown>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const run = () => {
        this.#held.set(name, true);
        callback({ name }).then(resolve, reject).finally(() => {
          this.#held.set(name, false);
          const q = this.#queue.get(name) ?? [];
          const nextRun = q.shift();
          if (nextRun) nextRun();
        });
      };
      if (!this.#held.get(name)) return run();
      const q = this.#queue.get(name) ?? [];
      q.push(run);
      this.#queue.set(name, q);
      options.signal?.addEventListener('abort', () => {
        const i = q.indexOf(run);
        if (i >= 0) {
          q.splice(i, 1);
          reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
        }
      });
    });
  }
}

/** BroadcastChannel between fake tabs: delivers to every other channel of the same name, async, structured-cloned. */
export class ChannelHub {
  #channels = new Map<string, Set<FakeChannel>>();
  open = (name: string): ChannelLike => {
    const c = new FakeChannel(name, this.#channels);
    return c;
  };
}

class FakeChannel implements ChannelLike {
  #listeners = new Set<(e: { data: unknown }) => void>();
  constructor(
    readonly name: string,
    readonly all: Map<string, Set<FakeChannel>>,
  ) {
    const set = all.get(name) ?? new Set();
    set.add(this);
    all.set(name, set);
  }
  postMessage(message: unknown): void {
    const data = structuredClone(message);
    for (const c of this.all.get(this.name) ?? []) {
      if (c !== this) setImmediate(() => c.#listeners.forEach((l) => l({ data })));
    }
  }
  addEventListener(_t: 'message', l: (e: { data: unknown }) => void): void {
    this.#listeners.add(l);
  }
  removeEventListener(_t: 'message', l: (e: { data: unknown }) => void): void {
    this.#listeners.delete(l);
  }
  close(): void {
    this.all.get(this.name)?.delete(this);
  }
}
