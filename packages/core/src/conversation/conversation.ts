/**
 * What a visitor does in an open conversation besides writing: older pages, read receipts,
 * typing, ratings and attachment downloads. Loaded on the first of these (see `units.ts`); the
 * client hands each call here, and the leader tab runs its followers' commands through `run`.
 */
import type { Attachment } from '@threadline/protocol';
import type { Host } from '../host.js';
import type { Unit } from '../lazy.js';
import { fetchOlder, loadOlder } from './history.js';
import { Typing } from './typing.js';

export class Conversation implements Unit {
  readonly #host: Host;
  readonly #typing: Typing;

  constructor(host: Host) {
    this.#host = host;
    this.#typing = new Typing(host);
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

  /** Leader: rate the thread; the server answers with the thread and a rating message. */
  async rate(threadId: string, score: number, comment?: string): Promise<void> {
    const res = await this.#host.request('thread.rate', { threadId, score, ...(comment ? { comment } : {}) });
    if (!res) return;
    this.#host.store.dispatch({ type: 'threads', threads: [res.thread] });
    this.#host.applyServerMessages(threadId, [res.message]);
  }

  async attachmentUrl(attachment: Attachment): Promise<string | null> {
    const { env, options } = this.#host;
    const token = await this.#host.token();
    if (!token) return this.#failed('unauthorized', 'no visitor session yet');
    let res: { status: number; blob: Blob | null };
    try {
      res = await env.http.download(`${options.serverUrl}${attachment.url}`, token);
    } catch (err) {
      return this.#failed('network', `file download failed: ${String(err)}`);
    }
    if (!res.blob) return this.#failed(res.status === 404 ? 'not_found' : res.status === 401 ? 'unauthorized' : 'internal', `file download failed (${res.status})`);
    return URL.createObjectURL(res.blob);
  }

  /** Leader: a follower tab's command (see `loadOlder`, `markRead`, the client's `setTyping`, `rate`). */
  run(name: string, args: unknown[]): Promise<unknown> | undefined {
    // Arguments come from our own follower code (same build), typed at the call site.
    const a = args as [never, never, never];
    switch (name) {
      case 'typing':
        return void this.typing(a[0], a[1]);
      case 'fetchOlder':
        return fetchOlder(this.#host, a[0], a[1], a[2]);
      case 'markRead':
        this.#read(a[0], a[1]);
        return this.#host.request('thread.read', { threadId: a[0], seq: a[1] }).then(() => undefined);
      case 'rate':
        return this.rate(a[0], a[1], a[2]);
      default:
        return undefined;
    }
  }

  stop(): void {
    this.#typing.stop();
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
