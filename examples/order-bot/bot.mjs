/**
 * The order bot's decisions: given a shopper's message in a thread the bot handles, what to answer
 * and whether to hand the thread to a person. No I/O here (service.mjs does the HTTP), so every
 * decision is tested on its own (bot.test.mjs, and scenarios.json: 30 scripted messages in
 * English, Simplified and Traditional Chinese with the expected outcome of each).
 *
 * What it does:
 * - "where is my order?" (and "has my parcel shipped", "tracking", 我的订单在哪里, 我的訂單在哪裡…):
 *   a signed-in shopper gets a card per recent order (status, carrier, delivery date, a tracking
 *   link); a guest is asked for the order number and email with a form, gets a second chance after
 *   a wrong pair, and a person after the second;
 * - "my item arrived damaged" (with or without a photo): a person at once, with a one-line summary
 *   (order, item, photo or not) the agent reads in the handoff, so the shopper repeats nothing;
 * - an answer to a proactive prompt: a person (the prompt asked whether they need a hand);
 * - anything else: what the bot can do, as buttons ("Where is my order?", "Talk to a person"); the
 *   second message it cannot help with in a row goes to a person.
 * The handoff words ("human", "人工", …) and the "Talk to a person" button are the server's: the
 * thread is already the queue's when the bot hears of such a message, and it stays silent.
 */

/** Characters only Traditional Chinese writes this way (in the words shoppers use here). */
const TRADITIONAL = /[訂單裡貨運們個麼這還嗎為說請謝號碼郵遞達損壞壞轉給發時間與]/;
const HAN = /\p{Script=Han}/u;

/** The shopper's language, from what they wrote: `zh-TW`, `zh-CN` or `en`; null when it does not tell (digits, an email). */
export function languageOf(text) {
  if (HAN.test(text)) return TRADITIONAL.test(text) ? 'zh-TW' : 'zh-CN';
  return /\p{Script=Latin}{2,}/u.test(text) ? 'en' : null;
}

const ORDER_PATTERNS = [
  /\bwhere(?:'s| is| are)?\b.{0,30}\b(?:order|parcel|package|delivery|stuff)s?\b/i,
  /\b(?:track|tracking)\b/i,
  /\b(?:has|have|did|is)\s+my\s+(?:order|parcel|package|delivery)s?\b.{0,20}\b(?:ship|shipped|sent|arrive|arrived|dispatched|left)\b/i,
  /\b(?:order|parcel|package|delivery)\s+(?:status|update)\b/i,
  /\bwhen\b.{0,30}\b(?:arrive|arriving|deliver|delivered|get here|ship)\b/i,
  /订单|訂單|包裹|快递|快遞|物流|发货|發貨|到哪|寄到|送到/,
];
const DAMAGED_PATTERNS = [
  /\b(?:damaged|broken|cracked|torn|ripped|defective|faulty|smashed|dented|scratched)\b/i,
  /\barrived\s+(?:in pieces|wet)\b/i,
  /损坏|破损|坏了|坏的|碎了|裂了|損壞|破損|壞了|壞的|裂開/,
];

/** What a message is about: `damaged`, `order` or `other`. A damaged parcel is about an order too, and wins. */
export function intentOf(text) {
  if (DAMAGED_PATTERNS.some((p) => p.test(text))) return 'damaged';
  if (ORDER_PATTERNS.some((p) => p.test(text))) return 'order';
  return 'other';
}

/** The value of the "Where is my order?" button. */
export const ORDER_STATUS = 'order_status';

const WORDS = {
  en: {
    order: (n) => `Order ${n}`,
    status: { processing: 'Being packed', shipped: 'On its way', delivered: 'Delivered' },
    statusLabel: 'Status',
    carrier: 'Carrier',
    eta: 'Expected',
    delivered: 'Delivered on',
    track: 'Track parcel',
    brief: (o) => `${o.number} ${{ processing: 'is being packed', shipped: `is on its way with ${o.carrier}`, delivered: 'was delivered' }[o.status]}`,
    here: (briefs) => (briefs.length === 1 ? `Your order ${briefs[0]}.` : `Your ${briefs.length} most recent orders: ${briefs.join('; ')}.`),
    none: "I can't find any orders on your account. If you ordered as a guest, I can look it up with the order number and the email you used:",
    ask: 'I can look that up. What is your order number, and the email you ordered with?',
    orderField: 'Order number',
    orderHint: 'Like NW-10482 (in your confirmation email)',
    emailField: 'Email',
    find: 'Find my order',
    found: (brief) => `Found it: order ${brief}.`,
    notFound: "I couldn't find an order with that number and email. Please check both and try again:",
    notFoundTwice: "I still can't find that order, so I'm passing you to a person from the team. They can see what you entered.",
    notFoundReason: (v) => `Order lookup failed twice (entered: ${v.order || '—'}, ${v.email || '—'})`,
    damaged: (summary) => `I'm sorry it arrived damaged. I've passed this to our team with the details, so you won't need to repeat anything: ${summary}`,
    damagedSummary: (order, photo) =>
      `Damaged item — ${order ? `order ${order.number} (${order.items.join(', ')})` : 'order not given yet'}, ${photo ? 'photo attached' : 'no photo yet'}`,
    help: "I'm the Northwind assistant: I can tell you where your order is. For anything else, a person from the team will help.",
    whereIsMyOrder: 'Where is my order?',
    person: 'Talk to a person',
    giveUp: "I'm not able to help with that, so I'm passing you to a person from the team.",
    giveUpReason: 'The bot could not help with two messages in a row',
    prompt: 'Thanks! A person from the team will answer you here.',
    promptReason: 'Answered a proactive prompt',
  },
  'zh-CN': {
    order: (n) => `订单 ${n}`,
    status: { processing: '正在打包', shipped: '运输中', delivered: '已送达' },
    statusLabel: '状态',
    carrier: '承运商',
    eta: '预计送达',
    delivered: '送达日期',
    track: '查看物流',
    brief: (o) => `${o.number}${{ processing: ' 正在打包', shipped: ` 已由 ${o.carrier} 发出`, delivered: ' 已送达' }[o.status]}`,
    here: (briefs) => (briefs.length === 1 ? `您的订单 ${briefs[0]}。` : `您最近的 ${briefs.length} 个订单：${briefs.join('；')}。`),
    none: '您的账户里没有找到订单。如果您是以访客身份下单的，请告诉我订单号和下单时用的邮箱：',
    ask: '我来帮您查。请告诉我订单号和下单时用的邮箱。',
    orderField: '订单号',
    orderHint: '例如 NW-10482（见确认邮件）',
    emailField: '邮箱',
    find: '查询订单',
    found: (brief) => `找到了：订单 ${brief}。`,
    notFound: '没有找到与这个订单号和邮箱相符的订单。请检查后再试一次：',
    notFoundTwice: '还是没有找到这个订单，我这就为您转接人工客服，他们能看到您填写的信息。',
    notFoundReason: (v) => `订单查询两次失败（填写：${v.order || '—'}，${v.email || '—'}）`,
    damaged: (summary) => `很抱歉商品送达时有损坏。我已把详情转给我们的团队，您不需要再重复说明：${summary}`,
    damagedSummary: (order, photo) => `商品损坏 — ${order ? `订单 ${order.number}（${order.items.join('、')}）` : '尚未提供订单号'}，${photo ? '已附照片' : '暂无照片'}`,
    help: '我是 Northwind 助手，可以帮您查询订单状态。其他问题会由我们团队的客服为您解答。',
    whereIsMyOrder: '我的订单在哪里？',
    person: '转人工客服',
    giveUp: '这个问题我帮不上忙，我这就为您转接人工客服。',
    giveUpReason: '机器人连续两条消息无法回答',
    prompt: '谢谢！我们团队的客服会在这里回复您。',
    promptReason: '回复了主动消息',
  },
  'zh-TW': {
    order: (n) => `訂單 ${n}`,
    status: { processing: '正在包裝', shipped: '運送中', delivered: '已送達' },
    statusLabel: '狀態',
    carrier: '物流商',
    eta: '預計送達',
    delivered: '送達日期',
    track: '查看物流',
    brief: (o) => `${o.number}${{ processing: ' 正在包裝', shipped: ` 已由 ${o.carrier} 寄出`, delivered: ' 已送達' }[o.status]}`,
    here: (briefs) => (briefs.length === 1 ? `您的訂單 ${briefs[0]}。` : `您最近的 ${briefs.length} 筆訂單：${briefs.join('；')}。`),
    none: '您的帳戶裡沒有找到訂單。如果您是以訪客身分下單，請告訴我訂單編號和下單時使用的電子郵件：',
    ask: '我來幫您查詢。請告訴我訂單編號和下單時使用的電子郵件。',
    orderField: '訂單編號',
    orderHint: '例如 NW-10482（見確認郵件）',
    emailField: '電子郵件',
    find: '查詢訂單',
    found: (brief) => `找到了：訂單 ${brief}。`,
    notFound: '沒有找到與這個訂單編號和電子郵件相符的訂單。請檢查後再試一次：',
    notFoundTwice: '還是沒有找到這筆訂單，我這就為您轉接真人客服，他們能看到您填寫的資料。',
    notFoundReason: (v) => `訂單查詢兩次失敗（填寫：${v.order || '—'}，${v.email || '—'}）`,
    damaged: (summary) => `很抱歉商品送達時有損壞。我已把詳情轉給我們的團隊，您不需要再重複說明：${summary}`,
    damagedSummary: (order, photo) => `商品損壞 — ${order ? `訂單 ${order.number}（${order.items.join('、')}）` : '尚未提供訂單編號'}，${photo ? '已附照片' : '尚無照片'}`,
    help: '我是 Northwind 助理，可以幫您查詢訂單狀態。其他問題會由我們團隊的客服為您解答。',
    whereIsMyOrder: '我的訂單在哪裡？',
    person: '轉真人客服',
    giveUp: '這個問題我幫不上忙，我這就為您轉接真人客服。',
    giveUpReason: '機器人連續兩則訊息無法回答',
    prompt: '謝謝！我們團隊的客服會在這裡回覆您。',
    promptReason: '回覆了主動訊息',
  },
};

const dateIn = (lang, iso) => new Intl.DateTimeFormat(lang, { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' }).format(new Date(iso));

/** The card for one order: its status, carrier, date and tracking link. */
export function orderCard(order, lang) {
  const w = WORDS[lang];
  const fields = [{ label: w.statusLabel, value: w.status[order.status] }];
  if (order.carrier) fields.push({ label: w.carrier, value: order.carrier });
  if (order.deliveredAt) fields.push({ label: w.delivered, value: dateIn(lang, order.deliveredAt) });
  else if (order.eta) fields.push({ label: w.eta, value: dateIn(lang, order.eta) });
  return {
    title: w.order(order.number),
    subtitle: order.items.join(lang === 'en' ? ', ' : '、'),
    fields,
    ...(order.trackingUrl ? { buttons: [{ type: 'url', label: w.track, url: order.trackingUrl }] } : {}),
  };
}

/**
 * A reply with the orders: one card, or a carousel of them, under a sentence with each one's
 * status — what a client without cards shows; email notifications list the cards' details too.
 */
function ordersReply(orders, lang, sentence) {
  const w = WORDS[lang];
  const cards = orders.map((o) => orderCard(o, lang));
  const blocks = cards.length === 1 ? [{ type: 'card', ...cards[0] }] : [{ type: 'carousel', cards }];
  return { text: sentence(orders.map(w.brief)), blocks };
}

function formReply(lang, text) {
  const w = WORDS[lang];
  return {
    text,
    blocks: [
      {
        type: 'form',
        fields: [
          { name: 'order', label: w.orderField, pattern: '\\s*(?:[Nn][Ww])?[\\s\\-]?\\d{5}\\s*', hint: w.orderHint, required: true },
          { name: 'email', label: w.emailField, type: 'email', required: true },
        ],
        submitLabel: w.find,
      },
    ],
    form: true,
  };
}

function helpReply(lang) {
  const w = WORDS[lang];
  return {
    text: w.help,
    blocks: [{ type: 'buttons', buttons: [{ type: 'reply', label: w.whereIsMyOrder, value: ORDER_STATUS }, { type: 'handoff', label: w.person }] }],
  };
}

/**
 * The bot, over an order system (`ordersOf(userId)`, `findOrder(number, email)`). It remembers, per
 * thread, the shopper's language and how many messages in a row it could not help with, and per
 * form it posted, which attempt that form is: in memory, so a restart forgets them (a shopper may
 * then get one more chance, never fewer).
 */
export function createOrderBot({ orders }) {
  /** threadId → { lang, misses } */
  const threads = new Map();
  /** form message id → attempt (1 or 2) */
  const forms = new Map();
  const stateOf = (threadId) => {
    let s = threads.get(threadId);
    if (!s) {
      threads.set(threadId, (s = { lang: 'en', misses: 0 }));
      if (threads.size > 10_000) threads.delete(threads.keys().next().value);
    }
    return s;
  };

  return {
    /**
     * What to do about a visitor's message in a thread the bot handles. `message` is the wire
     * message of the `message.created` webhook; `userId` the signed-in shopper, or null.
     * Returns `{ replies: [{ text, blocks?, form? }], handoff?: { reason } }`: post the replies in
     * order (a reply with `form: true` is a form: tell `formPosted` its id), then hand off.
     */
    respond({ threadId, message, userId }) {
      const state = stateOf(threadId);
      const meta = message.meta ?? {};
      // What the shopper typed tells their language; a form's values or a button's label do not.
      if (!meta.form && !meta.quickReply) state.lang = languageOf(message.text) ?? state.lang;
      const lang = state.lang;
      const w = WORDS[lang];
      const photo = (message.attachments ?? []).some((a) => /^image\//.test(a.mime));

      // A form answer: the order number and email a guest typed.
      if (meta.form && typeof meta.form === 'object') {
        state.misses = 0;
        const values = meta.form.values ?? {};
        const attempt = forms.get(meta.form.messageId) ?? 1;
        const order = orders.findOrder(values.order ?? '', values.email ?? '');
        if (order) return { replies: [ordersReply([order], lang, ([brief]) => w.found(brief))] };
        if (attempt >= 2) return { replies: [{ text: w.notFoundTwice }], handoff: { reason: w.notFoundReason(values) } };
        return { replies: [{ ...formReply(lang, w.notFound), attempt: attempt + 1 }] };
      }

      // An answer to a proactive prompt (the checkout's "Need a hand?"): that is a person's job.
      if (meta.proactiveId) return { replies: [{ text: w.prompt }], handoff: { reason: w.promptReason } };

      const intent = meta.quickReply === ORDER_STATUS ? 'order' : intentOf(message.text);
      if (intent === 'damaged') {
        state.misses = 0;
        const recent = userId ? orders.ordersOf(userId) : [];
        // The order it is most likely about: the newest delivered one, else the newest.
        const order = recent.find((o) => o.status === 'delivered') ?? recent[0] ?? null;
        const summary = w.damagedSummary(order, photo);
        return { replies: [{ text: w.damaged(summary) }], handoff: { reason: summary } };
      }
      if (intent === 'order') {
        state.misses = 0;
        if (!userId) return { replies: [formReply(lang, w.ask)] };
        const recent = userId ? orders.ordersOf(userId) : [];
        if (!recent.length) return { replies: [formReply(lang, w.none)] };
        return { replies: [ordersReply(recent, lang, w.here)] };
      }
      // A photo alone, or something the bot does not know.
      state.misses += 1;
      if (state.misses >= 2) return { replies: [{ text: w.giveUp }], handoff: { reason: w.giveUpReason } };
      return { replies: [helpReply(lang)] };
    },

    /** The id of a form the service posted, and which attempt it is (1 unless the reply said). */
    formPosted(messageId, attempt = 1) {
      forms.set(messageId, attempt);
      if (forms.size > 10_000) forms.delete(forms.keys().next().value);
    },

    /** Forgets a thread (it was handed to a person). */
    forget(threadId) {
      threads.delete(threadId);
    },
  };
}
