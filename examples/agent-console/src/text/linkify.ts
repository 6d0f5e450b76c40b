export type Segment = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

// Candidates are http(s) URLs, www. hosts and e-mail addresses; anything else (javascript:,
// data:, custom schemes) stays plain text.
const CANDIDATE = /\bhttps?:\/\/[^\s<>"']+|\bwww\.[^\s<>"']+|\bmailto:[^\s<>"']+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+/gi;
// Sentence punctuation after a URL belongs to the sentence.
const TRAILING = /[.,;:!?)\]}]+$/;

/** Only these schemes become links; the check is on the parsed URL, not the text. */
export function safeHref(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Not a URL at all: the caller keeps it as text.
    return null;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'mailto:' ? url.href : null;
}

/** Splits message text into plain text and safe links, for rendering as text nodes and anchors. */
export function linkify(text: string): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  const pushText = (s: string) => {
    if (!s) return;
    const prev = out[out.length - 1];
    if (prev?.kind === 'text') prev.text += s;
    else out.push({ kind: 'text', text: s });
  };
  for (const match of text.matchAll(CANDIDATE)) {
    let raw = match[0];
    const start = match.index;
    const trail = TRAILING.exec(raw)?.[0] ?? '';
    // Keep a closing parenthesis that has its opening one inside the URL (Wikipedia-style).
    if (trail && !(trail === ')' && raw.includes('('))) raw = raw.slice(0, -trail.length);
    const target = /^www\./i.test(raw) ? `https://${raw}` : raw.includes('@') && !/^[a-z]+:/i.test(raw) ? `mailto:${raw}` : raw;
    const href = safeHref(target);
    pushText(text.slice(last, start));
    if (href) out.push({ kind: 'link', text: raw, href });
    else pushText(raw);
    last = start + raw.length;
  }
  pushText(text.slice(last));
  return out;
}
