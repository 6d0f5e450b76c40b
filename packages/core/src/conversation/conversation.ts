/**
 * What a visitor does in an open conversation besides writing: older pages, read receipts,
 * typing, ratings and attachment downloads. Loaded on the first of these (see `units.ts`); the
 * client hands each call here, and the leader tab runs its followers' commands through `run`.
 */
import type { Attachment, Availability, TypingEvent } from '@threadline/protocol';
import { backoffDelay } from '../backoff.js';
import type { Host } from '../host.js';
import type { TabCall } from '../tabs/messages.js';
import type { ClientError, NotifyEmailResult } from '../types.js';
import type { Unit } from '../lazy.js';
import { fetchOlder, loadOlder } from './history.js';
import { ShownTyping, Typing } from './typing.js';

/** Tries of one attachment download before it is reported as failed (see `attachmentUrl`). */
const DOWNLOAD_ATTEMPTS = 6;
/** Tries of one continue link before it is reported as failed (see `attachThread`). */
const ATTACH_ATTEMPTS = 5;

export class Conversation implements Unit {
  readonly #host: Host;
  readonly #typing: Typing;
  readonly #shown: ShownTyping;
  #stopped = false;
  /** Downloads waiting for the connection: released on stop. */
  #waiters = new Set<() => void>();

  constructor(host: Host) {
    this.#host = host;
    this.#typing = new Typing(host);
    this.#shown = new ShownTyping(host);
  }

  loadOlder(threadId: string): Promise<boolean> {
    return loadOlder(this.#host, threadId);
  }

  /** Read up to the newest message: at once in this tab, then on the server through the leader. */
  async markRead(threadId: string): Promise<void> {
    const entry = this.#host.store.state.threads[threadId];
    if (!entry || entry.local) return;
    const seq = entry.thread.lastSeq;
    if (seq <= entry.thread.visitorReadSeq) return;
    this.#read(threadId, seq);
    await this.#host.leader('markRead', [threadId, seq], () => this.#host.request('thread.read', { threadId, seq }));
  }

  /** Leader: report typing on the socket (throttled); `at` is when the visitor typed. */
  typing(threadId: string, typing: boolean, at?: number): void {
    this.#typing.set(threadId, typing, at);
  }

  /** The brand is typing in a thread (a server event): shown for a while. */
  showTyping(event: TypingEvent): void {
    this.#shown.set(event);
  }

  /** Leader: rate the thread; the server answers with the thread and a rating message. */
  async rate(threadId: string, score: number, comment?: string): Promise<void> {
    const res = await this.#host.request('thread.rate', { threadId, score, ...(comment ? { comment } : {}) });
    if (!res) return;
    this.#host.store.dispatch({ type: 'threads', threads: [res.thread] });
    this.#host.applyServerMessages(threadId, [res.message]);
  }

  /** `client.setNotifyEmail`: run by the tab holding the socket. */
  async setNotifyEmail(email: string | null): Promise<NotifyEmailResult> {
    const res = await this.#host.leader('notifyEmail', [email], () => this.#notifyEmail(email));
    // A follower whose leader did not answer in time: nothing is known to have changed.
    return res ?? { ok: false, error: { code: 'timeout', message: 'no tab holding the connection answered' } };
  }

  /**
   * `client.attachThread`: once connected, the tab holding the socket exchanges an email's continue
   * token for its thread (`thread.attach`); the thread and its newest messages are applied (and
   * stored) like a sync's, in every tab. Any failure but a refusal of the link (`not_found`,
   * `bad_request`) — the connection dropped or the answer timed out, the server busy — is tried
   * again once connected, with backoff, up to `ATTACH_ATTEMPTS` times: a shopper who followed the
   * link must land in their conversation, not in an empty one. The thread id, or null (reported).
   */
  async attachThread(token: string): Promise<string | null> {
    for (let attempt = 1; ; attempt++) {
      await this.#connected();
      if (this.#stopped) return null;
      // No answer: a follower whose leader did not answer in time, worth another try.
      const res = (await this.#host.leader('attach', [token], () => this.#attach(token))) ?? { code: 'timeout', message: 'no tab holding the connection answered' };
      if (typeof res === 'string') return res;
      if (res.code === 'not_found' || res.code === 'bad_request' || attempt >= ATTACH_ATTEMPTS) {
        this.#host.error(res);
        return null;
      }
      await this.#pause(attempt);
    }
  }

  /** Leader: `thread.attach`; the thread id, or the error (not reported: the caller may try again). */
  async #attach(token: string): Promise<string | ClientError> {
    const t = this.#host.transport();
    const res = t?.connected ? await t.request('thread.attach', { token }, this.#host.options.ackTimeoutMs) : null;
    if (!res?.ok) return res ? { ...res.error } : { code: 'network', message: 'not connected' };
    this.#host.store.dispatch({ type: 'threads', threads: [res.thread] });
    this.#host.persistThreads([res.thread.id]);
    this.#host.applyServerMessages(res.thread.id, res.messages, false);
    return res.thread.id;
  }

  /** Waits before try `attempt + 1` of a download or a continue link (backoff with jitter). */
  #pause(attempt: number): Promise<void> {
    return new Promise((resolve) => this.#host.env.setTimeout(resolve, backoffDelay(attempt, this.#host.options.policy, this.#host.env.random())));
  }

  /** `client.availability`: run by the tab holding the socket; the ack without its `ok`. */
  async availability(): Promise<Availability | null> {
    const res = await this.#host.leader('availability', [], () => this.#host.request('availability.get', {}));
    if (!res) return null;
    const { ok: _ok, ...availability } = res as Availability & { ok?: true };
    return availability;
  }

  /**
   * Leader: `notify.email.set`. The server is the judge of an address (it answers
   * `email_invalid`); only what cannot be one is refused here, so a typo costs no round trip.
   */
  async #notifyEmail(email: string | null): Promise<NotifyEmailResult> {
    const { store, options } = this.#host;
    const fail = (error: ClientError): NotifyEmailResult => {
      this.#host.error(error);
      return { ok: false, error };
    };
    const value = email === null ? null : String(email).trim();
    if (value !== null && (value.length > 254 || !/^[^\s@]+@[^\s@]+$/.test(value))) return fail({ code: 'email_invalid', message: 'must be an email address' });
    const t = this.#host.transport();
    if (!t?.connected) return fail({ code: 'network', message: 'not connected: the address was not saved' });
    const res = await t.request('notify.email.set', { email: value }, options.ackTimeoutMs);
    if (!res.ok) return fail({ ...res.error });
    const session = store.state.session;
    if (session) store.dispatch({ type: 'session', session: { ...session, notifyEmail: res.email } });
    return { ok: true, email: res.email };
  }

  /**
   * An object URL for an attachment, downloaded with the visitor's token. A failure that may pass
   * (no session yet, network, 429, 5xx) is tried again — after the connection is back, with
   * backoff, up to `DOWNLOAD_ATTEMPTS` times — so a picture asked for during an outage appears
   * once the network does, instead of never. null after a permanent failure (reported).
   */
  async attachmentUrl(attachment: Attachment): Promise<string | null> {
    const own = this.#host.sentFile(attachment.id);
    if (own) return URL.createObjectURL(own);
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.#download(attachment);
      if (outcome.ok) return URL.createObjectURL(outcome.blob);
      if (!outcome.transient || attempt >= DOWNLOAD_ATTEMPTS || this.#stopped) return this.#failed(outcome.code, outcome.message);
      await this.#connected();
      await this.#pause(attempt);
      if (this.#stopped) return null;
    }
  }

  /** A file of a message not sent yet: the page's copy, or the stored one after a reload. */
  async pendingFileUrl(clientId: string, index: number): Promise<string | null> {
    const blob = this.#host.file(clientId, index) ?? (await this.#host.local.getBlob(clientId, index));
    return blob ? URL.createObjectURL(blob) : null;
  }

  async #download(attachment: Attachment): Promise<
    { ok: true; blob: Blob } | { ok: false; transient: boolean; code: 'unauthorized' | 'network' | 'not_found' | 'internal'; message: string }
  > {
    const { env, options } = this.#host;
    const token = await this.#host.token();
    if (!token) return { ok: false, transient: true, code: 'unauthorized', message: 'no visitor session yet' };
    let res: { status: number; blob: Blob | null };
    try {
      res = await env.http.download(`${options.serverUrl}${attachment.url}`, token);
    } catch (err) {
      return { ok: false, transient: true, code: 'network', message: `file download failed: ${String(err)}` };
    }
    if (res.blob) return { ok: true, blob: res.blob };
    const code = res.status === 404 ? 'not_found' : res.status === 401 ? 'unauthorized' : 'internal';
    return { ok: false, transient: res.status === 0 || res.status === 429 || res.status >= 500, code, message: `file download failed (${res.status})` };
  }

  /** Resolves when the client is connected (at once if it is), or when this unit stops. */
  #connected(): Promise<void> {
    const { store } = this.#host;
    const up = () => this.#stopped || store.state.connection === 'connected' || store.state.connection === 'following';
    if (up()) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        off();
        this.#waiters.delete(done);
        resolve();
      };
      const off = store.subscribe(() => up() && done());
      this.#waiters.add(done);
    });
  }

  /** Leader: a follower tab's command (see `loadOlder`, `markRead`, the client's `setTyping`, `rate`). */
  run(call: TabCall): Promise<unknown> | undefined {
    switch (call.name) {
      case 'typing':
        return void this.typing(...call.args);
      case 'fetchOlder':
        return fetchOlder(this.#host, ...call.args);
      case 'markRead': {
        const [threadId, seq] = call.args;
        this.#read(threadId, seq);
        return this.#host.request('thread.read', { threadId, seq }).then(() => undefined);
      }
      case 'rate':
        return this.rate(...call.args);
      case 'notifyEmail':
        return this.#notifyEmail(...call.args);
      case 'availability':
        return this.#host.request('availability.get', {});
      case 'attach':
        return this.#attach(...call.args);
      default:
        return undefined;
    }
  }

  stop(): void {
    this.#stopped = true;
    this.#typing.stop();
    this.#shown.stop();
    for (const w of [...this.#waiters]) w();
  }

  #read(threadId: string, seq: number): void {
    this.#host.store.dispatch({ type: 'read', event: { threadId, seq, by: 'visitor' } });
    this.#host.persistThreads([threadId]);
  }

  #failed(code: 'unauthorized' | 'network' | 'not_found' | 'internal', message: string): null {
    this.#host.error({ code, message });
    return null;
  }
}
