import { describe, expect, it } from 'vitest';
import type { Message } from '@threadline/protocol';
import { composeDigest, digestLocale } from './digest.js';

const message = (text: string, extra: Partial<Message> = {}): Message => ({
  id: 'm1',
  clientId: null,
  threadId: 't1',
  seq: 2,
  author: { kind: 'agent', name: 'Sam' },
  text,
  attachments: [],
  kind: 'text',
  createdAt: '2026-11-30T10:00:00.000Z',
  ...extra,
});

const input = (messages: Message[], locale = digestLocale('en-US')) => ({
  brand: 'Shop & "Co"',
  locale,
  messages,
  fileUrl: (a: { id: string }) => `https://chat.shop.example/v1/files/${a.id}?exp=1&sig="x"`,
  unsubscribe: { thread: 'https://chat.shop.example/u?scope=thread', address: 'https://chat.shop.example/u?scope=address' },
  replyable: true,
});

describe('composeDigest', () => {
  it('puts message text into the HTML only escaped, attribute quotes included', () => {
    const d = composeDigest(input([message('<img src=x onerror="alert(1)"> & </div>', { attachments: [{ id: 'f1', name: 'a"b.png', mime: 'image/png', size: 1, url: '/v1/files/f1' }] })]));
    expect(d.html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &lt;/div&gt;');
    expect(d.html).not.toContain('onerror="');
    expect(d.html).toContain('alt="a&quot;b.png"');
    expect(d.html).toContain('sig=&quot;x&quot;');
    expect(d.text).toContain('<img src=x onerror="alert(1)"> & </div>');
    expect(d.subject).toBe('New message from Shop & "Co"');
  });

  it('writes in Simplified or Traditional Chinese after the visitor locale, else English', () => {
    expect(digestLocale('zh-CN')).toBe('zh-CN');
    expect(digestLocale('zh-Hans')).toBe('zh-CN');
    expect(digestLocale('zh-Hant-HK')).toBe('zh-TW');
    expect(digestLocale('zh-TW')).toBe('zh-TW');
    expect(digestLocale('fr-FR')).toBe('en');
    expect(digestLocale(undefined)).toBe('en');
    expect(composeDigest(input([message('a'), message('b')], 'zh-CN')).subject).toBe('Shop & "Co" 给您发来 2 条新消息');
    expect(composeDigest(input([message('a')], 'zh-TW')).subject).toBe('Shop & "Co" 傳來一則新訊息');
  });
});
