import type { Author, MessageView } from '@threadline/core';

export type LogItem =
  | { type: 'day'; key: string; iso: string }
  | { type: 'system'; key: string; message: MessageView }
  | { type: 'group'; key: string; own: boolean; author: Author; messages: MessageView[] };

/**
 * Derives the rows of a thread at render time (never stored): a day separator whenever the
 * local day changes, and consecutive messages of one author on one day grouped together.
 */
export function groupMessages(messages: readonly MessageView[]): LogItem[] {
  const items: LogItem[] = [];
  let day = '';
  let group: Extract<LogItem, { type: 'group' }> | null = null;
  for (const m of messages) {
    const d = new Date(m.createdAt).toDateString();
    if (d !== day) {
      day = d;
      group = null;
      items.push({ type: 'day', key: `day-${m.key}`, iso: m.createdAt });
    }
    if (m.author.kind === 'system' || m.kind === 'event') {
      group = null;
      items.push({ type: 'system', key: m.key, message: m });
      continue;
    }
    if (group && group.own === m.own && sameAuthor(group.author, m.author)) {
      group.messages.push(m);
    } else {
      group = { type: 'group', key: `g-${m.key}`, own: m.own, author: m.author, messages: [m] };
      items.push(group);
    }
  }
  return items;
}

function sameAuthor(a: Author, b: Author): boolean {
  return a.kind === b.kind && (a.name ?? '') === (b.name ?? '');
}
