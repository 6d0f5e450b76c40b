import type { Block, Button, Card } from '@threadline/protocol';
import { safeHref } from '@threadline/protocol';

/**
 * A message's rich content as the agent sees it: read only and compact — what the shopper was
 * shown (cards with their fields, buttons, a form's fields), not something to click for them.
 * Everything is text; a url button's link opens in a new tab when it is http(s).
 */
export function MessageBlocks({ blocks }: { blocks: readonly Block[] }) {
  return (
    <div class="blocks">
      {blocks.map((b, i) => (
        <BlockView key={i} block={b} />
      ))}
    </div>
  );
}

function BlockView({ block }: { block: Block }) {
  switch (block.type) {
    case 'buttons':
      return <Buttons buttons={block.buttons} />;
    case 'card':
      return <CardView card={block} />;
    case 'carousel':
      return (
        <div class="block-carousel">
          <p class="block-kind">Carousel · {block.cards.length} cards</p>
          <ul>
            {block.cards.map((c, i) => (
              <li key={i}>
                <CardView card={c} />
              </li>
            ))}
          </ul>
        </div>
      );
    case 'form':
      return (
        <div class="block-card">
          <p class="block-kind">Form</p>
          <ul class="block-fields">
            {block.fields.map((f) => (
              <li key={f.name}>
                {f.label}
                {f.required ? ' *' : ''}
                <span class="block-detail">
                  {' '}
                  ({f.type === 'email' ? 'email' : 'text'}
                  {f.pattern ? `, pattern ${f.pattern}` : ''})
                </span>
              </li>
            ))}
          </ul>
        </div>
      );
    default:
      // A block type this console does not know: the message's text stands for it.
      return null;
  }
}

function Buttons({ buttons }: { buttons: readonly Button[] }) {
  return (
    <p class="block-buttons">
      {buttons.map((b, i) => {
        if (b.type === 'url') {
          const href = safeHref(b.url);
          return (
            <span key={i} class="tag">
              {href?.startsWith('http') ? (
                <a href={href} target="_blank" rel="noopener noreferrer">
                  {b.label} ↗
                </a>
              ) : (
                b.label
              )}
            </span>
          );
        }
        return (
          <span key={i} class="tag" title={b.type === 'reply' ? `Replies “${b.label}” with value ${b.value}` : 'Asks for a person'}>
            {b.type === 'handoff' ? `${b.label} (handoff)` : b.label}
          </span>
        );
      })}
    </p>
  );
}

function CardView({ card }: { card: Card }) {
  return (
    <div class="block-card">
      <p class="block-title">{card.title}</p>
      {card.subtitle && <p class="block-detail">{card.subtitle}</p>}
      {card.image && <p class="block-detail">Image{card.image.alt ? `: ${card.image.alt}` : ''}</p>}
      {card.fields?.length ? (
        <dl class="block-kv">
          {card.fields.map((f, i) => (
            <div key={i}>
              <dt>{f.label}</dt>
              <dd>{f.value}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      {card.buttons?.length ? <Buttons buttons={card.buttons} /> : null}
    </div>
  );
}

/** What a visitor's message carries besides its text: a form's values, a request for a person, a button's value. */
export function AnswerMeta({ meta }: { meta: Record<string, unknown> | undefined }) {
  const form = meta?.form as { values?: Record<string, unknown> } | undefined;
  const values = form?.values && typeof form.values === 'object' ? Object.entries(form.values) : [];
  return (
    <>
      {meta?.handoff === true && <span class="tag tag-handoff">Asked for a person</span>}
      {values.length > 0 && (
        <dl class="block-kv block-answer" aria-label="Form answer">
          {values.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{String(v)}</dd>
            </div>
          ))}
        </dl>
      )}
    </>
  );
}
