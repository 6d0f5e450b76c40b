import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { engineOf } from './engine.js';

/**
 * Migrations in order, one set for both engines (applied by `migrate.ts`). Portable SQL (SQLite
 * and PostgreSQL): text ids, bigint epoch-ms times, JSON kept in text columns; where the engines
 * differ a migration branches on `engineOf(db)`. Never edit a shipped migration; add a new one.
 */
const migrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('apps')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('api_key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('allowed_origins', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('visitors')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id'))
        .addColumn('user_id', 'text')
        .addColumn('name', 'text')
        .addColumn('email', 'text')
        .addColumn('context', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_seen_at', 'bigint')
        .execute();
      await db.schema.createIndex('visitors_user').on('visitors').columns(['app_id', 'user_id']).execute();

      await db.schema
        .createTable('threads')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id'))
        .addColumn('visitor_id', 'text', (c) => c.notNull().references('visitors.id'))
        .addColumn('user_id', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('last_seq', 'integer', (c) => c.notNull())
        .addColumn('visitor_read_seq', 'integer', (c) => c.notNull())
        .addColumn('agent_read_seq', 'integer', (c) => c.notNull())
        .addColumn('campaign', 'text')
        .addColumn('rating_score', 'integer')
        .addColumn('rating_comment', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('threads_visitor').on('threads').columns(['visitor_id', 'updated_at']).execute();
      await db.schema.createIndex('threads_user').on('threads').columns(['app_id', 'user_id', 'updated_at']).execute();
      await db.schema.createIndex('threads_app').on('threads').columns(['app_id', 'updated_at']).execute();

      await db.schema
        .createTable('messages')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('app_id', 'text', (c) => c.notNull())
        .addColumn('thread_id', 'text', (c) => c.notNull().references('threads.id'))
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('client_id', 'text')
        .addColumn('body_hash', 'text', (c) => c.notNull())
        .addColumn('author_kind', 'text', (c) => c.notNull())
        .addColumn('author_name', 'text')
        .addColumn('author_avatar', 'text')
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('attachments', 'text', (c) => c.notNull())
        .addColumn('quick_replies', 'text')
        .addColumn('meta', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('messages_thread_seq', ['thread_id', 'seq'])
        .addUniqueConstraint('messages_thread_client', ['thread_id', 'client_id'])
        .execute();

      await db.schema
        .createTable('files')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('app_id', 'text', (c) => c.notNull())
        .addColumn('visitor_id', 'text')
        .addColumn('thread_id', 'text')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('mime', 'text', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('storage_key', 'text', (c) => c.notNull())
        .addColumn('width', 'integer')
        .addColumn('height', 'integer')
        .addColumn('duration_ms', 'integer')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('proactive')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('app_id', 'text', (c) => c.notNull())
        .addColumn('visitor_id', 'text')
        .addColumn('user_id', 'text')
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('display', 'text', (c) => c.notNull())
        .addColumn('campaign', 'text')
        .addColumn('author', 'text', (c) => c.notNull())
        .addColumn('quick_replies', 'text')
        .addColumn('idempotency_key', 'text')
        .addColumn('expires_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('delivered_at', 'bigint')
        .addColumn('shown_at', 'bigint')
        .addColumn('opened_at', 'bigint')
        .addColumn('replied_at', 'bigint')
        .addColumn('dismissed_at', 'bigint')
        .addColumn('thread_id', 'text')
        .addUniqueConstraint('proactive_idempotency', ['app_id', 'idempotency_key'])
        .execute();
      await db.schema.createIndex('proactive_visitor').on('proactive').columns(['visitor_id']).execute();
      await db.schema.createIndex('proactive_user').on('proactive').columns(['app_id', 'user_id']).execute();

      await db.schema
        .createTable('events')
        // The one column whose DDL differs by engine. `autoIncrement()` compiled to invalid
        // PostgreSQL (`integer primary key auto_increment`), so 0001 never ran there; on SQLite
        // the statement is unchanged, so databases it created before this branch are as they were.
        .addColumn('id', engineOf(db) === 'postgres' ? 'bigint' : 'integer', (c) =>
          engineOf(db) === 'postgres' ? c.primaryKey().generatedAlwaysAsIdentity() : c.primaryKey().autoIncrement(),
        )
        .addColumn('app_id', 'text', (c) => c.notNull())
        .addColumn('visitor_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('props', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('webhooks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('app_id', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('events', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('webhook_id', 'text', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('deliveries_due').on('webhook_deliveries').columns(['status', 'next_attempt_at']).execute();
    },
  },
  '0002_sessions': {
    // Server-side visitor sessions: a visitor token names one (`sid`), and is refused once its
    // session is revoked or has run out.
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('app_id', 'text', (c) => c.notNull())
        .addColumn('visitor_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema.createIndex('sessions_visitor').on('sessions').columns(['visitor_id']).execute();
      await db.schema.createIndex('sessions_expiry').on('sessions').columns(['expires_at']).execute();
    },
  },
  '0003_unattached_files': {
    // Uploads no message uses yet: summed per visitor on every upload (the visitor's budget) and
    // swept by age. Partial indexes: attached files, nearly all of them, stay out.
    async up(db: Kysely<any>) {
      await db.schema.createIndex('files_unattached_visitor').on('files').columns(['visitor_id']).where(sql.ref('thread_id'), 'is', null).execute();
      await db.schema.createIndex('files_unattached_age').on('files').columns(['created_at']).where(sql.ref('thread_id'), 'is', null).execute();
    },
  },
  '0004_nodes': {
    // The server processes using this database: each writes its row at start and every ~10 s,
    // and deletes it when it closes. A node that sees another one alive without Redis configured
    // warns that rooms, rate limits and presence are per node (cluster/node-registry.ts).
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('nodes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('redis', 'integer', (c) => c.notNull())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0005_jobs': {
    // Timed work as rows any node can run (campaign-rule delays), and leases on webhook
    // deliveries: a node claims a due row by setting `locked_by` and `locked_until`, and another
    // node takes it over once `locked_until` has passed (store/lease.ts).
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('run_at', 'bigint', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('locked_by', 'text')
        .addColumn('locked_until', 'bigint')
        // At most one job per key waits at a time (a rule's timer per visitor); null: no key.
        .addColumn('dedupe_key', 'text', (c) => c.unique())
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('jobs_due').on('jobs').columns(['run_at']).execute();
      // One column per statement: SQLite's ALTER TABLE adds one at a time.
      await db.schema.alterTable('webhook_deliveries').addColumn('locked_by', 'text').execute();
      await db.schema.alterTable('webhook_deliveries').addColumn('locked_until', 'bigint').execute();
    },
  },
  '0006_files_and_settings': {
    // Uploaded bytes in chunks (files/database-file-store.ts), so every node on one PostgreSQL
    // database serves every file, and server-wide secrets (`settings`: the token key), so every
    // node signs and accepts the same visitor tokens. Both tables are created on SQLite too: one
    // schema for both engines (db/schema.ts), and an SQLite server can be given the database file
    // store; by default it keeps files on disk, where SQLite keeps its database anyway.
    async up(db: Kysely<any>) {
      const postgres = engineOf(db) === 'postgres';
      await db.schema
        .createTable('file_chunks')
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('idx', 'integer', (c) => c.notNull())
        .addColumn('data', postgres ? 'bytea' : 'blob', (c) => c.notNull())
        .addColumn('chunks', 'integer')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('file_chunks_pk', ['key', 'idx'])
        .execute();
      // Uploads are mostly compressed already (images, audio, PDF): stored out of line without
      // PostgreSQL's TOAST compression, which would spend CPU on every chunk to save nothing.
      if (postgres) await sql`alter table file_chunks alter column data set storage external`.execute(db);
      // Unfinished files only (a put in progress, or one whose process died): what collectAbandoned looks for.
      await db.schema
        .createIndex('file_chunks_incomplete')
        .on('file_chunks')
        .columns(['created_at'])
        .where(sql.ref('idx'), '=', 0)
        .where(sql.ref('chunks'), 'is', null)
        .execute();

      await db.schema
        .createTable('settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0007_notifications': {
    // Email continuity (notifications/): the address a visitor asked replies to be emailed to; the
    // app's choice whether an identified user's email (from identify) counts too; per thread, the
    // last message seq an email covered and whether the thread's emails were unsubscribed; the
    // addresses unsubscribed from all of an app's emails; and each email sent (its Message-ID
    // threads the next one, its id is what a reply address and an unsubscribe link name).
    async up(db: Kysely<any>) {
      await db.schema.alterTable('visitors').addColumn('notify_email', 'text').execute();
      await db.schema.alterTable('apps').addColumn('notify_identified', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('threads').addColumn('notify_sent_seq', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('threads').addColumn('notify_off', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema
        .createTable('email_suppressions')
        .addColumn('app_id', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('email_suppressions_pk', ['app_id', 'email'])
        .execute();
      await db.schema
        .createTable('email_notifications')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('app_id', 'text', (c) => c.notNull())
        .addColumn('thread_id', 'text', (c) => c.notNull())
        .addColumn('visitor_id', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('from_seq', 'integer', (c) => c.notNull())
        .addColumn('to_seq', 'integer', (c) => c.notNull())
        .addColumn('message_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('email_notifications_thread').on('email_notifications').columns(['thread_id', 'created_at']).execute();
    },
  },
  '0008_availability': {
    // Business hours, the expected reply time and the away message of an app (services/availability.ts),
    // as one JSON document (protocol AppAvailability); null until the brand sets them.
    async up(db: Kysely<any>) {
      await db.schema.alterTable('apps').addColumn('availability', 'text').execute();
    },
  },
  '0009_attached_threads': {
    // Threads a visitor opened from an email's continue link (notifications/continue.ts): a JSON
    // array of thread ids on the visitor's row, read with it at every handshake (no extra statement).
    async up(db: Kysely<any>) {
      await db.schema.alterTable('visitors').addColumn('attached_threads', 'text').execute();
    },
  },
  '0010_proactive_suppressed': {
    // A prompt the device did not show because of its own caps (docs/core.md, "Proactive"):
    // reported once, never offered again, counted apart from shown and dismissed.
    async up(db: Kysely<any>) {
      await db.schema.alterTable('proactive').addColumn('suppressed_at', 'bigint').execute();
    },
  },
  '0011_rich_content': {
    // Rich content of a message (protocol Block[]: buttons, cards, a carousel, a form) as one JSON
    // document beside its text, which stays the fallback; null for a message of text only.
    async up(db: Kysely<any>) {
      await db.schema.alterTable('messages').addColumn('blocks', 'text').execute();
    },
  },
  '0013_campaigns': {
    // Campaigns as data (services/campaign-spec.ts, store/campaign-store.ts): one row per campaign, its definition a JSON
    // document (`spec`); deleted ones keep their row (`deleted_at`) so their prompts and stats
    // still name something. An exposure is a visitor (or user) a campaign prompted, or would have
    // prompted had it not been held out: one per campaign and subject, with the variant it was
    // assigned and, once, when its goal event came within the window (the conversion).
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('campaigns')
        .addColumn('app_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('spec', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('deleted_at', 'bigint')
        .addPrimaryKeyConstraint('campaigns_pk', ['app_id', 'id'])
        .execute();
      await db.schema
        .createTable('campaign_exposures')
        .addColumn('app_id', 'text', (c) => c.notNull())
        .addColumn('campaign_id', 'text', (c) => c.notNull())
        // `u:<userId>` or `v:<visitorId>`: whom the assignment is sticky for.
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('variant', 'text', (c) => c.notNull())
        .addColumn('visitor_id', 'text')
        .addColumn('user_id', 'text')
        .addColumn('prompt_id', 'text')
        .addColumn('exposed_at', 'bigint', (c) => c.notNull())
        .addColumn('converted_at', 'bigint')
        .addPrimaryKeyConstraint('campaign_exposures_pk', ['app_id', 'campaign_id', 'subject'])
        .execute();
      await db.schema.createIndex('campaign_exposures_visitor').on('campaign_exposures').columns(['app_id', 'visitor_id']).execute();
      await db.schema.createIndex('campaign_exposures_user').on('campaign_exposures').columns(['app_id', 'user_id']).execute();
      // The stats count a campaign's prompts.
      await db.schema.createIndex('proactive_campaign').on('proactive').columns(['app_id', 'campaign']).execute();
    },
  },
  '0012_assignment': {
    // Who handles a thread (services/assignment.ts): the bot, the queue (waiting for a person) or
    // an agent (the brand's own id and display name), since when, and the bot's stretch: how many
    // visitor messages in a row it answered (`bot_streak`) and whether one waits for its answer
    // (`bot_waiting`), for the two-answers rule. Threads that exist wait for a person, as they did.
    // The app's bot settings (enabled, handoff words) are one JSON document; null: no bot.
    async up(db: Kysely<any>) {
      await db.schema.alterTable('threads').addColumn('assignee_kind', 'text', (c) => c.notNull().defaultTo('queue')).execute();
      await db.schema.alterTable('threads').addColumn('assignee_id', 'text').execute();
      await db.schema.alterTable('threads').addColumn('assignee_name', 'text').execute();
      await db.schema.alterTable('threads').addColumn('assigned_at', 'bigint').execute();
      await db.schema.alterTable('threads').addColumn('bot_streak', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('threads').addColumn('bot_waiting', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      // The console's queue: open threads waiting for a person, oldest first.
      await db.schema.createIndex('threads_assignee').on('threads').columns(['app_id', 'assignee_kind', 'assigned_at']).execute();
      await db.schema.alterTable('apps').addColumn('bot', 'text').execute();
    },
  },
  '0014_proactive_blocks': {
    // Rich content of a prompt (protocol Block[]), as for a message (0011): one JSON document
    // beside its text, copied into the thread it starts; null for a prompt of text only.
    async up(db: Kysely<any>) {
      await db.schema.alterTable('proactive').addColumn('blocks', 'text').execute();
    },
  },
  '0015_append_function': {
    // PostgreSQL: a visitor's message to an existing thread in one statement (SqlStore.append's
    // fast path), so no lock or pooled connection is held across round trips through a busy node.
    // It locks the thread, checks who may write in it and the clientId after the lock (each
    // statement in a function sees what committed before it), allocates the seq, inserts, and
    // returns the thread as it leaves it with both sides' unread counts before the message and the
    // visitor's row. Anything it does not handle comes back as an outcome for the general path:
    // `missing` (a new thread), `invisible`, `repeat`, `slow` (a bot thread: the handoff rules are
    // the server's code; a resolved thread the message reopens). A migration that adds a column
    // to `messages` or `threads` without a default must replace this function too.
    async up(db: Kysely<any>) {
      if (engineOf(db) !== 'postgres') return;
      await sql`
        CREATE OR REPLACE FUNCTION threadline_append_visitor(
          p_thread text, p_app text, p_visitor text, p_user text, p_threads text[],
          p_id text, p_client text, p_hash text, p_text text, p_kind text,
          p_quick_replies text, p_blocks text, p_meta text, p_at bigint, p_reopen boolean
        ) RETURNS TABLE (outcome text, thread jsonb, unread_visitor bigint, unread_agent bigint, visitor jsonb)
        LANGUAGE plpgsql AS $fn$
        DECLARE
          t threads%ROWTYPE;
        BEGIN
          SELECT * INTO t FROM threads WHERE id = p_thread FOR NO KEY UPDATE;
          IF NOT FOUND THEN
            outcome := 'missing'; RETURN NEXT; RETURN;
          END IF;
          IF t.app_id <> p_app OR NOT (
            p_thread = ANY (p_threads)
            OR (t.user_id IS NOT NULL AND p_user IS NOT NULL AND t.user_id = p_user)
            OR (t.user_id IS NULL AND t.visitor_id = p_visitor)
          ) THEN
            outcome := 'invisible'; RETURN NEXT; RETURN;
          END IF;
          IF p_client IS NOT NULL AND EXISTS (SELECT 1 FROM messages WHERE thread_id = p_thread AND client_id = p_client) THEN
            outcome := 'repeat'; RETURN NEXT; RETURN;
          END IF;
          IF t.assignee_kind = 'bot' OR (p_reopen AND t.status = 'resolved') THEN
            outcome := 'slow'; RETURN NEXT; RETURN;
          END IF;
          unread_visitor := (SELECT count(*) FROM messages u WHERE u.thread_id = p_thread AND u.author_kind <> 'visitor' AND u.seq > t.visitor_read_seq);
          unread_agent := (SELECT count(*) FROM messages u WHERE u.thread_id = p_thread AND u.author_kind = 'visitor' AND u.seq > t.agent_read_seq);
          UPDATE threads SET last_seq = last_seq + 1, updated_at = p_at WHERE id = p_thread RETURNING * INTO t;
          INSERT INTO messages (id, app_id, thread_id, seq, client_id, body_hash, author_kind, author_name, author_avatar, text, kind, attachments, quick_replies, blocks, meta, created_at)
            VALUES (p_id, p_app, p_thread, t.last_seq, p_client, p_hash, 'visitor', NULL, NULL, p_text, p_kind, '[]', p_quick_replies, p_blocks, p_meta, p_at);
          outcome := 'appended';
          thread := to_jsonb(t);
          visitor := (SELECT jsonb_build_object('id', v.id, 'user_id', v.user_id, 'name', v.name, 'email', v.email, 'context', v.context, 'last_seen_at', v.last_seen_at) FROM visitors v WHERE v.id = t.visitor_id);
          RETURN NEXT;
        END
        $fn$
      `.execute(db);
    },
  },
  '0016_append_batch': {
    // PostgreSQL: several visitors' messages in one statement (SqlStore's group commit), a
    // thread's first message included. One statement — one round trip, one transaction, one
    // commit — for every send that reached the node while the previous statement ran: a busy node
    // pays a statement's costs (its turn through the event loop, the write to the socket, the
    // commit's flush) once per group instead of once per message. Each send is what 0015's
    // function does for one, in thread-id order (two groups that share threads lock them in the
    // same order), plus the creation of a new thread when the send asks for it and nobody else
    // handles it (`create`: no bot, no prompt answered; the thread is created waiting for a person,
    // as the general path would). `i` says which send a row answers. 0015's function stays for
    // nodes of the previous version during a rolling restart. A migration that adds a column to
    // `messages` or `threads` without a default must replace this function too.
    async up(db: Kysely<any>) {
      if (engineOf(db) !== 'postgres') return;
      await sql`
        CREATE OR REPLACE FUNCTION threadline_append_visitors(p_sends jsonb)
        RETURNS TABLE (i int, outcome text, created boolean, thread jsonb, unread_visitor bigint, unread_agent bigint, visitor jsonb)
        LANGUAGE plpgsql AS $fn$
        DECLARE
          s record;
          t threads%ROWTYPE;
        BEGIN
          FOR s IN
            SELECT x.* FROM jsonb_to_recordset(p_sends) AS x(
              i int, thread_id text, app_id text, visitor_id text, user_id text, threads text[], "create" boolean,
              id text, client_id text, body_hash text, text text, kind text, quick_replies text, blocks text, meta text, at bigint, reopen boolean
            ) ORDER BY x.thread_id, x.i
          LOOP
            i := s.i; created := false; thread := NULL; unread_visitor := NULL; unread_agent := NULL; visitor := NULL;
            SELECT * INTO t FROM threads WHERE id = s.thread_id FOR NO KEY UPDATE;
            IF NOT FOUND THEN
              IF NOT coalesce(s."create", false) THEN
                outcome := 'missing'; RETURN NEXT; CONTINUE;
              END IF;
              INSERT INTO threads (id, app_id, visitor_id, user_id, status, last_seq, visitor_read_seq, agent_read_seq, campaign,
                  rating_score, rating_comment, created_at, updated_at, notify_sent_seq, notify_off,
                  assignee_kind, assignee_id, assignee_name, assigned_at, bot_streak, bot_waiting)
                VALUES (s.thread_id, s.app_id, s.visitor_id, s.user_id, 'open', 0, 0, 0, NULL, NULL, NULL, s.at, s.at, 0, 0,
                  'queue', NULL, NULL, s.at, 0, 0)
                ON CONFLICT (id) DO NOTHING
                RETURNING * INTO t;
              IF FOUND THEN
                created := true;
              ELSE
                -- Another send created it and committed meanwhile: locked and checked like any thread.
                SELECT * INTO t FROM threads WHERE id = s.thread_id FOR NO KEY UPDATE;
              END IF;
            END IF;
            IF NOT created AND (t.app_id <> s.app_id OR NOT (
              s.thread_id = ANY (coalesce(s.threads, '{}'))
              OR (t.user_id IS NOT NULL AND s.user_id IS NOT NULL AND t.user_id = s.user_id)
              OR (t.user_id IS NULL AND t.visitor_id = s.visitor_id)
            )) THEN
              outcome := 'invisible'; RETURN NEXT; CONTINUE;
            END IF;
            IF NOT created AND s.client_id IS NOT NULL AND EXISTS (SELECT 1 FROM messages WHERE thread_id = s.thread_id AND client_id = s.client_id) THEN
              outcome := 'repeat'; RETURN NEXT; CONTINUE;
            END IF;
            IF t.assignee_kind = 'bot' OR (s.reopen AND t.status = 'resolved') THEN
              outcome := 'slow'; RETURN NEXT; CONTINUE;
            END IF;
            IF created THEN
              unread_visitor := 0; unread_agent := 0;
            ELSE
              unread_visitor := (SELECT count(*) FROM messages u WHERE u.thread_id = s.thread_id AND u.author_kind <> 'visitor' AND u.seq > t.visitor_read_seq);
              unread_agent := (SELECT count(*) FROM messages u WHERE u.thread_id = s.thread_id AND u.author_kind = 'visitor' AND u.seq > t.agent_read_seq);
            END IF;
            UPDATE threads SET last_seq = last_seq + 1, updated_at = s.at WHERE id = s.thread_id RETURNING * INTO t;
            INSERT INTO messages (id, app_id, thread_id, seq, client_id, body_hash, author_kind, author_name, author_avatar, text, kind, attachments, quick_replies, blocks, meta, created_at)
              VALUES (s.id, s.app_id, s.thread_id, t.last_seq, s.client_id, s.body_hash, 'visitor', NULL, NULL, s.text, s.kind, '[]', s.quick_replies, s.blocks, s.meta, s.at);
            outcome := 'appended';
            thread := to_jsonb(t);
            visitor := (SELECT jsonb_build_object('id', v.id, 'user_id', v.user_id, 'name', v.name, 'email', v.email, 'context', v.context, 'last_seen_at', v.last_seen_at) FROM visitors v WHERE v.id = t.visitor_id);
            RETURN NEXT;
          END LOOP;
        END
        $fn$
      `.execute(db);
    },
  },
  '0017_push_function': {
    // PostgreSQL: a brand's push to a visitor (POST /v1/proactive without a campaign) in one
    // statement, where the general path (SqlStore.insertProactive) takes seven: the visitor's read,
    // a transaction of the target's advisory lock, one read for the repeat, the conversation and
    // the day's prompts, the insert, and after it the `delivered` mark. Same rules, same order,
    // same lock (so a push here and one on the general path, or on another node, count each
    // other): `no_visitor` (unknown, or another app's), `repeat` (the Idempotency-Key's stored
    // prompt, returned), `talking` (an agent wrote in an open thread of the visitor since
    // p_person_since: when), `capped` (p_per_day prompts since p_day_since: the oldest), or
    // `inserted`. `raced`: the key was stored meanwhile by a push to another target (the insert
    // found it taken): the general path answers that one.
    async up(db: Kysely<any>) {
      if (engineOf(db) !== 'postgres') return;
      await sql`
        CREATE OR REPLACE FUNCTION threadline_push_visitor(p_row jsonb, p_per_day int, p_day_since bigint, p_person_since bigint)
        RETURNS TABLE (outcome text, at bigint, prompt jsonb)
        LANGUAGE plpgsql AS $fn$
        DECLARE
          r proactive%ROWTYPE;
          v_app text;
          n bigint;
        BEGIN
          r := jsonb_populate_record(NULL::proactive, p_row);
          SELECT app_id INTO v_app FROM visitors WHERE id = r.visitor_id;
          IF v_app IS NULL OR v_app <> r.app_id THEN
            outcome := 'no_visitor'; RETURN NEXT; RETURN;
          END IF;
          PERFORM pg_advisory_xact_lock(hashtextextended('prompts:' || r.app_id || ':visitor:' || r.visitor_id, 0));
          IF r.idempotency_key IS NOT NULL THEN
            prompt := (SELECT to_jsonb(x) FROM proactive x WHERE x.app_id = r.app_id AND x.idempotency_key = r.idempotency_key);
            IF prompt IS NOT NULL THEN
              outcome := 'repeat'; RETURN NEXT; RETURN;
            END IF;
          END IF;
          at := (SELECT max(m.created_at) FROM messages m JOIN threads t ON t.id = m.thread_id
                 WHERE t.app_id = r.app_id AND t.visitor_id = r.visitor_id AND t.status = 'open'
                   AND t.updated_at > p_person_since AND m.author_kind = 'agent' AND m.created_at > p_person_since);
          IF at IS NOT NULL THEN
            outcome := 'talking'; RETURN NEXT; RETURN;
          END IF;
          IF p_per_day > 0 THEN
            SELECT count(*), min(x.created_at) INTO n, at FROM proactive x
              WHERE x.app_id = r.app_id AND x.created_at > p_day_since AND x.visitor_id = r.visitor_id;
            IF n >= p_per_day THEN
              outcome := 'capped'; RETURN NEXT; RETURN;
            END IF;
            at := NULL;
          END IF;
          INSERT INTO proactive SELECT r.* ON CONFLICT (app_id, idempotency_key) DO NOTHING;
          IF NOT FOUND THEN
            outcome := 'raced'; RETURN NEXT; RETURN;
          END IF;
          outcome := 'inserted'; RETURN NEXT;
        END
        $fn$
      `.execute(db);
    },
  },
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
