/**
 * Rich content on a message: buttons, cards, a carousel of cards, and a form. Blocks are additive:
 * every message keeps its plain `text`, which is what old clients, email notifications and
 * screen-reader summaries show, so a message with blocks must have text (the fallback).
 *
 * Blocks are data, never markup: every string is rendered as text, every URL is checked here
 * (http/https for links; our own file store or https for images) and again by the renderer.
 */
import * as v from 'valibot';
import { LIMITS } from './limits.js';
import { fieldNameSchema } from './schemas.js';
import { FILE_PATH, compiles } from './form-check.js';

export { FILE_PATH, fieldProblem, formProblem, type FieldProblem } from './form-check.js';

/** Sends `label` as the visitor's reply, with `value` in the reply's `meta.quickReply`. */
export interface ReplyButton {
  type: 'reply';
  label: string;
  value: string;
}

/** Opens an http(s) URL in a new tab; sends nothing. */
export interface UrlButton {
  type: 'url';
  label: string;
  url: string;
}

/** Asks for a person: sends `label` as the visitor's message with `meta.handoff: true`. */
export interface HandoffButton {
  type: 'handoff';
  label: string;
}

export type Button = ReplyButton | UrlButton | HandoffButton;

/** A key–value line on a card, e.g. `{ label: 'Status', value: 'Shipped' }`. */
export interface CardField {
  label: string;
  value: string;
}

export interface CardImage {
  /** `/v1/files/<id>` of this server's file store, or an https URL. */
  url: string;
  /** Text alternative; empty or absent for a decorative image. */
  alt?: string;
}

export interface Card {
  title: string;
  subtitle?: string;
  image?: CardImage;
  fields?: CardField[];
  /** Up to 3. */
  buttons?: Button[];
}

export interface FormField {
  /** Key of the value in the answer (`meta.form.values[name]`). */
  name: string;
  label: string;
  /** @default 'text' */
  type?: 'text' | 'email';
  /**
   * A JavaScript regular expression the whole value must match (like HTML's `pattern`: anchored
   * at both ends, Unicode mode), e.g. `[A-Z]-?\d{4,8}`.
   */
  pattern?: string;
  /** Shown under the field when the value does not match `pattern`. */
  hint?: string;
  /** @default false */
  required?: boolean;
}

export type Block =
  | { type: 'buttons'; buttons: Button[] }
  | ({ type: 'card' } & Card)
  | { type: 'carousel'; cards: Card[] }
  | { type: 'form'; fields: FormField[]; submitLabel?: string };

export type BlockType = Block['type'];
export type FormBlock = Extract<Block, { type: 'form' }>;

const text = (max: number) => v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(max));
const optionalText = (max: number) => v.optional(v.pipe(v.string(), v.trim(), v.maxLength(max)));

function urlWith(protocols: readonly string[], raw: string): boolean {
  try {
    return protocols.includes(new URL(raw).protocol);
  } catch {
    // Not an absolute URL: refused by the check that called this.
    return false;
  }
}

/** A link a button opens: absolute http or https only (no javascript:, data:, mailto:…). */
export const linkUrlSchema = v.pipe(
  v.string(),
  v.maxLength(LIMITS.maxUrlLength),
  v.check((u) => urlWith(['http:', 'https:'], u), 'must be an http or https URL'),
);


/** An image source: this server's file store (`/v1/files/<id>`) or an https URL. */
export const imageUrlSchema = v.pipe(
  v.string(),
  v.maxLength(LIMITS.maxUrlLength),
  v.check((u) => FILE_PATH.test(u) || urlWith(['https:'], u), 'must be /v1/files/<id> or an https URL'),
);

const label = text(LIMITS.maxLabelLength);

export const buttonSchema = v.variant('type', [
  v.object({ type: v.literal('reply'), label, value: text(LIMITS.maxValueLength) }),
  v.object({ type: v.literal('url'), label, url: linkUrlSchema }),
  v.object({ type: v.literal('handoff'), label }),
]);

const cardEntries = {
  title: text(LIMITS.maxTitleLength),
  subtitle: optionalText(LIMITS.maxSubtitleLength),
  image: v.optional(v.object({ url: imageUrlSchema, alt: optionalText(LIMITS.maxSubtitleLength) })),
  fields: v.optional(v.pipe(v.array(v.object({ label, value: text(LIMITS.maxSubtitleLength) })), v.maxLength(LIMITS.maxCardFields, `at most ${LIMITS.maxCardFields} fields`))),
  buttons: v.optional(v.pipe(v.array(buttonSchema), v.maxLength(LIMITS.maxCardButtons, `at most ${LIMITS.maxCardButtons} buttons`))),
};

export const cardSchema = v.object(cardEntries);

export const formFieldSchema = v.object({
  name: fieldNameSchema,
  label,
  type: v.optional(v.picklist(['text', 'email'])),
  pattern: v.optional(v.pipe(v.string(), v.maxLength(LIMITS.maxPatternLength), v.check(compiles, 'must be a valid regular expression'))),
  hint: optionalText(LIMITS.maxSubtitleLength),
  required: v.optional(v.boolean()),
});

export const blockSchema = v.variant('type', [
  v.object({
    type: v.literal('buttons'),
    buttons: v.pipe(v.array(buttonSchema), v.minLength(1, 'at least 1 button'), v.maxLength(LIMITS.maxButtons, `at most ${LIMITS.maxButtons} buttons`)),
  }),
  v.object({ type: v.literal('card'), ...cardEntries }),
  v.object({
    type: v.literal('carousel'),
    cards: v.pipe(v.array(cardSchema), v.minLength(1, 'at least 1 card'), v.maxLength(LIMITS.maxCarouselCards, `at most ${LIMITS.maxCarouselCards} cards`)),
  }),
  v.object({
    type: v.literal('form'),
    fields: v.pipe(
      v.array(formFieldSchema),
      v.minLength(1, 'at least 1 field'),
      v.maxLength(LIMITS.maxFormFields, `at most ${LIMITS.maxFormFields} fields`),
      v.check((fs) => new Set(fs.map((f) => f.name)).size === fs.length, 'field names must be unique'),
    ),
    submitLabel: v.optional(label),
  }),
]);

/** A message's blocks: at most `LIMITS.maxBlocks`, and at most one form (its answer names the message). */
export const blocksSchema = v.pipe(
  v.array(blockSchema),
  v.maxLength(LIMITS.maxBlocks, `at most ${LIMITS.maxBlocks} blocks`),
  v.check((bs) => bs.filter((b) => b.type === 'form').length <= 1, 'at most 1 form per message'),
);

export const quickRepliesSchema = v.pipe(
  v.array(v.object({ label, value: v.optional(text(LIMITS.maxValueLength)) })),
  v.maxLength(LIMITS.maxQuickReplies, `at most ${LIMITS.maxQuickReplies} quick replies`),
);

/**
 * The content of a brand-side message with rich parts (`POST /v1/threads/:id/messages`): blocks
 * and quick replies need text beside them, the fallback every other client and channel shows.
 */
export const richContentSchema = v.pipe(
  v.object({
    text: v.pipe(v.string(), v.maxLength(LIMITS.maxTextLength)),
    blocks: v.optional(blocksSchema),
    quickReplies: v.optional(quickRepliesSchema),
  }),
  v.check(
    (m) => !(m.blocks?.length || m.quickReplies?.length) || m.text.trim().length > 0,
    'a message with blocks or quick replies needs text, its fallback for clients and emails that do not show them',
  ),
);
