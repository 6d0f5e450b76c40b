import { linkify } from '../text/linkify.js';

/** Message text as text nodes, with http(s)/mailto links only. Never HTML. */
export function MessageText({ text }: { text: string }) {
  return (
    <>
      {linkify(text).map((s, i) =>
        s.kind === 'link' ? (
          <a key={i} href={s.href} target="_blank" rel="noopener noreferrer nofollow">
            {s.text}
          </a>
        ) : (
          s.text
        ),
      )}
    </>
  );
}
