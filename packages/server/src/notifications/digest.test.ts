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

  it('lists cards, links and forms under the text, escaped: a shopper who left gets the order status by email', () => {
    const blocks: Message['blocks'] = [
      {
        type: 'carousel',
        cards: [
          { title: 'Order NW-1 <b>', subtitle: 'Rain Shell', fields: [{ label: 'Status', value: 'On its way' }], buttons: [{ type: 'url', label: 'Track parcel', url: 'https://carrier.example/t?id=1&x="2"' }, { type: 'reply', label: 'Thanks', value: 'ok' }] },
          { title: 'Order NW-2', fields: [{ label: 'Status', value: 'Delivered' }] },
        ],
      },
      { type: 'form', fields: [{ name: 'order', label: 'Order number' }, { name: 'email', label: 'Email', type: 'email' }] },
    ];
    const d = composeDigest(input([message('Here are your orders:', { author: { kind: 'bot', name: 'Assistant' }, blocks })]));
    expect(d.text).toContain(
      ['Here are your orders:', 'Order NW-1 <b> — Rain Shell', 'Status: On its way', 'Track parcel: <https://carrier.example/t?id=1&x="2">', 'Order NW-2', 'Status: Delivered', 'A form (Order number, Email): open the chat to answer it.'].join('\n'),
    );
    // A reply button only works in the chat: it is not listed.
    expect(d.text).not.toContain('Thanks');
    expect(d.html).toContain('Order NW-1 &lt;b&gt; — Rain Shell');
    expect(d.html).toContain('<a href="https://carrier.example/t?id=1&amp;x=&quot;2&quot;">Track parcel</a>');
    expect(d.html).not.toContain('<b>');
    expect(composeDigest(input([message('订单', { blocks })], 'zh-CN')).text).toContain('一个表单（Order number, Email）：请打开聊天窗口填写。');
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
