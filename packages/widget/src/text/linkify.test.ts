import { describe, expect, it } from 'vitest';
import { linkify, safeHref } from './linkify.js';

describe('linkify', () => {
  it('turns http and https URLs into links and keeps the rest as text', () => {
    expect(linkify('see https://shop.example.com/a?b=1 now')).toEqual([
      { type: 'text', text: 'see ' },
      { type: 'link', text: 'https://shop.example.com/a?b=1', href: 'https://shop.example.com/a?b=1' },
      { type: 'text', text: ' now' },
    ]);
  });

  it('leaves sentence punctuation and an unmatched parenthesis outside the link', () => {
    const segs = linkify('(see http://x.example/path).');
    expect(segs).toContainEqual({ type: 'link', text: 'http://x.example/path', href: 'http://x.example/path' });
    expect(segs.at(-1)).toEqual({ type: 'text', text: ').' });
  });

  it('links www hosts over https and e-mail addresses as mailto', () => {
    expect(linkify('www.example.com')[0]).toEqual({ type: 'link', text: 'www.example.com', href: 'https://www.example.com/' });
    expect(linkify('mail help@example.com')[1]).toEqual({ type: 'link', text: 'help@example.com', href: 'mailto:help@example.com' });
  });

  it('never links javascript:, data: or other schemes', () => {
    for (const text of ['javascript:alert(1)', 'data:text/html,<b>x</b>', 'vbscript:x', 'file:///etc/passwd']) {
      expect(linkify(text).every((s) => s.type !== 'link')).toBe(true);
    }
  });

  it('keeps HTML as literal text', () => {
    expect(linkify('<img src=x onerror=alert(1)>')).toEqual([{ type: 'text', text: '<img src=x onerror=alert(1)>' }]);
  });

  it('splits lines into break segments', () => {
    expect(linkify('a\r\nb\nc').map((s) => s.type)).toEqual(['text', 'break', 'text', 'break', 'text']);
  });
});

describe('safeHref', () => {
  it('accepts http, https and mailto only', () => {
    expect(safeHref('https://a.example/')).toBe('https://a.example/');
    expect(safeHref('mailto:a@b.example')).toBe('mailto:a@b.example');
    expect(safeHref('JaVaScRiPt:alert(1)')).toBeNull();
    expect(safeHref('not a url')).toBeNull();
  });
});
