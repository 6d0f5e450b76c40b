/**
 * Runtime validators (valibot: tree-shakes, so a browser bundle pays only for what it imports).
 * The server validates every inbound payload with these; a failure answers `bad_request`, or
 * `payload_too_large` for message text over `LIMITS.maxTextLength`, `email_invalid` for an `email`
 * that is not an address (see `validate`).
 */
import * as v from 'valibot';
import { LIMITS } from './limits.js';

const id = v.pipe(v.string(), v.minLength(1), v.maxLength(64), v.regex(/^[\w-]+$/, 'must be an id'));
const seq = v.pipe(v.number(), v.integer(), v.minValue(0));
const pageSize = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(LIMITS.maxPageSize));
const shortText = (max: number) => v.pipe(v.string(), v.maxLength(max));

/** The canonical form of a BCP 47 language tag ("EN-us" → "en-US"), or null if it is not one. */
export function canonicalLocale(tag: string): string | null {
  try {
    return Intl.getCanonicalLocales(tag)[0] ?? null;
  } catch {
    // RangeError: not a structurally valid tag. Callers decide what "no locale" means.
    return null;
  }
}

/**
 * A locale is stored and shown to agents, who format numbers and dates with it: anything that is
 * not a BCP 47 tag would make `Intl` throw in every reader, so it is refused here and kept
 * canonical.
 */
const localeSchema = v.pipe(
  v.string(),
  v.maxLength(35),
  v.check((tag) => canonicalLocale(tag) !== null, 'must be a BCP 47 language tag, e.g. "en-US"'),
  v.transform((tag) => canonicalLocale(tag)!),
);

export const uuidSchema = v.pipe(v.string(), v.uuid('must be a UUID'));

/** A form field's name: also the key of its value in a form answer. */
export const fieldNameSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(32), v.regex(/^[A-Za-z][\w-]*$/, 'must be a field name (letters, digits, _ and -)'));

/** `form` of a send: the visitor's answer to a form block (values by field name). */
export const formAnswerSchema = v.object({
  /** The message (server id) whose form this answers. */
  messageId: id,
  values: v.pipe(
    v.record(fieldNameSchema, shortText(LIMITS.maxFieldValueLength)),
    v.check((r) => Object.keys(r).length <= LIMITS.maxFormFields, `at most ${LIMITS.maxFormFields} values`),
  ),
});

export const visitorAuthSchema = v.object({
  appId: id,
  v: v.pipe(v.number(), v.integer()),
  token: v.optional(shortText(2048)),
  userId: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(128))),
  userHash: v.optional(shortText(128)),
  jwt: v.optional(shortText(4096)),
  name: v.optional(shortText(120)),
  email: v.optional(shortText(254)),
});

export const sendInputSchema = v.pipe(
  v.object({
    /** Existing thread, or a new UUIDv7 chosen by the client together with `create: true`. */
    threadId: uuidSchema,
    create: v.optional(v.boolean()),
    clientId: uuidSchema,
    text: shortText(LIMITS.maxTextLength),
    attachmentIds: v.optional(v.pipe(v.array(id), v.maxLength(LIMITS.maxAttachments))),
    /** The proactive prompt this message answers (starts the thread from its campaign). */
    proactiveId: v.optional(id),
    /** The quick reply picked, when the text came from a button. */
    quickReply: v.optional(shortText(200)),
    /** The visitor asked for a person (a `handoff` button, or "Talk to a person"): stored as `meta.handoff`. */
    handoff: v.optional(v.literal(true)),
    /** An answer to a `form` block of message `messageId`: stored as `meta.form` (see docs/protocol.md). */
    form: v.optional(formAnswerSchema),
  }),
  v.check(
    (input) => input.text.trim().length > 0 || (input.attachmentIds?.length ?? 0) > 0,
    'a message needs text or at least one attachment',
  ),
);

export const syncInputSchema = v.object({
  /**
   * threadId → highest seq the client holds for it: the server replays what came after. Threads
   * absent here come with their newest page only (older pages through `messages.list`).
   */
  cursors: v.pipe(
    v.record(id, seq),
    v.check((r) => Object.keys(r).length <= 1000, 'at most 1000 cursors'),
  ),
  limit: v.optional(pageSize),
});

export const listThreadsInputSchema = v.object({
  /** Opaque `next` cursor from a previous page. */
  before: v.optional(shortText(64)),
  limit: v.optional(pageSize),
});

export const listMessagesInputSchema = v.object({
  threadId: id,
  /** Messages with seq < before, newest first page (returned ascending). */
  before: v.optional(seq),
  /** Messages with seq > after, ascending. */
  after: v.optional(seq),
  limit: v.optional(pageSize),
});

export const readInputSchema = v.object({ threadId: id, seq });
export const typingInputSchema = v.object({ threadId: id, typing: v.boolean() });

const scalar = v.union([v.pipe(v.string(), v.maxLength(500)), v.number(), v.boolean(), v.null()]);
const smallRecord = v.pipe(
  v.record(v.pipe(v.string(), v.maxLength(64)), scalar),
  v.check((r) => Object.keys(r).length <= 50, 'at most 50 keys'),
);

/** `ping` carries nothing: it only asks the server to answer on this connection. */
export const pingInputSchema = v.object({});
/** `availability.get` carries nothing: the app is the socket's. */
export const availabilityInputSchema = v.object({});
/** The server's `availability` event (server → visitor), for clients that check what they receive. */
export const availabilityEventSchema = v.object({ agentsOnline: v.boolean() });
/** `thread.attach`: the token of an email's continue link (see docs/notifications.md). */
export const threadAttachInputSchema = v.object({ token: v.pipe(v.string(), v.regex(/^[0-9a-f]{32}\.[0-9]{1,16}\.[0-9a-f]{24}$/, 'not a continue-link token')) });

export const trackInputSchema = v.object({
  name: v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.maxEventNameLength)),
  props: v.optional(smallRecord),
});

export const contextInputSchema = v.object({
  page: v.optional(
    v.object({
      url: shortText(2048),
      title: v.optional(shortText(300)),
      referrer: v.optional(shortText(2048)),
    }),
  ),
  attributes: v.optional(smallRecord),
  cart: v.optional(
    v.object({
      value: v.pipe(v.number(), v.minValue(0)),
      currency: v.optional(v.pipe(v.string(), v.regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code'))),
      items: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
    }),
  ),
  locale: v.optional(localeSchema),
});

export const rateInputSchema = v.object({
  threadId: id,
  score: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(5)),
  comment: v.optional(shortText(LIMITS.maxCommentLength)),
});

export const proactiveEventInputSchema = v.object({
  id,
  event: v.picklist(['shown', 'opened', 'replied', 'dismissed', 'suppressed']),
});

/**
 * `campaign.fire`: a page trigger of a listed campaign (`Session.campaigns`) fired on the page;
 * `id` is the prompt's id, made by the page (a UUID), under which the server stores it.
 */
export const campaignFireInputSchema = v.object({
  campaign: id,
  id: uuidSchema,
});

/**
 * `notify.email.set`: where to email replies while the visitor is away; null removes it. Checked
 * for the shape of an address only (nothing is sent to confirm it); the server answers
 * `email_invalid` for anything else and stores the address trimmed, its domain in lower case.
 */
export const notifyEmailInputSchema = v.object({
  email: v.nullable(v.pipe(v.string(), v.trim(), v.maxLength(254), v.email('must be an email address'))),
});

export type SendInput = v.InferOutput<typeof sendInputSchema>;
export type FormAnswer = v.InferOutput<typeof formAnswerSchema>;
export type SyncInput = v.InferOutput<typeof syncInputSchema>;
export type ListThreadsInput = v.InferOutput<typeof listThreadsInputSchema>;
export type ListMessagesInput = v.InferOutput<typeof listMessagesInputSchema>;
export type ReadInput = v.InferOutput<typeof readInputSchema>;
export type TypingInput = v.InferOutput<typeof typingInputSchema>;
export type PingInput = v.InferOutput<typeof pingInputSchema>;
export type AvailabilityInput = v.InferOutput<typeof availabilityInputSchema>;
export type ThreadAttachInput = v.InferOutput<typeof threadAttachInputSchema>;
export type TrackInput = v.InferOutput<typeof trackInputSchema>;
export type ContextInput = v.InferOutput<typeof contextInputSchema>;
export type RateInput = v.InferOutput<typeof rateInputSchema>;
export type ProactiveEventInput = v.InferOutput<typeof proactiveEventInputSchema>;
export type NotifyEmailInput = v.InferOutput<typeof notifyEmailInputSchema>;
export type CampaignFireInput = v.InferOutput<typeof campaignFireInputSchema>;

/**
 * Result of validating a payload: the typed value, or the error code to answer with and a readable
 * reason naming the field.
 */
export type Validated<T> =
  | { ok: true; value: T }
  | { ok: false; code: 'bad_request' | 'payload_too_large' | 'email_invalid'; message: string };

export function validate<S extends v.GenericSchema>(schema: S, input: unknown): Validated<v.InferOutput<S>> {
  const result = v.safeParse(schema, input);
  if (result.success) return { ok: true, value: result.output };
  const issue = result.issues[0];
  const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
  // Well-formed text that is merely too long is `payload_too_large` (docs/protocol.md, Error
  // codes), so a client can tell "shorten it" from "fix the request".
  const tooLarge = path === 'text' && issue.type === 'max_length' && issue.requirement === LIMITS.maxTextLength;
  // A string that is not an address is `email_invalid`, so a form can say "check the address".
  const badEmail = path === 'email' && (issue.type === 'email' || issue.type === 'max_length');
  const code = tooLarge ? 'payload_too_large' : badEmail ? 'email_invalid' : 'bad_request';
  return { ok: false, code, message: path ? `${path}: ${issue.message}` : issue.message };
}
