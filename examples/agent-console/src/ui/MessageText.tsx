import { linkify } from '@threadline/protocol';

/**
 * Message text as text nodes, with http(s)/mailto links only (the widget's rule, from
 * @threadline/protocol). Never HTML. Line breaks stay newline characters: `.msg-text` shows them
 * (white-space: pre-wrap) and one-line contexts fold them.
 */
export function MessageText({ text }: { text: string }) {
  return (
    <>
      {linkify(text).map((s, i) =>
        s.type === 'link' ? (
          <a key={i} href={s.href} target="_blank" rel="noopener noreferrer nofollow">
            {s.text}
          </a>
        ) : s.type === 'break' ? (
          '\n'
        ) : (
          s.text
        ),
      )}
    </>
  );
}
