import { describe, expect, it } from 'vitest';
import { linkify, safeHref } from './links.js';

// The one corpus for the widget's and the agent console's message text (both render linkify).
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
    expect(linkify('see https://example.com/a?b=1. thanks')).toEqual([
      { type: 'text', text: 'see ' },
      { type: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { type: 'text', text: '. thanks' },
    ]);
  });

  it('keeps a closing parenthesis that has its opening one inside the URL', () => {
    expect(linkify('https://en.wikipedia.org/wiki/Boot_(footwear)')[0]).toEqual({
      type: 'link',
      text: 'https://en.wikipedia.org/wiki/Boot_(footwear)',
      href: 'https://en.wikipedia.org/wiki/Boot_(footwear)',
    });
  });

  it('links www hosts over https and e-mail addresses as mailto', () => {
    expect(linkify('www.example.com')[0]).toEqual({ type: 'link', text: 'www.example.com', href: 'https://www.example.com/' });
    expect(linkify('mail help@example.com')[1]).toEqual({ type: 'link', text: 'help@example.com', href: 'mailto:help@example.com' });
    const hrefs = linkify('www.shop.test or help@shop.test').flatMap((s) => (s.type === 'link' ? [s.href] : []));
    expect(hrefs).toEqual(['https://www.shop.test/', 'mailto:help@shop.test']);
  });

  it('never links javascript:, data: or other schemes', () => {
    for (const text of ['javascript:alert(1)', 'data:text/html,<b>x</b>', 'vbscript:x', 'file:///etc/passwd']) {
      expect(linkify(text).every((s) => s.type !== 'link')).toBe(true);
    }
    const text = 'javascript:alert(1) data:text/html,<b>x</b>';
    expect(linkify(text)).toEqual([{ type: 'text', text }]);
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
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('not a url')).toBeNull();
  });

  it('refuses relative and protocol-relative URLs (they would resolve against the page)', () => {
    expect(safeHref('/v1/files/x')).toBeNull();
    expect(safeHref('//evil.example/x')).toBeNull();
  });
});
