import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { convert as htmlToText } from 'html-to-text';
import EmailReplyParser from 'email-reply-parser';
import { v7 as uuidv7 } from 'uuid';
import { LIMITS, type Message } from '@threadline/protocol';
import { ServerError } from '../errors.js';
import type { FileStore } from '../files/file-store.js';
import { fileNameFor } from '../files/file-name.js';
import { sniffHead, type SniffedFile } from '../files/sniff.js';
import { inspectUpload } from '../files/upload-inspector.js';
import type { Messaging } from '../services/messaging.js';
import type { NotificationStore } from '../store/notification-store.js';
import type { LinkSigner } from './link-signer.js';
import type { EmailNotifier } from './notifier.js';

const DAY = 24 * 60 * 60 * 1000;

interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface InboundOptions {
  inboundDomain: string | undefined;
  /** @default 30 days */
  replyTtlMs?: number;
  maxUploadBytes: number;
  maxInboundBytes: number;
}

/** The SMTP envelope, when the mail came over SMTP: the bounce sender `<>` is `''`. */
export interface Envelope {
  mailFrom: string | null;
  rcptTo: string[];
}

export type InboundResult =
  | { outcome: 'appended' | 'duplicate'; threadId: string; message: Message | null; dropped: DroppedAttachment[] }
  | { outcome: 'ignored'; reason: 'bounce' | 'auto-reply' };

export interface DroppedAttachment {
  name: string;
  reason: string;
}

/** Default of `maxInboundBytes`: every attachment at the cap, base64 encoded (4/3), plus 1 MiB of text and headers. */
export function defaultMaxInboundBytes(maxUploadBytes: number): number {
  return Math.ceil((LIMITS.maxAttachments * maxUploadBytes * 4) / 3) + 1024 * 1024;
}

/** `reply+<token>@<domain>` → token, for our inbound domain only. */
export function replyTokenOf(address: string, inboundDomain: string): string | null {
  const m = /^reply\+([0-9a-z]+)@([^@\s>]+)$/i.exec(address.trim().replace(/^<|>$/g, ''));
  return m && m[2]!.toLowerCase() === inboundDomain.toLowerCase() ? m[1]! : null;
}

function addresses(h: AddressObject | AddressObject[] | undefined): string[] {
  if (!h) return [];
  return (Array.isArray(h) ? h : [h]).flatMap((o) => o.value.map((a) => a.address ?? '')).filter(Boolean);
}

/** Bounces and automatic replies are not the shopper writing: never posted. */
function automatic(mail: ParsedMail, envelope: Envelope | undefined): 'bounce' | 'auto-reply' | null {
  const from = addresses(mail.from)[0] ?? '';
  const local = from.split('@')[0]!.toLowerCase();
  const contentType = String((mail.headers.get('content-type') as { value?: string } | undefined)?.value ?? '').toLowerCase();
  if (envelope?.mailFrom === '' || local === 'mailer-daemon' || local === 'postmaster' || contentType === 'multipart/report') return 'bounce';
  const autoSubmitted = String(mail.headers.get('auto-submitted') ?? 'no').toLowerCase();
  const precedence = String(mail.headers.get('precedence') ?? '').toLowerCase();
  if (autoSubmitted !== 'no' || ['bulk', 'junk', 'auto_reply', 'list'].includes(precedence) || mail.headers.has('x-autoreply') || mail.headers.has('x-autorespond')) {
    return 'auto-reply';
  }
  return null;
}

/** Whether the message has a text/plain part of its own (mailparser fills `text` from the HTML otherwise). */
function hasPlainPart(raw: Buffer): boolean {
  const head = raw.subarray(0, Math.min(raw.length, 256 * 1024)).toString('latin1');
  if (/^content-type:\s*text\/plain/im.test(head)) return true;
  // A message without any Content-Type is text/plain (RFC 2045).
  return !/^content-type:/im.test(head);
}

/**
 * HTML-only mail as text, never as markup: scripts, styles and images go, and so do blockquotes
 * (where mail clients put the quoted history in HTML).
 */
export function textOfHtml(html: string): string {
  return htmlToText(html, {
    wordwrap: false,
    selectors: [
      { selector: 'script', format: 'skip' },
      { selector: 'style', format: 'skip' },
      { selector: 'img', format: 'skip' },
      { selector: 'blockquote', format: 'skip' },
      { selector: 'a', options: { ignoreHref: true } },
    ],
  });
}

const replyParser = new EmailReplyParser();

/** The new part of a reply: quoted history ("On … wrote:", "> …", 在…写道), and signatures stripped by email-reply-parser. */
export function stripReply(text: string): string {
  return replyParser.parseReply(text.replace(/\r\n/g, '\n')).trim();
}

async function* once(bytes: Buffer): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/**
 * Email replies into threads, from the SMTP listener and from `POST /v1/inbound/email` alike. A
 * reply lands only when its address carries a token this server signed for an email it sent, not
 * expired, and it comes from the address that email went to, which is still the visitor's; then
 * it is the visitor's message in that thread (`meta.via: 'email'`), through the same append as
 * the widget's, so inboxes see it live and webhooks fire. A repeat of one email (same
 * Message-ID) lands once. Bounces and auto-replies are dropped with a log line.
 */
export class InboundMail {
  constructor(
    private readonly o: InboundOptions & {
      store: NotificationStore;
      messaging: Messaging;
      files: FileStore;
      signer: LinkSigner;
      notifier: Pick<EmailNotifier, 'addressOf'> | null;
      log: Logger;
    },
  ) {}

  /**
   * Posts one raw MIME message. `appId`: over HTTP, the app whose API key sent it (a token of
   * another app is refused). Throws `reply_token_invalid`, `payload_too_large`, `bad_request`,
   * `notifications_off` (no inbound domain configured).
   */
  async receive(raw: Buffer, envelope?: Envelope, appId?: string): Promise<InboundResult> {
    const { log, inboundDomain } = this.o;
    if (!inboundDomain) throw new ServerError('notifications_off', 'replies by email are off: THREADLINE_SMTP_INBOUND_DOMAIN is not set');
    if (raw.length > this.o.maxInboundBytes) {
      log.warn({ bytes: raw.length }, 'inbound email refused: too large');
      throw new ServerError('payload_too_large', `the email is larger than ${this.o.maxInboundBytes} bytes`);
    }
    let mail: ParsedMail;
    try {
      mail = await simpleParser(raw, { skipImageLinks: true, skipTextLinks: true });
    } catch (err) {
      log.warn({ error: String(err) }, 'inbound email refused: malformed MIME');
      throw new ServerError('bad_request', 'the email could not be parsed');
    }
    const from = addresses(mail.from)[0];
    if (!from) {
      log.warn({}, 'inbound email refused: malformed (no From address)');
      throw new ServerError('bad_request', 'the email has no From address');
    }
    const auto = automatic(mail, envelope);
    if (auto) {
      // A warning, so the default log level keeps it: bounces mean an address that does not work.
      log.warn({ reason: auto, from }, `inbound email ignored: ${auto}`);
      return { outcome: 'ignored', reason: auto };
    }

    const candidates = [
      ...(envelope?.rcptTo ?? []),
      ...addresses(mail.to),
      ...addresses(mail.cc),
      ...['delivered-to', 'x-original-to', 'x-forwarded-to'].flatMap((h) => {
        const v = mail.headers.get(h);
        return typeof v === 'string' ? [v] : [];
      }),
    ];
    const tokens = candidates.map((a) => replyTokenOf(a, inboundDomain)).filter((t): t is string => t !== null);
    const refuse = (why: string, extra: object = {}): never => {
      log.warn({ why, from, ...extra }, `inbound email refused: ${why}`);
      throw new ServerError('reply_token_invalid', 'this reply address is not valid (expired, or not ours)');
    };
    if (!tokens.length) refuse('no reply address of ours');
    const id = this.o.signer.openReplyToken(tokens[0]!);
    if (!id) refuse('forged reply token');
    const sent = await this.o.store.get(id!);
    if (!sent || sent.status !== 'sent') refuse('reply token of no email sent', { notificationId: id });
    if (appId && sent!.app_id !== appId) refuse('reply token of another app', { notificationId: id });
    if (sent!.created_at + (this.o.replyTtlMs ?? 30 * DAY) < Date.now()) refuse('expired reply token', { notificationId: id });
    if (from.toLowerCase() !== sent!.email.toLowerCase()) refuse('reply from another address than the one notified', { notificationId: id });
    const thread = await this.o.store.thread(sent!.thread_id);
    const visitor = thread && (await this.o.store.visitor(thread.visitor_id));
    const current = visitor && this.o.notifier ? await this.o.notifier.addressOf(visitor) : (visitor?.notify_email ?? null);
    if (!thread || !visitor || current?.toLowerCase() !== sent!.email.toLowerCase()) refuse('address no longer the visitor’s', { notificationId: id });

    const clientId = `email:${createHash('sha256').update(mail.messageId ?? raw).digest('hex').slice(0, 40)}`;
    const dropped: DroppedAttachment[] = [];
    const source = typeof mail.html === 'string' && !hasPlainPart(raw) ? textOfHtml(mail.html) : (mail.text ?? '');
    const text = stripReply(source);
    if (text.length > LIMITS.maxTextLength) {
      log.warn({ threadId: thread!.id, chars: text.length }, 'inbound email refused: reply text too long');
      throw new ServerError('payload_too_large', `the reply is longer than ${LIMITS.maxTextLength} characters`);
    }
    // Before its attachments are stored: a repeat stores nothing.
    if (await this.o.store.hasMessage(thread!.id, clientId)) {
      log.info({ threadId: thread!.id }, 'inbound email: a repeat of a reply already posted');
      return { outcome: 'duplicate', threadId: thread!.id, message: null, dropped };
    }
    const attachmentIds = await this.#storeAttachments(mail, visitor!.id, visitor!.app_id, dropped);
    if (!text && !attachmentIds.length) {
      log.warn({ threadId: thread!.id }, 'inbound email refused: nothing new in the reply');
      throw new ServerError('bad_request', 'the reply has no text of its own');
    }
    const meta: Record<string, unknown> = { via: 'email' };
    if (dropped.length) meta.droppedAttachments = dropped;
    const posted = await this.o.messaging.postFromEmail(thread!, { clientId, text, attachmentIds, meta, readUpTo: sent!.to_seq });
    log.info({ threadId: thread!.id, notificationId: id, attachments: attachmentIds.length, dropped: dropped.length }, 'inbound email posted to its thread');
    return { outcome: posted.duplicate ? 'duplicate' : 'appended', threadId: thread!.id, message: posted.message, dropped };
  }

  /** The mail's attachments through the upload checks (size cap, sniffed type); what fails them is dropped and named. */
  async #storeAttachments(mail: ParsedMail, visitorId: string, appId: string, dropped: DroppedAttachment[]): Promise<string[]> {
    const ids: string[] = [];
    // Inline parts a body refers to (cid: signature logos) are decoration, not files sent.
    for (const a of mail.attachments.filter((x) => !x.related)) {
      const name = a.filename ?? 'attachment';
      if (ids.length >= LIMITS.maxAttachments) {
        dropped.push({ name, reason: `more than ${LIMITS.maxAttachments} attachments` });
        continue;
      }
      if (a.content.length > this.o.maxUploadBytes) {
        dropped.push({ name, reason: 'payload_too_large' });
        continue;
      }
      const id = uuidv7();
      let sniffed: SniffedFile | undefined;
      try {
        await this.o.files.put(
          id,
          inspectUpload(once(a.content), async (facts) => {
            if (facts.size === 0) throw new ServerError('bad_request', 'the file is empty');
            sniffed = await sniffHead(facts, a.contentType);
          }),
        );
      } catch (err) {
        if (!(err instanceof ServerError)) throw err;
        dropped.push({ name, reason: err.code });
        continue;
      }
      await this.o.messaging.store.insertFile({
        id,
        app_id: appId,
        visitor_id: visitorId,
        thread_id: null,
        name: fileNameFor(name, sniffed!.mime),
        mime: sniffed!.mime,
        size: a.content.length,
        storage_key: id,
        width: sniffed!.width ?? null,
        height: sniffed!.height ?? null,
        duration_ms: null,
        created_at: Date.now(),
      });
      ids.push(id);
    }
    return ids;
  }
}
