/**
 * The one rule for turning message text from the wire into links, shared by every client that
 * renders it (the widget, the agent console): text stays text nodes, never HTML; the only markup
 * a renderer adds is line breaks and links; and a link's href — like any href or image source
 * taken from the network — must parse as http, https or mailto. Security-relevant: keep a single
 * copy, tested by links.test.ts (safeHref included).
 */
// safeHref has its own module so that a bundle needing only it (the widget's avatars, loaded with
// the launcher's toast) does not carry linkify; both are exported from here and tested together.
import { safeHref } from './safe-href.js';

export { safeHref };

/** A piece of message text: plain text, a safe link, or a line break. */
export type TextSegment =
  | { type: 'text'; text: string }
  | { type: 'link'; text: string; href: string }
  | { type: 'break' };

// URLs with a scheme, www. hosts, mailto: addresses and bare e-mail addresses.
const LINK = /\b(?:https?:\/\/|www\.)[^\s<>"]+|\bmailto:[^\s<>"]+|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/gi;

/** Splits text into text, link and line-break segments. */
export function linkify(text: string): TextSegment[] {
  const out: TextSegment[] = [];
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
