import type { Message, Thread } from '@threadline/protocol';
import { ServerError } from '../errors.js';
import type { NotificationStore } from '../store/notification-store.js';
import type { Principal } from '../store/sql-store.js';
import type { LinkSigner } from './link-signer.js';

/** Threads one visitor may hold from continue links; opening another drops the oldest. */
export const MAX_ATTACHED = 20;
/** Newest messages `thread.attach` answers with; older ones come by `messages.list`. */
const FIRST_PAGE = 50;

export interface ContinueDeps {
  store: NotificationStore;
  signer: LinkSigner;
  /** The thread as the visitor's client sees it, and a page of its newest messages. */
  view(threadId: string, p: Principal): Promise<{ thread: Thread; messages: Message[] }>;
  now?: () => number;
}

/** The ids kept in `visitors.attached_threads` (JSON), tolerating a hand-edited value. */
export function attachedThreads(json: string | null | undefined): string[] {
  if (!json) return [];
  try {
    const ids = JSON.parse(json) as unknown;
    return Array.isArray(ids) ? ids.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return []; // written only by `attach`: a value that does not parse holds nothing usable
  }
}

/**
 * The continue link of an email ("Continue the conversation"): it opens the brand's page with
 * `#tl-continue=<token>`, and the widget there sends `thread.attach`. The token (signed,
 * expiring, see `LinkSigner.continueToken`) names one email, so one thread: that thread is
 * added to this visitor's attached threads, and the visitor may read and write in it from then
 * on — nothing else of the thread's owner. A bad, expired or foreign token is `not_found`.
 */
export class ContinueLinks {
  constructor(private readonly d: ContinueDeps) {}

  async attach(p: Principal, token: string): Promise<{ thread: Thread; messages: Message[]; attached: string[] }> {
    const now = (this.d.now ?? Date.now)();
    const id = this.d.signer.openContinueToken(token, now);
    const sent = id ? await this.d.store.get(id) : undefined;
    // Refused alike whatever the reason, so a token cannot be probed for which part failed.
    if (!sent || sent.app_id !== p.appId) throw new ServerError('not_found', 'this link is not valid or has expired');
    const thread = await this.d.store.thread(sent.thread_id);
    if (!thread) throw new ServerError('not_found', 'this link is not valid or has expired');
    const visitor = await this.d.store.visitor(p.visitorId);
    const before = attachedThreads(visitor?.attached_threads);
    const own = thread.visitor_id === p.visitorId || (thread.user_id !== null && thread.user_id === p.userId);
    const attached = own ? before : [...before.filter((t) => t !== thread.id), thread.id].slice(-MAX_ATTACHED);
    if (!own && attached.join() !== before.join()) await this.d.store.setAttachedThreads(p.visitorId, JSON.stringify(attached));
    const view = await this.d.view(thread.id, { ...p, threads: attached });
    return { ...view, attached };
  }
}
