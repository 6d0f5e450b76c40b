/**
 * Rich messages (buttons, cards, a carousel, a form): a chunk of its own (`tl-rich-*.js`), fetched
 * when a message with blocks is drawn (rich-slot.tsx); the message's text shows meanwhile and
 * stays above the blocks. Everything from the network is drawn as text: labels, titles and
 * values are text nodes, links are http(s) only and open in a new tab, images are this server's
 * files (fetched with the visitor's token) or https.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { FILE_PATH, fieldProblem, type Block, type Button, type Card, type FieldProblem, type FormBlock } from '@threadline/protocol';
import type { MessageView, OutgoingMessage } from '@threadline/core';
import { richWords, type RichStringKey, type RichT } from '../i18n/rich-strings.js';
import type { ResolveUrl } from './Attachments.js';
import { useRichStyles } from './rich-styles.js';

/**
 * What the blocks read of the message they belong to; a prompt above a new conversation is one
 * too (its id names its form's answer, its key is its id).
 */
export type BlocksOwner = Pick<MessageView, 'id' | 'blocks'> & { key?: string };

export interface BlocksProps {
  message: BlocksOwner;
  /** Every message of the thread: a form shows as answered once the visitor's answer is among them. */
  thread?: readonly MessageView[] | undefined;
  locale: string;
  /** Without it (a read-only view) buttons and forms do nothing. */
  onSend?: ((message: OutgoingMessage) => void) | undefined;
  resolveUrl: ResolveUrl;
}

/** The blocks of one brand message, under its text. */
export function Blocks({ message, thread = [], locale, onSend = () => {}, resolveUrl }: BlocksProps) {
  const root = useRef<HTMLDivElement>(null);
  useRichStyles(root);
  const w = richWords(locale);
  const ctx: Ctx = { w, onSend, resolveUrl };
  return (
    <div class="rich" ref={root}>
      {(message.blocks ?? []).map((b, i) => (
        <BlockView key={i} block={b} ctx={ctx} message={message} thread={thread} />
      ))}
    </div>
  );
}

interface Ctx {
  w: RichT;
  onSend: (message: OutgoingMessage) => void;
  resolveUrl: ResolveUrl;
}

function BlockView({ block, ctx, message, thread }: { block: Block; ctx: Ctx; message: BlocksOwner; thread: readonly MessageView[] }) {
  switch (block.type) {
    case 'buttons':
      return <Buttons buttons={block.buttons} ctx={ctx} />;
    case 'card':
      return <CardView card={block} ctx={ctx} />;
    case 'carousel':
      return (
        // A list, scrolled sideways; focusable so the keyboard can scroll cards without buttons.
        <ul class="rich-carousel" tabIndex={0} aria-label={ctx.w('richCards')}>
          {block.cards.map((c, i) => (
            <li key={i}>
              <CardView card={c} ctx={ctx} />
            </li>
          ))}
        </ul>
      );
    case 'form':
      return <FormView form={block} ctx={ctx} message={message} thread={thread} />;
    default:
      // A block type from a newer server: its message's text stands for it.
      return null;
  }
}

/** Only absolute http(s) links are ever made clickable (the server checks too). */
function httpUrl(raw: string): string | null {
  try {
    const u = new URL(raw);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    // Not a URL: the button is left out.
    return null;
  }
}

function Buttons({ buttons, ctx }: { buttons: readonly Button[]; ctx: Ctx }) {
  return (
    <div class="rich-buttons">
      {buttons.map((b, i) => {
        if (b.type === 'url') {
          const href = httpUrl(b.url);
          return (
            href && (
              <a key={i} class="btn rich-btn" href={href} target="_blank" rel="noopener noreferrer" dir="auto">
                {b.label}
                <span class="sr-only"> {ctx.w('richNewTab')}</span>
              </a>
            )
          );
        }
        const send = (): void =>
          ctx.onSend(b.type === 'reply' ? { text: b.label, quickReply: b.value } : { text: b.label, handoff: true });
        return (
          <button key={i} type="button" class="btn rich-btn" dir="auto" onClick={send}>
            {b.label}
          </button>
        );
      })}
    </div>
  );
}

function CardView({ card, ctx }: { card: Card; ctx: Ctx }) {
  return (
    <div class="rich-card">
      {card.image && <CardImage url={card.image.url} alt={card.image.alt ?? ''} resolve={ctx.resolveUrl} />}
      <div class="rich-card-body">
        <p class="rich-title" dir="auto">
          {card.title}
        </p>
        {card.subtitle && (
          <p class="rich-subtitle" dir="auto">
            {card.subtitle}
          </p>
        )}
        {card.fields?.length ? (
          <dl class="rich-fields">
            {card.fields.map((f, i) => (
              <div key={i}>
                <dt dir="auto">{f.label}</dt>
                <dd dir="auto">{f.value}</dd>
              </div>
            ))}
          </dl>
        ) : null}
      </div>
      {card.buttons?.length ? <Buttons buttons={card.buttons} ctx={ctx} /> : null}
    </div>
  );
}

/**
 * This server's file (`/v1/files/<id>`) comes through the core with the visitor's token, as an
 * object URL revoked when the card goes; an https image is loaded as it is, without a referrer.
 */
function CardImage({ url, alt, resolve }: { url: string; alt: string; resolve: ResolveUrl }) {
  const own = FILE_PATH.test(url);
  const [src, setSrc] = useState<string | null>(own ? null : httpUrl(url)?.startsWith('https:') ? url : null);
  useEffect(() => {
    if (!own) return;
    let alive = true;
    let made: string | null = null;
    void resolve({ id: url.slice(10), name: '', mime: 'image/*', size: 0, url }).then((u) => {
      made = u;
      if (alive) setSrc(u);
      else if (u) URL.revokeObjectURL(u);
    });
    return () => {
      alive = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [url]);
  return <div class="rich-image">{src && <img src={src} alt={alt} loading="lazy" decoding="async" referrerpolicy="no-referrer" />}</div>;
}

const PROBLEM_WORDS: Record<FieldProblem, RichStringKey> = {
  required: 'richRequired',
  email: 'richEmail',
  pattern: 'richPattern',
  too_long: 'richTooLong',
  unknown: 'richPattern',
};

/** The visitor's answer to this form, from the thread (once the server has it). */
function answerOf(message: BlocksOwner, thread: readonly MessageView[]): Record<string, string> | null {
  for (const m of thread) {
    const form = m.own ? (m.meta?.form as { messageId?: unknown; values?: Record<string, string> } | undefined) : undefined;
    if (form && form.messageId === message.id && form.values) return form.values;
  }
  return null;
}

function FormView({ form, ctx, message, thread }: { form: FormBlock; ctx: Ctx; message: BlocksOwner; thread: readonly MessageView[] }) {
  const [values, setValues] = useState<Record<string, string>>({});
  const [problems, setProblems] = useState<Record<string, FieldProblem>>({});
  const [sent, setSent] = useState<Record<string, string> | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const answer = sent ?? answerOf(message, thread);
  const id = (name: string) => `tl-${message.key ?? message.id}-${name}`;

  if (answer) {
    return (
      <div class="rich-form rich-answered">
        <p class="rich-done">{ctx.w('richAnswered')}</p>
        <dl class="rich-fields">
          {form.fields.map((f) =>
            answer[f.name] ? (
              <div key={f.name}>
                <dt dir="auto">{f.label}</dt>
                <dd dir="auto">{answer[f.name]}</dd>
              </div>
            ) : null,
          )}
        </dl>
      </div>
    );
  }

  const submit = (e: Event) => {
    e.preventDefault();
    const found: Record<string, FieldProblem> = {};
    for (const f of form.fields) {
      const p = fieldProblem(f, values[f.name]);
      if (p) found[f.name] = p;
    }
    setProblems(found);
    const first = form.fields.find((f) => found[f.name]);
    if (first) {
      formRef.current?.querySelector<HTMLInputElement>(`[name="${first.name}"]`)?.focus();
      return;
    }
    if (!message.id) return;
    const answered: Record<string, string> = {};
    for (const f of form.fields) {
      const v = (values[f.name] ?? '').trim();
      if (v) answered[f.name] = v;
    }
    // The text is the answer for every reader without blocks: the agent's email, an old console.
    const text = form.fields.flatMap((f) => (answered[f.name] ? [`${f.label}: ${answered[f.name]}`] : [])).join('\n');
    ctx.onSend({ text: text || ctx.w('richAnswered'), form: { messageId: message.id, values: answered } });
    setSent(answered);
  };

  return (
    <form class="rich-form" ref={formRef} noValidate onSubmit={submit}>
      {form.fields.map((f) => {
        const problem = problems[f.name];
        // A pattern's hint ("Like A-1234") says what the format is; it stays under the field.
        const note = problem ? `${ctx.w(PROBLEM_WORDS[problem])}${problem === 'pattern' && f.hint ? ` ${f.hint}` : ''}` : f.hint;
        return (
          <div key={f.name} class="rich-field">
            <label for={id(f.name)} dir="auto">
              {f.label}
              {f.required && <span aria-hidden="true"> *</span>}
            </label>
            <input
              id={id(f.name)}
              name={f.name}
              type={f.type === 'email' ? 'email' : 'text'}
              autoComplete={f.type === 'email' ? 'email' : 'off'}
              dir="auto"
              required={f.required}
              aria-invalid={problem ? 'true' : undefined}
              aria-describedby={note ? `${id(f.name)}-note` : undefined}
              value={values[f.name] ?? ''}
              onInput={(e) => setValues({ ...values, [f.name]: (e.currentTarget as HTMLInputElement).value })}
            />
            {note && (
              <p id={`${id(f.name)}-note`} class={problem ? 'rich-note rich-error' : 'rich-note'} dir="auto">
                {note}
              </p>
            )}
          </div>
        );
      })}
      <button type="submit" class="btn btn-primary rich-submit" disabled={!message.id}>
        {form.submitLabel ?? ctx.w('richSubmit')}
      </button>
    </form>
  );
}
