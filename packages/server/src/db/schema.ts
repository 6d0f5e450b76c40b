/**
 * Table types for Kysely. Times are epoch milliseconds (bigint in PostgreSQL, integer in SQLite);
 * JSON columns are text so the same SQL runs on both engines.
 */
import type { Generated } from 'kysely';

export interface AppsTable {
  id: string;
  name: string;
  api_key_hash: string;
  secret: string;
  allowed_origins: string; // JSON string[]
  created_at: number;
  /** 1: an identified user's email (from identify) receives notifications without asking. */
  notify_identified: Generated<number>;
  /** JSON AppAvailability (business hours, reply time, away message); null: never set. */
  availability: string | null;
  /** JSON BotSettings (services/assignment.ts): whether a bot handles new threads, handoff words; null: no bot. */
  bot?: string | null;
}

export interface VisitorsTable {
  id: string;
  app_id: string;
  user_id: string | null;
  name: string | null;
  email: string | null;
  context: string; // JSON VisitorContext
  created_at: number;
  last_seen_at: number | null;
  /** Where replies are emailed while away, set by the visitor (`notify.email.set`). */
  notify_email: string | null;
  /** JSON string[]: threads of other visitors this one opened from an email's continue link. */
  attached_threads?: string | null;
}

export interface ThreadsTable {
  id: string;
  app_id: string;
  visitor_id: string;
  user_id: string | null;
  status: 'open' | 'resolved';
  last_seq: number;
  visitor_read_seq: number;
  agent_read_seq: number;
  campaign: string | null;
  rating_score: number | null;
  rating_comment: string | null;
  created_at: number;
  updated_at: number;
  /** The last seq an email notification covered (0: none yet). */
  notify_sent_seq: number;
  /** 1: the thread's emails were unsubscribed. */
  notify_off: number;
  /** Who handles it (services/assignment.ts): `bot`, `queue` (waiting for a person) or `agent`. */
  assignee_kind: 'bot' | 'queue' | 'agent';
  /** The agent's id and display name, with `agent`; null otherwise. */
  assignee_id: string | null;
  assignee_name: string | null;
  /** When the assignee last changed (the queue's wait); null: never changed since its creation before 0012. */
  assigned_at: number | null;
  /** Visitor messages in a row the bot answered in its current stretch (the two-answers rule). */
  bot_streak: number;
  /** 1: a visitor message in the bot's stretch waits for the bot's answer. */
  bot_waiting: number;
}

export interface MessagesTable {
  id: string;
  app_id: string;
  thread_id: string;
  seq: number;
  client_id: string | null;
  body_hash: string;
  author_kind: 'visitor' | 'agent' | 'bot' | 'system';
  author_name: string | null;
  author_avatar: string | null;
  text: string;
  kind: 'text' | 'proactive' | 'rating' | 'event';
  attachments: string; // JSON Attachment[]
  quick_replies: string | null; // JSON QuickReply[]
  /** JSON Block[] (0011); null for text only, and on rows older than it. */
  blocks?: string | null;
  meta: string | null; // JSON object
  created_at: number;
}

export interface FilesTable {
  id: string;
  app_id: string;
  /** Uploading visitor; null when uploaded with the API key. */
  visitor_id: string | null;
  /** Thread the file was first attached to. */
  thread_id: string | null;
  name: string;
  mime: string;
  size: number;
  storage_key: string;
  width: number | null;
  height: number | null;
  duration_ms: number | null;
  created_at: number;
}

export interface ProactiveTable {
  id: string;
  app_id: string;
  visitor_id: string | null;
  user_id: string | null;
  text: string;
  display: 'toast' | 'open';
  campaign: string | null;
  author: string; // JSON Author
  quick_replies: string | null;
  /** JSON Block[] (0014); null for text only, and on rows older than it. */
  blocks?: string | null;
  idempotency_key: string | null;
  expires_at: number | null;
  created_at: number;
  delivered_at: number | null;
  shown_at: number | null;
  opened_at: number | null;
  replied_at: number | null;
  dismissed_at: number | null;
  /** The device did not show it, over its own caps (reported once, never offered again). */
  suppressed_at: number | null;
  thread_id: string | null;
}

export interface EventsTable {
  id: Generated<number>;
  app_id: string;
  visitor_id: string;
  name: string;
  props: string | null;
  created_at: number;
}

export interface WebhooksTable {
  id: string;
  app_id: string;
  url: string;
  secret: string;
  events: string; // JSON string[] ('*' for all)
  created_at: number;
}

export interface WebhookDeliveriesTable {
  id: string;
  webhook_id: string;
  event: string;
  payload: string;
  attempts: number;
  status: 'pending' | 'delivered' | 'failed';
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  /** The node sending it now (store/lease.ts); null when nobody is. */
  locked_by: string | null;
  /** When that node's claim runs out and another node may send it. */
  locked_until: number | null;
}

/** Timed work any node may run (jobs/worker.ts): claimed with a lease, deleted once done. */
export interface JobsTable {
  id: string;
  /** Which handler runs it, e.g. `rule.fire`. */
  kind: string;
  payload: string; // JSON
  /** Not run before this time. */
  run_at: number;
  /** Claims so far, counting the current one. */
  attempts: number;
  locked_by: string | null;
  locked_until: number | null;
  /** At most one waiting job per key (unique); null for none. */
  dedupe_key: string | null;
  last_error: string | null;
  created_at: number;
}

/** A server process using this database (cluster/node-registry.ts); deleted when it closes. */
export interface NodesTable {
  /** Made at start, one per process. */
  id: string;
  /** Host name, process id and port, for people reading a warning. */
  name: string;
  /** 1 when the node runs with THREADLINE_REDIS_URL set. */
  redis: number;
  started_at: number;
  /** Refreshed every ~10 s; a row not refreshed for 30 s is a node that is gone. */
  heartbeat_at: number;
}

/**
 * Uploaded bytes in the database (files/database-file-store.ts): rows `idx` 0…n−1 of one `key`.
 * `chunks` is set on row 0 only, once the whole file is written; null there, the file is not yet
 * (or never will be) complete, and readers do not see it.
 */
export interface FileChunksTable {
  key: string;
  idx: number;
  data: Buffer;
  chunks: number | null;
  created_at: number;
}

/** Server-wide values every node must share, e.g. `token_key` (auth/tokens.ts). Secret: never logged. */
export interface SettingsTable {
  key: string;
  value: string;
  created_at: number;
}

/** An address unsubscribed from every email of an app. */
export interface EmailSuppressionsTable {
  app_id: string;
  /** Lower case. */
  email: string;
  created_at: number;
}

/** An email notification: sent, or given up on (`failed`). Its id is what reply and unsubscribe tokens name. */
export interface EmailNotificationsTable {
  id: string;
  app_id: string;
  thread_id: string;
  visitor_id: string;
  email: string;
  /** The messages it carried: seqs (from_seq, to_seq]. */
  from_seq: number;
  to_seq: number;
  /** Its Message-ID header, without angle brackets. */
  message_id: string;
  status: 'sent' | 'failed';
  error: string | null;
  created_at: number;
}

export interface SessionsTable {
  /** The token's `sid`; `legacy_<hash>` for a token issued before sessions existed. */
  id: string;
  app_id: string;
  visitor_id: string;
  /** The user the last connection of this session proved, if any. */
  user_id: string | null;
  created_at: number;
  /** Moves forward on every connection (sliding expiry). */
  expires_at: number;
  revoked_at: number | null;
}

/** A campaign (services/campaigns.ts): its definition is `spec`, a JSON CampaignSpec. */
export interface CampaignsTable {
  app_id: string;
  id: string;
  name: string;
  status: 'draft' | 'live' | 'paused' | 'ended';
  spec: string; // JSON CampaignSpec
  created_at: number;
  updated_at: number;
  /** Deleted through the API: not listed, not run, its id not reused. */
  deleted_at: number | null;
}

/** Someone a campaign prompted, or would have prompted (the holdout): one per campaign and subject. */
export interface CampaignExposuresTable {
  app_id: string;
  campaign_id: string;
  /** `u:<userId>` or `v:<visitorId>`. */
  subject: string;
  /** A variant id, or `holdout`. */
  variant: string;
  visitor_id: string | null;
  user_id: string | null;
  /** The first prompt it got (null for the holdout). */
  prompt_id: string | null;
  exposed_at: number;
  /** When the goal event first came within the window; null: not converted. */
  converted_at: number | null;
}

export interface Database {
  apps: AppsTable;
  visitors: VisitorsTable;
  threads: ThreadsTable;
  messages: MessagesTable;
  files: FilesTable;
  proactive: ProactiveTable;
  events: EventsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  sessions: SessionsTable;
  file_chunks: FileChunksTable;
  settings: SettingsTable;
  nodes: NodesTable;
  jobs: JobsTable;
  email_suppressions: EmailSuppressionsTable;
  email_notifications: EmailNotificationsTable;
  campaigns: CampaignsTable;
  campaign_exposures: CampaignExposuresTable;
}
