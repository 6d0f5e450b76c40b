/**
 * Message text from the network is rendered as text nodes, never as HTML. The only markup we
 * add is line breaks and links, and a link's href must parse as http, https or mailto.
 */
import { safeHref } from './safe-href.js';

export { safeHref };

export type Segment =
  | { type: 'text'; text: string }
  | { type: 'link'; text: string; href: string }
  | { type: 'break' };


// URLs with a scheme, www. hosts, mailto: addresses and bare e-mail addresses.
const LINK = /\b(?:https?:\/\/|www\.)[^\s<>"]+|\bmailto:[^\s<>"]+|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/gi;

/** Splits text into text, link and line-break segments. */
export function linkify(text: string): Segment[] {
  const out: Segment[] = [];
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  lines.forEach((line, i) => {
    if (i > 0) out.push({ type: 'break' });
    let last = 0;
    for (const match of line.matchAll(LINK)) {
      const start = match.index;
      const candidate = trimTrailing(match[0]);
      const href = toHref(candidate);
      if (!href) continue;
      if (start > last) out.push({ type: 'text', text: line.slice(last, start) });
      out.push({ type: 'link', text: candidate, href });
      last = start + candidate.length;
    }
    if (last < line.length) out.push({ type: 'text', text: line.slice(last) });
  });
  return out;
}

function toHref(candidate: string): string | null {
  const lower = candidate.toLowerCase();
  if (lower.startsWith('www.')) return safeHref(`https://${candidate}`);
  if (lower.startsWith('http://') || lower.startsWith('https://') || lower.startsWith('mailto:')) {
    return safeHref(candidate);
  }
  return safeHref(`mailto:${candidate}`);
}

/** Sentence punctuation after a URL belongs to the sentence; so does a ')' without its '('. */
function trimTrailing(url: string): string {
  let end = url.length;
  while (end > 0) {
    const ch = url[end - 1]!;
    if ('.,;:!?\'"'.includes(ch)) end--;
    else if (ch === ')' && count(url.slice(0, end), '(') < count(url.slice(0, end), ')')) end--;
    else break;
  }
  return url.slice(0, end);
}

function count(s: string, ch: string): number {
  let n = 0;
  for (const c of s) if (c === ch) n++;
  return n;
}
