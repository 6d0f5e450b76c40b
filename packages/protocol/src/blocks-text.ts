/**
 * A message's blocks as plain lines, for channels that show no blocks: email notifications list
 * them under the message's text, so a card's status or a tracking link reaches a shopper who left.
 * Only data goes out: titles, key–value fields, and the URLs of link buttons (http/https, checked
 * by the validators); reply and handoff buttons and forms only work in the chat, so a form is named
 * by its fields and the reader is asked to answer it there (`formHint`).
 */
import type { Block, Card } from './blocks.js';

export interface BlockLine {
  text: string;
  /** An http(s) link the line leads to (a url button). */
  url?: string;
}

function cardLines(card: Card): BlockLine[] {
  const lines: BlockLine[] = [{ text: card.subtitle ? `${card.title} — ${card.subtitle}` : card.title }];
  for (const f of card.fields ?? []) lines.push({ text: `${f.label}: ${f.value}` });
  for (const b of card.buttons ?? []) if (b.type === 'url') lines.push({ text: b.label, url: b.url });
  return lines;
}

/** The lines of `blocks`, one group per card (a carousel gives one per card). */
export function blocksAsText(blocks: readonly Block[] | undefined, formHint: (fields: string) => string): BlockLine[][] {
  const groups: BlockLine[][] = [];
  for (const b of blocks ?? []) {
    if (b.type === 'card') groups.push(cardLines(b));
    else if (b.type === 'carousel') for (const c of b.cards) groups.push(cardLines(c));
    else if (b.type === 'buttons') {
      const links = b.buttons.flatMap((x) => (x.type === 'url' ? [{ text: x.label, url: x.url }] : []));
      if (links.length) groups.push(links);
    } else if (b.type === 'form') groups.push([{ text: formHint(b.fields.map((f) => f.label).join(', ')) }]);
  }
  return groups;
}
