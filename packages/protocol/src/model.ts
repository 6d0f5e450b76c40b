import type { ThreadAssignee } from './assignment.js';

/**
 * The data model on the wire. Timestamps are ISO 8601 strings in UTC; ids are opaque strings
 * (the server uses UUIDv7, clients must use UUIDv7 for `clientId` and for thread ids they create).
 */

import type { Block } from './blocks.js';

export type AuthorKind = 'visitor' | 'agent' | 'bot' | 'system';

export interface Author {
  kind: AuthorKind;
  /** Display name; absent for the visitor's own messages. */
  name?: string;
  /** http(s) URL of an avatar image. */
  avatarUrl?: string;
}

export interface Attachment {
  id: string;
  /** Safe file name (no path, no control characters). */
  name: string;
  /** Type decided by sniffing the bytes on the server, never the uploader's claim. */
  mime: string;
  /** Bytes. */
  size: number;
  /**
   * Path of the file on the server (`/v1/files/<id>`), relative to the server URL. Fetch it with
   * the visitor token or API key in the `Authorization` header: tokens never travel in URLs.
   */
  url: string;
  /** Pixels, for images when cheap to read. */
  width?: number;
  height?: number;
  /** Milliseconds, for audio clips (as declared by the recorder, clamped by the server). */
  durationMs?: number;
}

export type MessageKind = 'text' | 'proactive' | 'rating' | 'event';

export interface QuickReply {
  /** Shown on the button and sent as the reply's text. */
  label: string;
  /** Optional machine value carried in the reply's `meta.quickReply`. */
  value?: string;
}

export interface Message {
  /** Server id (UUIDv7). */
  id: string;
  /**
   * The sender's idempotency key: a visitor's UUIDv7, or an agent's `Idempotency-Key`.
   * Clients reconcile their optimistic copy by this id, never by content.
   */
  clientId: string | null;
  threadId: string;
  /** Server-assigned, strictly increasing within the thread, starting at 1, without holes. */
  seq: number;
  author: Author;
  text: string;
  attachments: Attachment[];
  kind: MessageKind;
  /** Buttons the visitor may tap to answer; a client shows them on the newest message only. */
  quickReplies?: QuickReply[];
  /**
   * Rich content (buttons, cards, a carousel, a form) shown with or instead of `text`; `text` stays
   * the fallback for clients and channels that do not render blocks (see docs/protocol.md).
   */
  blocks?: Block[];
  /**
   * Extra data by kind: `{ score, comment }` for ratings, `{ campaign, proactiveId }` for prompts;
   * on a visitor's message `quickReply` (the value picked), `handoff: true` (asked for a person) and
   * `form: { messageId, values }` (a form answer).
   */
  meta?: Record<string, unknown>;
  createdAt: string;
}

export type ThreadStatus = 'open' | 'resolved';

/** A thread as one visitor (or user) sees it. */
export interface Thread {
  id: string;
  status: ThreadStatus;
  /** `seq` of the newest message (0 for a thread without messages). */
  lastSeq: number;
  /** Newest message, for inbox previews. */
  lastMessage: Message | null;
  /** Messages from agents, bots or the system after the visitor's read horizon. */
  unread: number;
  /** Highest seq the visitor has read (on any device). */
  visitorReadSeq: number;
  /** Highest seq the brand side has read: the visitor's messages up to it show as `read`. */
  agentReadSeq: number;
  /** Campaign of the proactive prompt the thread started from, if any. */
  campaign: string | null;
  /** The visitor's rating once given. */
  rating: { score: number; comment?: string } | null;
  /**
   * Who handles the thread now: the bot, the queue (waiting for a person) or an agent (by display
   * name). Absent from servers older than assignees.
   */
  assignee?: ThreadAssignee;
  createdAt: string;
  updatedAt: string;
}

/** Where and how the visitor is browsing, reported by the client and shown to agents. */
export interface VisitorContext {
  page?: { url: string; title?: string; referrer?: string };
  attributes?: Record<string, string | number | boolean | null>;
  cart?: { value: number; currency?: string; items?: number };
  locale?: string;
  /** Set by the server from the handshake (user agent), not by the client. */
  device?: { userAgent?: string };
}

export type ProactiveDisplay = 'toast' | 'open';

/** A message the brand pushes without being asked. */
export interface ProactiveMessage {
  id: string;
  text: string;
  /** `toast`: a bubble above the launcher; `open`: open the panel on it. */
  display: ProactiveDisplay;
  campaign: string | null;
  author: Author;
  quickReplies?: QuickReply[];
  /**
   * Rich content shown with `text` when the prompt opens in the panel (a toast shows `text`, their
   * fallback); the same blocks and limits as a message's, copied into the thread it starts.
   */
  blocks?: Block[];
  expiresAt: string | null;
  createdAt: string;
}

export type ProactiveEvent = 'shown' | 'opened' | 'replied' | 'dismissed' | 'suppressed';

/** What makes a page-triggered campaign fire, evaluated on the page (docs/campaigns.md#page-triggers). */
export type PageTriggerKind = 'time_on_page' | 'scroll_depth' | 'idle' | 'exit_intent' | 'page_event' | 'cart_value';

/** A test on a tracked event's property: `neq` holds for a missing key, every other op does not. */
export interface PageCondition {
  key: string;
  op: 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte' | 'contains' | 'exists';
  value?: string | number | boolean;
}

/** A campaign's page trigger as stored by `/v1/campaigns` (only the fields of its kind are set). */
export interface PageTrigger {
  kind: PageTriggerKind;
  /** Glob on the page URL (`*` is any run of characters, nothing else is special). */
  urlPattern?: string;
  /** `time_on_page`: seconds on a matching page; `idle`: seconds without pointer, key or scroll input. */
  seconds?: number;
  /** `scroll_depth`: percent of the page scrolled (0–100). */
  percent?: number;
  /** `page_event`: the tracked event's name (`Threadline('track', name, props)`). */
  event?: string;
  /** `page_event`: every one must hold on the event's properties. */
  conditions?: PageCondition[];
  /** `cart_value`: the cart value (context `cart.value`, or a tracked event's `cartValue` prop) reaches this. */
  minCartValue?: number;
}

/**
 * A page-triggered campaign this visitor may get now, listed in the `session`: its audience and
 * caps were checked by the server when it was listed (and are again when it fires). The page
 * evaluates `trigger` itself and shows `prompt` at once, without asking first; then it reports
 * `campaign.fire`. Without `prompt` the visitor is in the campaign's holdout: nothing is shown,
 * the fire is reported all the same (the "would have been shown" exposure).
 */
export interface PageCampaign {
  id: string;
  trigger: PageTrigger;
  /** The audience's glob on the page URL, checked on the page with the trigger's. */
  urlPattern?: string;
  prompt?: { text: string; display: ProactiveDisplay; author: Author; quickReplies?: QuickReply[]; blocks?: Block[] };
}

/** Sent by the server on every connection: who the socket is, and a fresh token to store. */
export interface Session {
  visitorId: string;
  /** Signed visitor token to keep (IndexedDB) and send back in the next handshake. */
  token: string;
  userId: string | null;
  protocol: number;
  /** Upload cap of this server, in bytes. */
  maxUploadBytes: number;
  /**
   * Where replies are emailed while the visitor is away (`notify.email.set`), or null; absent when
   * the server sends no email (no SMTP configured).
   */
  notifyEmail?: string | null;
  /**
   * True when this connection proved an identity that carries an email (from the brand's backend):
   * a widget does not ask such a shopper for an address (the app's `identifiedUsers` setting
   * decides whether that email receives notifications). Absent otherwise, and when the server
   * sends no email.
   */
  notifyIdentified?: boolean;
  /**
   * Page-triggered campaigns this visitor may get; absent when there is none (the page then loads
   * no trigger code at all).
   */
  campaigns?: PageCampaign[];
}

/** The handshake's `auth` object (socket.io sends it in the CONNECT packet, not in the URL). */
export interface VisitorAuth {
  appId: string;
  /** Protocol version spoken by the client. */
  v: number;
  /** Token from a previous `session` event; omit for a first visit. */
  token?: string;
  /** Identified user, verified by `userHash = hex(HMAC-SHA256(appSecret, userId))`… */
  userId?: string;
  userHash?: string;
  /** …or by an HS256 JWT signed with the app secret, with `sub` = userId and an `exp`. */
  jwt?: string;
  /** Display-only profile; grants nothing. */
  name?: string;
  email?: string;
}

export interface AgentAuth {
  apiKey: string;
  /** Display name shown to visitors in typing indicators. */
  name?: string;
}
