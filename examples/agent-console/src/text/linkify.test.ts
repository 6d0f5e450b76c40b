import { describe, expect, it } from 'vitest';
import { linkify, safeHref } from './linkify.js';

describe('linkify', () => {
  it('turns http(s) URLs into links and leaves trailing punctuation as text', () => {
    expect(linkify('see https://example.com/a?b=1. thanks')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { kind: 'text', text: '. thanks' },
    ]);
  });

  it('links www. hosts over https and e-mail addresses over mailto', () => {
    const segs = linkify('www.shop.test or help@shop.test');
    expect(segs.filter((s) => s.kind === 'link').map((s) => (s as { href: string }).href)).toEqual(['https://www.shop.test/', 'mailto:help@shop.test']);
  });

  it('never links javascript: or data: URLs', () => {
    const text = 'javascript:alert(1) data:text/html,<b>x</b>';
    expect(linkify(text)).toEqual([{ kind: 'text', text }]);
    expect(safeHref('javascript:alert(1)')).toBeNull();
  });
});
