/**
 * The client: wires the store, storage, transport, outbox and tabs together. Each concern lives
 * in its own unit; this file only decides who does what when. No method throws and no returned
 * promise rejects (`#guard`): failures become `error` events and snapshot state.
 *
 * What a page needs before any interaction (boot, tabs, the socket, live events, proactive
 * prompts, queuing a send durably) is here and in the units it imports. What only a send or an
 * open conversation needs (the outbox's sending loop, older pages, read receipts, typing,
 * ratings, downloads) loads on demand through `units.ts` and uses the client through `#host`.
 */
import {
  LIMITS,
  PROTOCOL_VERSION,
  type Attachment,
  type Availability,
  type ProactiveEvent,
  type ProactiveMessage,
  type Session,
  type VisitorAuth,
  type VisitorContext,
} from '@threadline/protocol';
import { defaultEnvironment, type Environment } from './environment.js';
import { Emitter } from './emitter.js';
import { Store } from './store.js';
import type { OutboxEntry } from './state/state.js';
import { emptyThread } from './state/reducer.js';
import type { StorageAdapter } from './storage/adapter.js';
import { ResilientStorage } from './storage/resilient.js';
import { LocalStore, emptyProactive, type ProactiveRecord, type StoredThread } from './storage/local-store.js';
import type { Meta } from './storage/schema.js';
import { Outbox } from './outbox/outbox.js';
import { checkOutgoing, fileName } from './outbox/compose.js';
import { Resume } from './client/resume.js';
import { Presence } from './client/presence.js';
import { chooseStorage, openStorage, readDevice } from './client/boot.js';
import { fallbackError, seedMemory } from './storage/fallback.js';
import { Connection, type ServerEvent } from './client/connection.js';
import { watch } from './client/events.js';
import { resolveOptions, type Resolved } from './client/config.js';
import type { Conversation } from './conversation/conversation.js';
import type { Host } from './host.js';
import { Lazy } from './lazy.js';
import { lazyUnits, type Units } from './units.js';
import type { TransportFactory } from './transport/transport.js';
import { Tabs } from './tabs/coordinator.js';
import type { TabCall, TabCommand, TabCommands } from './tabs/messages.js';
import type { Prompts } from './proactive/prompts.js';
import type {
  Client,
  ClientError,
  ClientEventMap,
  ClientEventName,
  ClientOptions,
  Identity,
  NotifyEmailResult,
  OutgoingMessage,
  Snapshot,
  StorageFallbackReason,
} from './types.js';



export class ThreadlineClient implements Client {
  readonly #o: Resolved;
  readonly #options: ClientOptions;
  readonly #env: Environment;
  readonly #store = new Store();
  readonly #events = new Emitter<ClientEventMap>();
  readonly #outbox: Outbox;
  readonly #resume: Resume;
  readonly #tabs: Tabs;
  readonly #conn: Connection;
  readonly #presence: Presence;
  /** What lazily loaded units may use of this client (`host.ts`). */
  readonly #host: Host;
  readonly #conversation: Lazy<Awaited<ReturnType<Units['conversation']>>, Conversation>;
  readonly #prompts: Lazy<Awaited<ReturnType<Units['prompts']>>, Prompts>;
  /** This page's tracked events, newest last (at most 20): page triggers hear them when they load. */
  readonly #tracked: TabCommands['track'][] = [];
  #storage: ResilientStorage | null = null;
  #local: LocalStore | null = null;
  #started: Promise<void> | null = null;
  #readyResolve!: () => void;
  #ready = new Promise<void>((r) => (this.#readyResolve = r));
  #destroyed = false;
  #meta: Meta = { schema: 0 };
  /** What storage held at start, handed to the prompts unit when it loads. */
  #storedPrompts: ProactiveRecord = emptyProactive();
  #fallbackReported = false;

  readonly #defaultTransport: TransportFactory | null;

  /**
   * `defaultTransport` is used when `options.transport` is not given (socket.io in `createClient`).
   * `units` loads the parts needed only on demand (tests count or fail the loads).
   */
  constructor(options: ClientOptions, defaultTransport: TransportFactory | null = null, units: Units = lazyUnits) {
    this.#options = options;
    this.#defaultTransport = defaultTransport;
    this.#env = { ...defaultEnvironment(), ...options.env };
    this.#o = resolveOptions(options);
    const getLocal = () => this.#local!;
    this.#host = {
      store: this.#store,
      env: this.#env,
      get local() {
        return getLocal();
      },
      options: this.#o,
      transport: () => this.#conn.transport,
      token: () => this.#token(),
      request: (name, input) => this.#conn.request(name, input),
      leader: (name, args, fn) => this.#leader(name, args, fn),
      applyServerMessages: (threadId, messages, live) => this.#resume.apply(threadId, messages, live),
      announce: (threadId, heldBefore, messages) => {
        this.#resume.announce(threadId, heldBefore);
        this.#resume.gap(threadId, messages);
      },
      persistThreads: (ids) => this.#persistThreads(ids),
      record: (threadId) => this.#record(threadId),
      error: (error) => this.#events.emit('error', error),
      proactive: (prompt) => this.#events.emit('proactive', { prompt }),
      context: () => this.#presence.context,
      file: (clientId, index) => this.#outbox.blob(clientId, index),
      sentFile: (attachmentId) => this.#outbox.sentFile(attachmentId),
    };
    this.#presence = new Presence(this.#host, options.locale ?? this.#env.locale);
    this.#resume = new Resume({
      host: this.#host,
      settled: (clientId, files) => this.#outbox.settled(clientId, files),
      offer: (prompts) => this.#offer(prompts),
      message: (message, thread) => this.#events.emit('message', { message, thread }),
    });
    this.#tabs = new Tabs({
      host: this.#host,
      run: (call) => this.#run(call),
      stored: (clientId) =>
        void this.#local!.getOutbox(clientId).then((e) => {
          if (!e || this.#destroyed) return;
          this.#adoptLocalThreads([e]);
          this.#outbox.adopt([e]);
        }),
      forget: (clientId) => this.#outbox.forget(clientId),
      shutdown: () => {
        this.destroy();
        this.#store.dispatch({ type: 'reset' });
      },
    });
    this.#conn = new Connection({
      host: this.#host,
      auth: () => this.#auth(),
      adopt: (session) => this.#adopt(session),
      live: (fresh) => this.#live(fresh),
      dropToken: () => this.#dropToken(),
      server: (e) => this.#onServer(e),
      pause: () => this.#outbox.pause(),
    });
    this.#outbox = new Outbox({
      host: this.#host,
      canSend: () => !this.#destroyed && this.#isLeader() && this.#store.state.connection === 'connected',
      load: () => units.sender(),
    });
    this.#conversation = new Lazy(
      () => units.conversation(),
      (m) => new m.Conversation(this.#host),
      (err) => this.#report('network', `could not load the conversation code: ${String(err)}`),
    );
    this.#prompts = new Lazy(
      () => units.prompts(),
      (m) => new m.Prompts(this.#host, this.#storedPrompts, this.#tracked),
      (err) => this.#report('network', `could not load the proactive prompts code: ${String(err)}`),
    );
    this.#store.onAction = (action) => this.#tabs.mirror(action);
    // Page campaigns listed in the session: the prompts code loads in every tab, and their triggers with it.
    this.#store.subscribe(() => void (this.#store.state.session?.campaigns && this.#prompts.get()));
    watch(this.#store, this.#events);
    if (this.#o.consent) void this.start();
  }

  // ---- public: store ----

  subscribe = (listener: () => void): (() => void) => this.#store.subscribe(listener);
  getSnapshot = (): Snapshot => this.#store.getSnapshot();

  on<K extends ClientEventName>(event: K, listener: (payload: ClientEventMap[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  whenReady(): Promise<void> {
    return this.#destroyed ? Promise.resolve() : this.#ready;
  }

  start(): Promise<void> {
    if (this.#destroyed) return Promise.resolve();
    // Deferred a microtask: events raised while opening storage (storageFallback) reach
    // listeners attached right after createClient().
    this.#started ??= Promise.resolve()
      .then(() => this.#boot())
      .then(() => {
        // What waited for consent: a tab that holds the socket sends it with its first session.
        if (!this.#destroyed && this.#role() === 'follower') this.#presence.handOver();
      })
      .catch((err) => this.#report('internal_client', `start failed: ${String(err)}`));
    return this.#started;
  }

  // ---- public: commands ----

  startThread(firstMessage?: OutgoingMessage): string {
    const id = this.#env.uuid();
    return this.#guard(id, () => {
      const now = new Date(this.#env.now()).toISOString();
      this.#store.dispatch({ type: 'localThread', thread: emptyThread(id, now) });
      if (firstMessage) this.send(id, firstMessage);
      return id;
    });
  }

  send(threadId: string, message: OutgoingMessage): string | null {
    return this.#guard(null, () => this.#queue(threadId, message, {}));
  }

  retry(clientId: string): void {
    this.#guard(undefined, () => {
      if (this.#role() === 'follower') return void this.#tabs.call('retry', [clientId]);
      if (!this.#outbox.retry(clientId)) this.#report('not_found_locally', `no queued message ${clientId}`, { clientId });
    });
  }

  discard(clientId: string): void {
    this.#guard(undefined, () => {
      if (this.#role() === 'follower') {
        this.#store.dispatch({ type: 'outboxRemove', clientId });
        return void this.#tabs.call('discard', [clientId]);
      }
      this.#outbox.discard(clientId);
    });
  }

  openThread(threadId: string): Promise<void> {
    return this.#guardAsync(undefined, async () => {
      await this.start();
      await this.#ready;
      if ((this.#store.state.messages[threadId]?.length ?? 0) > 0) return;
      await this.loadOlder(threadId);
    });
  }

  loadOlder(threadId: string): Promise<boolean> {
    return this.#conversing(false, (c) => c.loadOlder(threadId), true);
  }

  markRead(threadId: string): void {
    void this.#conversing(undefined, (c) => c.markRead(threadId));
  }

  setTyping(threadId: string, typing = true): void {
    this.#guard(undefined, () => {
      if (this.#role() === 'follower') return void this.#tabs.call('typing', [threadId, typing]);
      const at = this.#env.now();
      void this.#conversing(undefined, (c) => c.typing(threadId, typing, at));
    });
  }

  identify(identity: Identity): Promise<void> {
    return this.#guardAsync(undefined, async () => {
      this.#o.identity = identity;
      // Not an interaction: before consent the identity waits in memory for the first connection.
      if (this.#consentPending()) return;
      await this.start();
      await this.#ready;
      if (this.#role() === 'follower') {
        await this.#tabs.call('identify', [identity]);
        return;
      }
      if (!this.#conn.transport) return;
      // Resolves on the new session or a refusal; offline, it resolves after the ack timeout and
      // the new identity is used when the connection comes back.
      const settled = this.#conn.whenSession(this.#o.ackTimeoutMs);
      this.#conn.connect();
      await settled;
    });
  }

  updateContext(context: Omit<VisitorContext, 'device'>): void {
    this.#guard(undefined, () => {
      const merged = this.#presence.merge(context);
      // Pages call this on every view: it is not consent. The context waits in memory (merged, so
      // bounded) and goes with the first session.
      if (this.#consentPending()) return;
      void this.#leader('context', [merged], () => this.#presence.send());
    });
  }

  track(name: string, props?: Record<string, string | number | boolean | null>): void {
    this.#guard(undefined, () => {
      if (typeof name !== 'string' || name.length === 0 || name.length > LIMITS.maxEventNameLength) {
        return void this.#report('invalid_input', `event name must be 1–${LIMITS.maxEventNameLength} characters`);
      }
      // Not consent either: kept in memory (the first MAX_PENDING_TRACK) until the first session.
      if (this.#consentPending()) return void this.#presence.keep(name, props);
      void this.#leader('track', [name, props], () => this.#presence.track(name, props));
    });
  }

  rate(threadId: string, score: number, comment?: string): void {
    this.#guard(undefined, () => {
      if (!Number.isInteger(score) || score < 1 || score > 5) return void this.#report('invalid_input', 'score must be an integer 1–5', { threadId });
      void this.#leader('rate', [threadId, score, comment], () => this.#conversing(undefined, (c) => c.rate(threadId, score, comment)));
    });
  }

  // Both in the conversation unit, which runs them in the tab holding the socket.
  setNotifyEmail(email: string | null): Promise<NotifyEmailResult> {
    return this.#conversing({ ok: false, error: { code: 'internal_client', message: 'closed' } }, (c) => c.setNotifyEmail(email), true);
  }

  availability(): Promise<Availability | null> {
    return this.#conversing(null, (c) => c.availability(), true);
  }

  attachThread(token: string): Promise<string | null> {
    return this.#conversing(null, (c) => c.attachThread(token), true);
  }

  reportProactive(id: string, event: 'shown' | 'opened' | 'dismissed'): void {
    this.#guard(undefined, () => {
      if (event !== 'shown' && event !== 'opened' && event !== 'dismissed') return void this.#report('invalid_input', 'event must be shown, opened or dismissed');
      void this.#leader('proactive', [id, event], () => this.#proactiveEvent(id, event));
    });
  }

  replyProactive(id: string, message: OutgoingMessage): string | null {
    return this.#guard(null, () => {
      const prompt = this.#store.state.proactive.find((p) => p.id === id);
      if (!prompt) {
        this.#report('not_found_locally', `no proactive prompt ${id}`);
        return null;
      }
      const threadId = this.#env.uuid();
      const now = new Date(this.#env.now()).toISOString();
      this.#store.dispatch({ type: 'localThread', thread: { ...emptyThread(threadId, now), campaign: prompt.campaign } });
      const clientId = this.#queue(threadId, message, { proactiveId: id });
      if (!clientId) return null;
      void this.#leader('proactive', [id, 'replied'], () => this.#proactiveEvent(id, 'replied'));
      return threadId;
    });
  }

  attachmentUrl(attachment: Attachment): Promise<string | null> {
    return this.#conversing(null, (c) => c.attachmentUrl(attachment), true);
  }

  pendingFileUrl(clientId: string, index: number): Promise<string | null> {
    return this.#conversing(null, (c) => c.pendingFileUrl(clientId, index), true);
  }

  async shutdown(): Promise<void> {
    if (this.#destroyed) return;
    try {
      this.#tabs.post({ k: 'shutdown' });
      const local = this.#local;
      const token = this.#meta.token;
      this.destroy();
      this.#store.dispatch({ type: 'reset' });
      if (local) {
        this.#logout(token ?? (await this.#storage?.get<Meta>('meta'))?.token);
        await local.flush();
        await local.clear();
      } else {
        // Never started (consent pending): a previous visit's data may still be stored.
        const [stored] = chooseStorage(this.#options.storage, this.#o.appId, this.#env);
        if (stored) {
          this.#logout((await stored.get<Meta>('meta'))?.token);
          await stored.clear();
        }
      }
    } catch (err) {
      this.#report('storage_failed', `could not erase local data: ${String(err)}`);
    }
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#outbox.stop();
    this.#resume.stop();
    this.#conversation.stop();
    this.#prompts.stop();
    this.#conn.close();
    this.#tabs.stop();
    this.#readyResolve();
    this.#store.dispatch({ type: 'connection', state: 'idle', error: null });
    this.#store.dispatch({ type: 'status', status: 'destroyed' });
    this.#store.clearListeners();
    this.#events.clear();
  }

  /**
   * Revoke the visitor's session on the server (`DELETE /v1/session`), so a copy of the token
   * taken earlier stops working too. Sent with `keepalive` (it survives the page going away) and
   * not awaited; offline, the session simply expires at the end of its term.
   */
  #logout(token: string | undefined): void {
    if (!token || !this.#env.http.logout) return;
    this.#env.http.logout(`${this.#o.serverUrl}/v1/session`, token).catch(() => {
      // Nobody is left to tell (the client is destroyed); the server lets the session expire.
    });
  }

  // ---- boot ----

  async #boot(): Promise<void> {
    this.#store.dispatch({ type: 'status', status: 'starting' });
    const { storage, local, mode } = openStorage(this.#options.storage, this.#o.appId, this.#env, (reason, error, memory) => this.#fellBack(reason, error, memory));
    this.#storage = storage;
    this.#local = local;
    if (!storage.fellBack) this.#store.dispatch({ type: 'storage', mode });
    const { loaded, pages } = await readDevice(storage, local, this.#o.pageSize);
    // Applying what the device holds (the store's derivation, the launcher's badge, `ready`
    // listeners, joining the tabs) is a task of its own, not the tail of the last read's. From
    // here to the role, one task: a tab must never look `ready` and solo while it will follow.
    await this.#env.yieldToPage();
    if (this.#destroyed) return;
    this.#meta = loaded.meta;
    this.#storedPrompts = loaded.proactive;
    this.#store.dispatch({
      type: 'hydrate',
      threads: loaded.threads.map((t) => ({ thread: t.thread, heldSeq: t.heldSeq, local: false, loadingOlder: false })),
      messages: pages,
      outbox: loaded.outbox,
      proactive: [],
    });
    this.#adoptLocalThreads(loaded.outbox);
    // Entries whose message is already held (acked, but the tab closed before the delete).
    for (const e of loaded.outbox) if (!this.#store.state.outbox[e.clientId]) this.#outbox.settled(e.clientId, e.files);
    this.#store.dispatch({ type: 'status', status: 'ready' });
    this.#readyResolve();
    this.#events.emit('ready', { snapshot: this.getSnapshot() });
    // Prompts kept from an earlier page: their code loads only when there are some.
    if (loaded.proactive.prompts.length) void this.#prompts.get().then((u) => u?.restore());

    const env = this.#env;
    const shared = mode !== 'memory' && !storage.fellBack;
    if (this.#o.multiTab && shared && env.locks && env.channel) {
      this.#store.dispatch({ type: 'role', role: 'follower' });
      this.#store.dispatch({ type: 'connection', state: 'following', error: null });
      this.#tabs.join(`threadline:${this.#o.appId}`, env.locks, env.channel, () => this.#lead('leader'));
    } else {
      this.#lead('solo');
    }
  }



  /** Outbox entries of threads that never reached the server: show their threads as local. */
  #adoptLocalThreads(entries: OutboxEntry[]): void {
    for (const e of entries) {
      if (!this.#store.state.threads[e.threadId]) {
        this.#store.dispatch({ type: 'localThread', thread: emptyThread(e.threadId, new Date(e.queuedAt).toISOString()) });
      }
    }
  }

  #lead(role: 'leader' | 'solo'): void {
    if (this.#destroyed) return;
    this.#store.dispatch({ type: 'role', role });
    this.#tabs.takeOver();
    if (role === 'leader') {
      // Hand-over: entries other tabs stored (or the old leader left unsent) are in storage.
      void this.#local!.load().then((loaded) => {
        if (this.#destroyed) return;
        this.#adoptLocalThreads(loaded.outbox);
        this.#outbox.adopt(loaded.outbox.filter((e) => !this.#store.state.outbox[e.clientId]));
      });
    }
    const factory = this.#options.transport ?? this.#defaultTransport;
    if (!factory) {
      this.#report('internal_client', 'no transport: pass `transport` (createBareClient has no default)');
      return;
    }
    this.#conn.open(factory);
  }

  #auth(): VisitorAuth {
    const id = this.#o.identity;
    const auth: VisitorAuth = { appId: this.#o.appId, v: PROTOCOL_VERSION };
    if (this.#meta.token) auth.token = this.#meta.token;
    if (id?.userId) Object.assign(auth, { userId: id.userId, userHash: id.userHash });
    if (id?.jwt) auth.jwt = id.jwt;
    if (id?.name) auth.name = id.name;
    if (id?.email) auth.email = id.email;
    return auth;
  }

  /** Another person signed in on this device: the previous user's threads must not show. */
  async #adopt(session: Session): Promise<void> {
    const previousUser = this.#meta.userId ?? null;
    if (previousUser && session.userId !== previousUser) {
      this.#store.dispatch({ type: 'reset' });
      await this.#local!.clear();
      this.#tabs.post({ k: 'action', action: { type: 'reset' } });
    }
    this.#meta = { ...this.#meta, token: session.token, visitorId: session.visitorId, userId: session.userId };
    void this.#local!.putMeta({ token: session.token, visitorId: session.visitorId, userId: session.userId });
    // The view is the session without what the client keeps to itself (the token, the protocol).
    const { token: _token, protocol: _protocol, ...view } = session;
    this.#store.dispatch({ type: 'session', session: view });
  }

  /** Connected: what waited for a session goes (`fresh`), then catch up and send the outbox. */
  async #live(fresh: boolean): Promise<void> {
    // At once, before anything else can see `connected`: what waited goes ahead of newer events.
    if (fresh) {
      this.#presence.flush();
    }
    // The catch-up in a task of its own, not the tail of the one that took the session in.
    await this.#env.yieldToPage();
    if (this.#destroyed) return;
    await this.#resume.sync();
    this.#outbox.resume();
  }

  #onServer(e: ServerEvent): void {
    switch (e.name) {
      case 'message':
        return this.#resume.apply(e.payload.threadId, [e.payload]);
      case 'thread':
        this.#store.dispatch({ type: 'threads', threads: [e.payload] });
        return this.#persistThreads([e.payload.id]);
      case 'read':
        this.#store.dispatch({ type: 'read', event: e.payload });
        return this.#persistThreads([e.payload.threadId]);
      case 'typing':
        // Only the brand's typing shows; its code comes with the conversation's (loaded now if
        // the shopper has not opened one in this page yet: a reply is on its way).
        if (e.payload.author.kind !== 'visitor') void this.#conversing(undefined, (c) => c.showTyping(e.payload));
        return;
      case 'proactive':
        return this.#offer([e.payload]);
      case 'availability': {
        // In the session view: mirrored to the other tabs, and forgotten with the connection.
        const session = this.#store.state.session;
        if (session) this.#store.dispatch({ type: 'session', session: { ...session, agentsOnline: !!e.payload.agentsOnline } });
      }
    }
  }

  /** The server refused the stored token (key rotated, revoked): forget it, connect as a new visitor. */
  #dropToken(): boolean {
    if (!this.#meta.token) return false;
    const { token: _dropped, ...rest } = this.#meta;
    this.#meta = rest;
    void this.#local?.putMeta({ token: undefined });
    return true;
  }

  #record(threadId: string): StoredThread | undefined {
    const e = this.#store.state.threads[threadId];
    return e && !e.local ? { thread: e.thread, heldSeq: e.heldSeq } : undefined;
  }

  #persistThreads(ids: string[]): void {
    const local = this.#local;
    if (!local || !this.#isLeader()) return;
    void local.putThreads(ids.flatMap((id) => this.#record(id) ?? []));
  }

  // ---- outbox ----

  #queue(threadId: string, message: OutgoingMessage, extra: { proactiveId?: string }): string | null {
    const state = this.#store.state;
    const checked = checkOutgoing(message, state, this.#o.maxQueuedFileBytes);
    if ('code' in checked) {
      this.#report(checked.code, checked.message, { threadId });
      return null;
    }
    const thread = state.threads[threadId];
    const clientId = this.#env.uuid();
    const now = this.#env.now();
    if (!thread) this.#store.dispatch({ type: 'localThread', thread: emptyThread(threadId, new Date(now).toISOString()) });
    const { text, files } = checked;
    const entry: OutboxEntry = {
      clientId,
      threadId,
      create: !thread || thread.local,
      text,
      // Kept as given, undefined when absent (fewer bytes than leaving them out): the sender sends
      // only those that are set.
      quickReply: message.quickReply,
      handoff: message.handoff,
      form: message.form,
      proactiveId: extra.proactiveId,
      files: files.map((f, index) => ({
        index,
        name: fileName(f, index),
        mime: f.type || 'application/octet-stream',
        size: f.size,
        ...(message.durations?.[index] !== undefined ? { durationMs: message.durations[index] } : {}),
        attachment: null,
      })),
      queuedAt: now,
      attempts: 0,
      nextAttemptAt: now,
      failed: false,
      error: null,
    };
    void this.start();
    const stored = this.#outbox.add(entry, files, this.#ready);
    if (this.#role() === 'follower') void stored.then(() => this.#tabs.post({ k: 'outbox', clientId }));
    return clientId;
  }

  // ---- small requests ----

  /** `consent: false` and nothing has started the client yet: nothing may be stored or sent. */
  #consentPending(): boolean {
    return this.#started === null;
  }

  // ---- proactive ----

  /** Prompts from the server: most sessions bring none, and then their code is never loaded. */
  #offer(prompts: ProactiveMessage[]): void {
    if (prompts.length) void this.#prompts.get().then((u) => u?.offer(prompts));
  }

  async #proactiveEvent(id: string, event: ProactiveEvent | 'fire'): Promise<void> {
    await (await this.#prompts.get())?.event(id, event);
  }

  // ---- tabs ----

  #role() {
    return this.#store.state.role;
  }

  #isLeader(): boolean {
    return this.#role() !== 'follower';
  }

  /** Leader: a follower tab's command, run here. */
  async #run(call: TabCall): Promise<unknown> {
    switch (call.name) {
      case 'retry':
        return this.retry(...call.args);
      case 'discard':
        return this.discard(...call.args);
      case 'identify':
        return this.identify(...call.args);
      case 'context':
        return this.#presence.send(call.args[0]);
      case 'track':
        return this.#presence.track(...call.args);
      case 'proactive':
        return this.#proactiveEvent(...call.args);
      default:
        return this.#conversing(undefined, (c) => c.run(call));
    }
  }

  /** Run `fn` here when this tab holds the socket, or in the leader tab. */
  async #leader<K extends TabCommand, T>(name: K, args: TabCommands[K], fn: () => Promise<T> | T): Promise<T | undefined> {
    await this.start();
    await this.#ready;
    if (this.#destroyed) return undefined;
    // This page's `track` and `updateContext` calls, for its page campaigns' triggers; its tracked
    // events are kept too (the newest 20), for triggers that load after them (page-load events).
    if (name == 'track' && this.#tracked.push(args as TabCommands['track']) > 20) this.#tracked.shift();
    this.#prompts.current?.heard(name, args);
    if (this.#role() === 'follower') return (await this.#tabs.call(name, args)) as T | undefined;
    return fn();
  }

  // ---- units loaded on demand ----

  /**
   * Run `fn` with the conversation unit (after start when `started`). Once the unit is loaded it
   * runs at once, as before the split; the first call waits for its code.
   */
  #conversing<T>(fallback: T, fn: (c: Conversation) => T | Promise<T>, started = false): Promise<T> {
    return this.#guardAsync(fallback, async () => {
      if (started) {
        await this.start();
        await this.#ready;
      }
      const c = this.#conversation.current ?? (await this.#conversation.get());
      return c && !this.#destroyed ? fn(c) : fallback;
    });
  }

  // ---- storage fallback ----

  #fellBack(reason: StorageFallbackReason, error: unknown, memory: StorageAdapter): void {
    this.#store.dispatch({ type: 'storage', mode: 'memory' });
    seedMemory(memory, this.#store.state, this.#meta);
    if (this.#fallbackReported) return;
    this.#fallbackReported = true;
    this.#events.emit('storageFallback', { reason, error: fallbackError(reason, error) });
    // Tabs can no longer share a store: this tab goes its own way (socket of its own; server-side
    // dedupe keeps the overlap correct), and a leader lets another tab lead the shared store.
    const role = this.#role();
    if (role === 'solo') return;
    this.#tabs.leave();
    if (role === 'follower') this.#lead('solo');
    else this.#store.dispatch({ type: 'role', role: 'solo' });
  }

  // ---- plumbing ----

  async #token(): Promise<string | undefined> {
    if (this.#meta.token) return this.#meta.token;
    const meta = await this.#storage?.get<Meta>('meta');
    return meta?.token;
  }

  #report(code: ClientError['code'], message: string, extra: Partial<ClientError> = {}): void {
    this.#events.emit('error', { code, message, ...extra });
  }

  #guard<T>(fallback: T, fn: () => T): T {
    if (this.#destroyed) return fallback;
    try {
      return fn();
    } catch (err) {
      this.#report('internal_client', String((err as Error)?.stack ?? err));
      return fallback;
    }
  }

  async #guardAsync<T>(fallback: T, fn: () => Promise<T>): Promise<T> {
    if (this.#destroyed) return fallback;
    try {
      return await fn();
    } catch (err) {
      this.#report('internal_client', String((err as Error)?.stack ?? err));
      return fallback;
    }
  }
}
