import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { richContentSchema } from '@threadline/protocol';
import { demoOrders, orderSystem } from '../shop/orders.mjs';
// The server's own rule for handoff words, so the scripted conversations play out as on the server.
import { asksForPerson, DEFAULT_HANDOFF_WORDS } from '../../packages/server/src/store/assignment.ts';
import { createOrderBot, intentOf, languageOf, ORDER_STATUS } from './bot.mjs';
import scenarios from './scenarios.json' with { type: 'json' };

const NOW = Date.parse('2026-12-01T10:00:00Z');
const orders = orderSystem(demoOrders(NOW));
let ids = 0;
const visitorMessage = (step) =>
  typeof step === 'string'
    ? { text: step, attachments: [] }
    : step.photo
      ? { text: step.text ?? '', attachments: [{ id: 'f1', name: 'box.jpg', mime: 'image/jpeg', size: 1000, url: '/v1/files/f1' }] }
      : step.reply
        ? { text: 'Where is my order?', attachments: [], meta: { quickReply: step.reply } }
        : { text: `${step.form.order} · ${step.form.email}`, attachments: [], meta: { form: { messageId: null, values: step.form } } };

/** Plays a scripted conversation against the bot, with the server's handoff words; returns the outcome and every reply. */
function play(scenario) {
  const bot = createOrderBot({ orders });
  const threadId = `t${scenario.id}`;
  const userId = scenario.signedIn ? 'alice' : null;
  const replies = [];
  let lastForm = null;
  let outcome = 'waiting';
  for (const step of scenario.messages) {
    const message = visitorMessage(step);
    if (message.meta?.form) message.meta.form.messageId = lastForm;
    if (asksForPerson(message.text, DEFAULT_HANDOFF_WORDS)) return { outcome: 'person', replies, by: 'server' };
    const answer = bot.respond({ threadId, message, userId });
    for (const reply of answer.replies) {
      replies.push(reply);
      if (reply.form) bot.formPosted((lastForm = `form-${++ids}`), reply.attempt);
      if (reply.blocks?.some((b) => b.type === 'card' || b.type === 'carousel')) outcome = 'answered';
    }
    if (answer.handoff) return { outcome: 'person', replies, by: 'bot', reason: answer.handoff.reason };
  }
  return { outcome, replies };
}

describe('the order bot', () => {
  it.each(scenarios.scenarios.map((s) => [s.id, s.messages[0], s]))('scenario %i (%j) ends as expected', (_id, _first, scenario) => {
    const { outcome, replies } = play(scenario);
    expect(outcome).toBe(scenario.expected);
    // Everything it says is valid rich content, in the shopper's language, with a text fallback.
    for (const reply of replies) {
      expect(reply.text.trim().length).toBeGreaterThan(0);
      expect(v.safeParse(richContentSchema, { text: reply.text, blocks: reply.blocks }).success).toBe(true);
      if (scenario.lang !== 'en') expect(reply.text).toMatch(/\p{Script=Han}/u);
    }
  });

  it('answers 16 of the 30 scripted conversations without a person, and hands the 14 others over', () => {
    const outcomes = scenarios.scenarios.map((s) => play(s).outcome);
    expect(outcomes.filter((o) => o === 'answered')).toHaveLength(16);
    expect(outcomes.filter((o) => o === 'person')).toHaveLength(14);
  });

  it("shows a signed-in shopper's three recent orders as a carousel: status, carrier, date and a tracking link", () => {
    const { replies } = play({ id: 100, signedIn: true, messages: ['where is my order?'] });
    const [carousel] = replies[0].blocks;
    expect(carousel.type).toBe('carousel');
    expect(carousel.cards.map((c) => c.title)).toEqual(['Order NW-10477', 'Order NW-10482', 'Order NW-10391']);
    const shipped = carousel.cards[1];
    expect(shipped.fields).toEqual([
      { label: 'Status', value: 'On its way' },
      { label: 'Carrier', value: 'DHL' },
      { label: 'Expected', value: 'Thu, Dec 3' },
    ]);
    expect(shipped.buttons).toEqual([{ type: 'url', label: 'Track parcel', url: expect.stringMatching(/^https:\/\/www\.dhl\.com\//) }]);
    // The text above the cards (all a client without cards shows) gives each order's status.
    expect(replies[0].text).toBe('Your 3 most recent orders: NW-10477 is being packed; NW-10482 is on its way with DHL; NW-10391 was delivered.');
  });

  it('asks a guest for order number and email, gives a second chance, then a person with what they typed', () => {
    const { replies, outcome, reason } = play({ id: 101, signedIn: false, messages: ['where is my order', { form: { order: 'NW-1', email: 'a@b.c' } }, { form: { order: 'NW-2', email: 'a@b.c' } }] });
    expect(replies.map((r) => !!r.form)).toEqual([true, true, false]);
    const [form] = replies[0].blocks;
    expect(form.fields.map((f) => [f.name, f.required, f.type ?? 'text'])).toEqual([['order', true, 'text'], ['email', true, 'email']]);
    expect(new RegExp(`^(?:${form.fields[0].pattern})$`, 'u').test('nw 10482')).toBe(true);
    expect(outcome).toBe('person');
    expect(reason).toBe('Order lookup failed twice (entered: NW-2, a@b.c)');
  });

  it('hands a damaged parcel to a person at once, with the order, the item and whether a photo came', () => {
    const bot = createOrderBot({ orders });
    const photo = { id: 'f', name: 'p.jpg', mime: 'image/png', size: 1, url: '/v1/files/f' };
    const signedIn = bot.respond({ threadId: 'a', userId: 'alice', message: { text: 'My item arrived damaged', attachments: [photo] } });
    expect(signedIn.handoff.reason).toBe('Damaged item — order NW-10391 (Trail Runner 2), photo attached');
    expect(signedIn.replies[0].text).toContain(signedIn.handoff.reason);
    const guest = bot.respond({ threadId: 'b', userId: null, message: { text: '商品送到時已經損壞了', attachments: [] } });
    expect(guest.handoff.reason).toBe('商品損壞 — 尚未提供訂單編號，尚無照片');
  });

  it('reads the intent and the language of what shoppers write', () => {
    expect(['has my parcel shipped', 'Tracking?', '我的订单在哪里', '我的訂單在哪裡', 'when will it arrive'].map(intentOf)).toEqual(['order', 'order', 'order', 'order', 'order']);
    expect(['my order arrived broken', '收到的商品坏了', 'the zip is faulty'].map(intentOf)).toEqual(['damaged', 'damaged', 'damaged']);
    expect(['do you ship to Norway? I like your shoes', '营业时间'].map(intentOf)).toEqual(['other', 'other']);
    expect(['where is it', '我的订单', '我的訂單', 'NW-10482 · a@b.c'].map(languageOf)).toEqual(['en', 'zh-CN', 'zh-TW', 'en']);
    expect(languageOf('10482')).toBeNull();
  });

  it("keeps a thread's language for answers to its form (digits and an email say nothing)", () => {
    const bot = createOrderBot({ orders });
    const ask = bot.respond({ threadId: 't', userId: null, message: { text: '我的订单到哪了', attachments: [] } });
    bot.formPosted('m1', 1);
    expect(ask.replies[0].blocks[0].submitLabel).toBe('查询订单');
    const found = bot.respond({ threadId: 't', userId: null, message: { text: '10460 · li.wei@example.com', attachments: [], meta: { form: { messageId: 'm1', values: { order: '10460', email: 'li.wei@example.com' } } } } });
    expect(found.replies[0].text).toBe('找到了：订单 NW-10460 正在打包。');
    expect(found.replies[0].blocks[0].title).toBe('订单 NW-10460');
  });

  it("offers what it can do, as buttons, and gives up on the second message it cannot help with", () => {
    const bot = createOrderBot({ orders });
    const first = bot.respond({ threadId: 't', userId: 'alice', message: { text: 'do you have gift cards', attachments: [] } });
    expect(first.handoff).toBeUndefined();
    expect(first.replies[0].blocks[0].buttons).toEqual([
      { type: 'reply', label: 'Where is my order?', value: ORDER_STATUS },
      { type: 'handoff', label: 'Talk to a person' },
    ]);
    const second = bot.respond({ threadId: 't', userId: 'alice', message: { text: 'what about vouchers', attachments: [] } });
    expect(second.handoff.reason).toBe('The bot could not help with two messages in a row');
  });
});
