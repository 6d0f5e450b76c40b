import { linkify } from '@threadline/protocol';

/** Message text as text nodes, with line breaks and safe links (see linkify in @threadline/protocol). */
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
