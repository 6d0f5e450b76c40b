import { linkify } from '../text/linkify.js';

/** Message text as text nodes, with line breaks and safe links (see linkify). */
export function RichText({ text }: { text: string }) {
  return (
    <>
      {linkify(text).map((seg, i) =>
        seg.type === 'break' ? (
          <br key={i} />
        ) : seg.type === 'link' ? (
          <a key={i} href={seg.href} target="_blank" rel="noopener noreferrer nofollow">
            {seg.text}
          </a>
        ) : (
          seg.text
        ),
      )}
    </>
  );
}
