import nodemailer, { type Transporter } from 'nodemailer';
import type { Kysely } from 'kysely';
import type { Database, MessagesTable, ThreadsTable, VisitorsTable } from '../db/schema.js';
import type { NotificationsConfig } from '../config.js';
import { DEFAULT_NOTIFY_DELAY_MS } from '../config.js';
import type { Job, JobWorker } from '../jobs/worker.js';
import type { NotificationStore } from '../store/notification-store.js';
import type { WebhookDispatcher } from '../webhooks/dispatcher.js';
import { toMessage } from '../store/rows.js';
import { presenceRooms } from '../realtime/rooms.js';
import type { Presence } from '../cluster/presence.js';
import type { VisitorContext } from '@threadline/protocol';
import { composeDigest, digestLocale } from './digest.js';
import type { LinkSigner } from './link-signer.js';
import { isOriginAllowed } from '../http/origins.js';

/** The job kind of a thread's pending email. */
export const NOTIFY_JOB = 'notify.email';

/** Messages one email carries at most; more wait for the next one. */
const DIGEST_MAX = 50;
/** Earlier emails of the thread named in `References`. */
const REFERENCES_MAX = 20;

const DAY = 24 * 60 * 60 * 1000;

interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Why a run of a thread's email job sent nothing (logged at info), or `sent` / `failed`. */
export type NotifyOutcome = 'sent' | 'failed' | 'no_address' | 'unsubscribed' | 'read' | 'online' | 'gone';

export interface NotifierOptions {
  config: NotificationsConfig & { smtpUrl: string };
  store: NotificationStore;
  jobs: JobWorker;
  webhooks: Pick<WebhookDispatcher, 'enqueueEach' | 'kick'>;
  presence: Pick<Presence, 'online'>;
  signer: LinkSigner;
  /** This server as the shopper reaches it (links in the email). */
  publicUrl: () => string;
  log: Logger;
  /** Hears every run's outcome (tests, metrics). */
  onOutcome?: (outcome: NotifyOutcome, threadId: string) => void;
}

/** The From address's domain part, which also names our Message-IDs. */
function domainOf(address: string): string {
  const m = /@([^>\s]+)>?\s*$/.exec(address);
  return m ? m[1]!.toLowerCase() : 'localhost';
}

/** The address alone from `Name <a@b>` or `a@b`. */
function bareAddress(from: string): string {
  const m = /<([^>]+)>/.exec(from);
  return (m ? m[1]! : from).trim();
}

/** `Local@Example.COM` → `Local@example.com`: the domain is case-insensitive, the local part is kept as given. */
export function normalizeEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return `${email.slice(0, at)}@${email.slice(at + 1).toLowerCase()}`;
}

/** An SMTP error whose reply code is 5xx: the relay refused for good (no such mailbox, policy). */
export function isPermanentSmtpError(err: unknown): boolean {
  const code = Number((err as { responseCode?: unknown }).responseCode);
  return Number.isInteger(code) && code >= 500 && code < 600;
}

/**
 * Email notifications, outbound: when the brand writes in a thread, a job is written in the same
 * transaction (one waiting job per thread, due after the delay); when it runs it checks again
 * whether there is anything to send (an address, not unsubscribed, messages still unread, the
 * visitor still away), and sends one digest of the brand's messages since the last email.
 *
 * Delivery: at least once. The email's Message-ID is the job's id, so a run repeated after its
 * node died between the relay's acceptance and the record sends an email with the same
 * Message-ID, which mail clients show once. A 4xx (or no answer) from the relay is retried with
 * the job worker's backoff; a 5xx, or the last attempt, gives up: recorded as `failed` with a
 * `notification.failed` webhook. A sent email records `notification.sent`.
 */
export class EmailNotifier {
  readonly #transport: Transporter;
  readonly #delayMs: number;
  readonly #from: string;

  constructor(private readonly o: NotifierOptions) {
    // Every wait well inside the job's 30 s lease: a relay that hangs fails this run (retried
    // with backoff) rather than outliving the lease and being sent again by another node.
    this.#transport = nodemailer.createTransport({ url: o.config.smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 15_000 });
    this.#delayMs = o.config.delayMs ?? DEFAULT_NOTIFY_DELAY_MS;
    this.#from = bareAddress(o.config.from ?? `notifications@${o.config.inboundDomain ?? 'localhost'}`);
    o.jobs.handle(NOTIFY_JOB, (job) => this.#run(job as Job<{ threadId: string }>));
  }

  get delayMs(): number {
    return this.#delayMs;
  }

  /**
   * Inside the transaction of brand messages: the thread's email job, due after the delay, unless
   * one is already waiting (which will carry these messages too).
   */
  async enqueue(trx: Kysely<Database>, thread: ThreadsTable, messages: MessagesTable[]): Promise<void> {
    if (!messages.some((m) => m.author_kind === 'agent' || m.author_kind === 'bot')) return;
    await this.o.jobs.add(NOTIFY_JOB, { threadId: thread.id }, { runAt: Date.now() + this.#delayMs, dedupeKey: `notify:${thread.id}`, within: trx });
  }

  /** After the transaction of `enqueue` committed: this node looks for the job when it is due. */
  committed(): void {
    this.o.jobs.wake(Date.now() + this.#delayMs);
  }

  /**
   * `notify.email.set`: the visitor's own address (domain in lower case), or null to remove it.
   * Giving an address again is consent again: an earlier unsubscribe of it from the app is lifted.
   */
  async setVisitorEmail(p: { appId: string; visitorId: string }, email: string | null): Promise<string | null> {
    const normalized = email === null ? null : normalizeEmail(email);
    await this.o.store.setVisitorEmail(p.visitorId, normalized);
    if (normalized) await this.o.store.unsuppress(p.appId, normalized);
    return normalized;
  }

  /** Where this visitor's emails go: its own address, else its user's when the app opted in, else null. */
  async addressOf(visitor: VisitorsTable): Promise<string | null> {
    if (visitor.notify_email) return visitor.notify_email;
    if (visitor.user_id && visitor.email && (await this.o.store.identifiedOptIn(visitor.app_id))) return visitor.email;
    return null;
  }

  /**
   * "Continue the conversation": the page the visitor was last on (its context), when it is on an
   * origin the app allows, else the app's first allowed origin; with `#tl-continue=<token>`, which
   * the widget there reads, exchanges for the thread (`thread.attach`) and removes from the address
   * bar. A fragment never reaches the brand's server or its logs. null when the app allows any
   * origin and the visitor's page is unknown: there is no page to point at.
   */
  async #continueUrl(appId: string, context: VisitorContext, notificationId: string, exp: number): Promise<string | null> {
    const origins = await this.o.store.allowedOrigins(appId);
    let page: URL | null = null;
    try {
      const u = new URL(context.page?.url ?? '');
      if ((u.protocol === 'https:' || u.protocol === 'http:') && isOriginAllowed(origins, u.origin)) page = u;
    } catch {
      // No page in the context, or not a URL: the app's site below.
    }
    const site = origins.find((o) => o !== '*');
    page ??= site ? new URL(`${site}/`) : null;
    if (!page) return null;
    page.hash = `tl-continue=${this.o.signer.continueToken(notificationId, exp)}`;
    return page.href;
  }

  async close(): Promise<void> {
    this.#transport.close();
  }

  #outcome(outcome: NotifyOutcome, threadId: string, extra: object = {}): void {
    // A failure is a warning (logged at the default level); the rest is routine.
    const level = outcome === 'failed' ? 'warn' : 'info';
    this.o.log[level]({ threadId, outcome, ...extra }, `email notification: ${outcome}`);
    this.o.onOutcome?.(outcome, threadId);
  }

  async #run(job: Job<{ threadId: string }>): Promise<void | { postponeTo: number }> {
    const { store } = this.o;
    const threadId = job.payload.threadId;
    const thread = await store.thread(threadId);
    const visitor = thread && (await store.visitor(thread.visitor_id));
    if (!thread || !visitor) return this.#outcome('gone', threadId);
    const email = await this.addressOf(visitor);
    if (!email) return this.#outcome('no_address', threadId);
    if (thread.notify_off || (await store.suppressed(thread.app_id, email))) return this.#outcome('unsubscribed', threadId);
    const after = Math.max(Number(thread.visitor_read_seq), Number(thread.notify_sent_seq));
    const rows = await store.brandMessagesAfter(thread.id, after, DIGEST_MAX);
    if (!rows.length) return this.#outcome('read', threadId);
    // Online on any device (the user's, once identified): the widget shows the messages. Asked
    // again a delay later, until they are read or the visitor has gone.
    const rooms = presenceRooms({ appId: thread.app_id, visitorId: visitor.id, userId: thread.user_id });
    if ((await this.o.presence.online(rooms)).size > 0) {
      this.#outcome('online', threadId);
      return { postponeTo: Date.now() + this.#delayMs };
    }
    const brand = (await store.appName(thread.app_id)) ?? 'Support';
    const notificationId = job.id;
    const domain = domainOf(this.#from);
    const messageId = `${notificationId}@${domain}`;
    const base = this.o.publicUrl();
    const { signer } = this.o;
    const unsubscribeUrl = (scope: 'thread' | 'address') =>
      `${base}/v1/notifications/unsubscribe?n=${notificationId}&scope=${scope}&sig=${signer.unsubscribeSig(notificationId, scope)}`;
    const linkExp = Date.now() + (this.o.config.linkTtlMs ?? 7 * DAY);
    const inbound = this.o.config.inboundDomain;
    const context = JSON.parse(visitor.context) as VisitorContext;
    const digest = composeDigest({
      brand,
      locale: digestLocale(context.locale),
      messages: rows.map(toMessage),
      fileUrl: (a) => `${base}/v1/files/${a.id}?${signer.fileQuery(a.id, linkExp)}`,
      unsubscribe: { thread: unsubscribeUrl('thread'), address: unsubscribeUrl('address') },
      replyable: !!inbound,
      continueUrl: await this.#continueUrl(thread.app_id, context, notificationId, linkExp),
    });
    const earlier = await store.earlierMessageIds(thread.id, REFERENCES_MAX);
    const toSeq = Number(rows[rows.length - 1]!.seq);
    const record = { id: notificationId, app_id: thread.app_id, thread_id: thread.id, visitor_id: visitor.id, email, from_seq: after, to_seq: toSeq, message_id: messageId, created_at: Date.now() };
    try {
      await this.#transport.sendMail({
        from: { name: brand, address: this.#from },
        to: email,
        subject: digest.subject,
        text: digest.text,
        html: digest.html,
        messageId: `<${messageId}>`,
        ...(earlier.length ? { inReplyTo: `<${earlier[earlier.length - 1]}>`, references: earlier.map((id) => `<${id}>`) } : {}),
        ...(inbound ? { replyTo: { name: brand, address: `reply+${signer.replyToken(notificationId)}@${inbound}` } } : {}),
        list: { unsubscribe: { url: unsubscribeUrl('address'), comment: 'Unsubscribe' } },
        headers: {
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          // RFC 3834: no vacation auto-replies to a notification.
          'Auto-Submitted': 'auto-generated',
          'X-Threadline-Thread': thread.id,
        },
        ...(this.o.config.dkim ? { dkim: this.o.config.dkim } : {}),
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const permanent = isPermanentSmtpError(err);
      if (!permanent && job.attempts < this.o.jobs.maxAttempts) {
        this.o.log.warn({ threadId, attempt: job.attempts, error: message }, 'email notification: the relay did not take it; trying again');
        throw err;
      }
      await this.#finish(job, { ...record, status: 'failed', error: message.slice(0, 500) });
      this.#outcome('failed', threadId, { error: message, permanent });
      return;
    }
    await this.#finish(job, { ...record, status: 'sent', error: null });
    this.#outcome('sent', threadId, { notificationId, messages: rows.length });
  }

  /** Records the email, its webhook delivery and the job's end in one transaction. */
  async #finish(job: Job, row: Parameters<NotificationStore['record']>[0]): Promise<void> {
    const event = row.status === 'sent' ? 'notification.sent' : 'notification.failed';
    const data = {
      notificationId: row.id,
      threadId: row.thread_id,
      visitorId: row.visitor_id,
      email: row.email,
      fromSeq: row.from_seq,
      toSeq: row.to_seq,
      ...(row.error ? { error: row.error } : {}),
    };
    await this.o.store.db.transaction().execute(async (trx) => {
      await this.o.store.record(row, trx);
      await this.o.webhooks.enqueueEach(row.app_id, [{ event, data: () => data }], trx);
      await this.o.jobs.complete(job.id, trx);
    });
    this.o.webhooks.kick();
  }
}
