/**
 * A scripted stand-in for the core's Client, for the screenshot harness: fixed threads with an
 * image, a voice clip and a failed message, and sends that go sending → sent. No network.
 */
import type { Attachment, Client, MessageView, OutgoingMessage, Snapshot, ThreadView } from '@threadline/core';

export interface Media {
  image: Blob;
  voice: Blob;
}

const now = Date.now();
const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
const mia = { kind: 'agent' as const, name: 'Mia', avatarUrl: undefined };

let n = 0;
function msg(threadId: string, over: Partial<MessageView>): MessageView {
  const i = ++n;
  return {
    key: `k${i}`,
    id: `m${i}`,
    clientId: over.own ? `c${i}` : null,
    threadId,
    seq: i,
    author: over.own ? { kind: 'visitor' } : mia,
    text: '',
    attachments: [],
    pendingFiles: [],
    kind: 'text',
    createdAt: at(0),
    state: 'sent',
    error: null,
    own: false,
    ...over,
  };
}

function thread(id: string, last: MessageView, over: Partial<ThreadView> = {}): ThreadView {
  return {
    id,
    status: 'open',
    lastSeq: last.seq ?? 0,
    lastMessage: last,
    unread: 0,
    visitorReadSeq: 0,
    agentReadSeq: 0,
    campaign: null,
    rating: null,
    createdAt: last.createdAt,
    updatedAt: last.createdAt,
    local: false,
    hasOlder: false,
    loadingOlder: false,
    ...over,
  };
}

export function fixtureSnapshot(locale: string, scene = ''): Snapshot {
  const zh = locale.startsWith('zh');
  // Arabic and Hebrew pages get Arabic text, with Latin names, a product name and an order number
  // inside it: the mixed-direction case the widget isolates.
  const rtl = locale === 'ar' || locale === 'he';
  const say = (en: string, zhText: string, ar: string) => (zh ? zhText : rtl ? ar : en);
  const photo: Attachment = { id: 'img1', name: 'dashboard.jpg', mime: 'image/jpeg', size: 182_000, url: '/v1/files/img1', width: 480, height: 320 };
  const clip: Attachment = { id: 'voice1', name: 'engine-noise.webm', mime: 'audio/webm', size: 58_000, url: '/v1/files/voice1', durationMs: 7_000 };
  const t1 = [
    msg('t1', { own: true, createdAt: at(60 * 26), text: say('A yellow light came on in my dashboard. What does it mean?', '我的车仪表盘上亮了一个黄灯，这是什么意思？', 'ظهر ضوء أصفر في لوحة العدادات. ماذا يعني؟') }),
    msg('t1', { own: true, createdAt: at(60 * 26 - 1), attachments: [photo], text: '', state: 'read' }),
    msg('t1', {
      createdAt: at(16),
      text: say(
        'That is the engine check light. Could you record the engine noise? Or book a check: https://shop.example/service',
        '这是发动机故障灯。能录一段发动机的声音吗？也可以在这里预约检查：https://shop.example/service',
        'هذا ضوء فحص المحرك (Check Engine). هل يمكنك تسجيل صوت المحرك؟ أو احجز فحصًا: https://shop.example/service',
      ),
    }),
    msg('t1', { own: true, createdAt: at(14), attachments: [clip], text: '', state: 'read' }),
    msg('t1', { createdAt: at(12), attachments: [{ ...clip, id: 'voice2', name: 'mia-reply.webm', durationMs: 7_000 }] }),
    msg('t1', {
      own: true,
      createdAt: at(2),
      text: say('Here is my warranty card', '这是保修单', 'هذه بطاقة الضمان'),
      state: 'failed',
      error: { code: 'unsupported_media_type', message: 'file type not allowed' },
      pendingFiles: [{ index: 0, name: 'warranty.exe', mime: 'application/x-msdownload', size: 320_000, attachment: null }],
    }),
  ];
  const t2 = [
    msg('t2', { own: true, createdAt: at(60 * 24 * 3), text: say('Where is my order #1042?', '我的订单 #1042 到哪里了？', 'أين طلبي رقم #1042؟') }),
    msg('t2', { createdAt: at(60 * 24 * 3 - 5), author: { kind: 'agent', name: 'Leo' }, text: say('Your parcel left our warehouse this morning.', '您的包裹已从仓库发出。', 'غادر طردك Trail Runner Jacket مستودعنا صباح اليوم.') }),
  ];
  // A resolved thread: the bot's answer with quick replies (no longer offered), the agent who
  // closed it, and the shopper's rating with a comment.
  const bot = { kind: 'bot' as const, name: say('Northwind assistant', 'Northwind 助手', 'مساعد Northwind') };
  const t3 = [
    msg('t3', { own: true, createdAt: at(60 * 24 * 9 + 30), text: say('Can I change my delivery address?', '可以修改收货地址吗？', 'هل يمكنني تغيير عنوان التوصيل؟'), state: 'read' }),
    msg('t3', {
      createdAt: at(60 * 24 * 9 + 29),
      author: bot,
      text: say('Yes, until the parcel ships. Shall I pass you to a person?', '可以，在包裹发出前都能修改。需要转人工吗？', 'نعم، حتى يُشحن الطرد. هل أحوّلك إلى موظف؟'),
      quickReplies: [{ label: say('Talk to a person', '转人工', 'التحدث إلى موظف') }, { label: say('No, thanks', '不用了', 'لا، شكرًا') }],
    }),
    msg('t3', { createdAt: at(60 * 24 * 9 + 20), author: { kind: 'agent', name: 'Leo' }, text: say('Done: the new address is on your order.', '已完成：新地址已更新到订单。', 'تم: العنوان الجديد مسجّل في طلبك.') }),
    msg('t3', {
      own: true,
      createdAt: at(60 * 24 * 9),
      kind: 'rating',
      meta: { score: 4, comment: 'x' },
      text: say('Quick and friendly, thanks!', '又快又友好，谢谢！', 'سريع ولطيف، شكرًا!'),
    }),
  ];
  // Rich messages (scene `rich`): the order bot's carousel of orders, then its form, with quick replies.
  const order = (n: string, status: string, eta: string) => ({
    title: say(`Order ${n}`, `订单 ${n}`, `الطلب ${n}`),
    subtitle: say('Trail Runner Jacket', 'Trail Runner 夹克', 'سترة Trail Runner'),
    image: { url: '/v1/files/img2', alt: say('The jacket', '夹克', 'السترة') },
    fields: [
      { label: say('Status', '状态', 'الحالة'), value: status },
      { label: say('ETA', '预计送达', 'الوصول'), value: eta },
    ],
    buttons: [
      { type: 'url' as const, label: say('Track parcel', '查看物流', 'تتبع الطرد'), url: 'https://carrier.example/t/1042' },
      { type: 'reply' as const, label: say('Change address', '修改地址', 'تغيير العنوان'), value: `address:${n}` },
    ],
  });
  const t4 = [
    msg('t4', { own: true, createdAt: at(5), text: say('Where is my order?', '我的订单在哪里？', 'أين طلبي؟'), state: 'read' }),
    msg('t4', {
      createdAt: at(4),
      author: bot,
      text: say('You have two recent orders. #1042 ships today.', '您最近有两个订单，#1042 今天发货。', 'لديك طلبان حديثان. الطلب #1042 يُشحن اليوم.'),
      blocks: [
        {
          type: 'carousel',
          cards: [order('#1042', say('Shipped', '已发货', 'تم الشحن'), say('Fri 4 Dec', '12月4日 周五', 'الجمعة 4 ديسمبر')), order('#1038', say('Delivered', '已送达', 'تم التسليم'), say('Mon 23 Nov', '11月23日 周一', 'الاثنين 23 نوفمبر'))],
        },
      ],
    }),
    msg('t4', {
      createdAt: at(3),
      author: bot,
      text: say('Looking for another order? Give me its number and your email.', '要查其他订单？请告诉我订单号和邮箱。', 'تبحث عن طلب آخر؟ أعطني رقمه وبريدك الإلكتروني.'),
      blocks: [
        {
          type: 'form',
          fields: [
            { name: 'order', label: say('Order number', '订单号', 'رقم الطلب'), pattern: '#?\\d{4}', hint: say('Like #1042', '例如 #1042', 'مثل #1042'), required: true },
            { name: 'email', label: say('Email', '邮箱', 'البريد الإلكتروني'), type: 'email', required: true },
          ],
        },
        { type: 'buttons', buttons: [{ type: 'handoff', label: say('Talk to a person', '转人工', 'التحدث إلى موظف') }] },
      ],
      quickReplies: [{ label: say('That’s all, thanks', '没有了，谢谢', 'هذا كل شيء، شكرًا') }],
    }),
  ];
  const rich = scene === 'rich';
  return {
    status: 'ready',
    connection: 'connected',
    connectionError: null,
    storage: 'indexeddb',
    role: 'leader',
    session: { visitorId: 'v1', userId: null, maxUploadBytes: 10 * 1024 * 1024 },
    threads: [
      ...(rich ? [thread('t4', t4.at(-1)!)] : []),
      thread('t1', t1[2]!, { unread: 1, updatedAt: t1[2]!.createdAt }),
      thread('t2', t2.at(-1)!, { unread: 2 }),
      thread('t3', t3.at(-1)!, { status: 'resolved', rating: { score: 4 } }),
    ],
    messages: rich ? { t1, t2, t3, t4 } : { t1, t2, t3 },
    uploads: {},
    typing: { t1: { author: mia, until: Date.now() + 3_600_000 } },
    proactive: [
      {
        id: 'p1',
        text: say('Questions before you check out? We usually reply within minutes.', '结账时需要帮忙吗？我们几分钟内回复。', 'أسئلة قبل إتمام الطلب؟ نرد عادةً خلال دقائق.'),
        display: 'toast',
        campaign: 'checkout',
        author: mia,
        // As the demo shop's checkout rule sends it.
        quickReplies: [
          { label: say('Shipping costs', '运费', 'تكاليف الشحن') },
          { label: say('Payment options', '付款方式', 'طرق الدفع') },
        ],
        expiresAt: null,
        createdAt: at(0),
        shown: false,
      },
    ],
    totalUnread: 3,
  };
}

export function createFixtureClient(locale: string, media: Media, scene = ''): Client {
  let snapshot = fixtureSnapshot(locale, scene);
  const listeners = new Set<() => void>();
  const set = (patch: Partial<Snapshot>) => {
    snapshot = { ...snapshot, ...patch };
    listeners.forEach((l) => l());
  };
  const append = (threadId: string, m: OutgoingMessage) => {
    const view = msg(threadId, { own: true, text: m.text ?? '', state: 'sending', createdAt: new Date().toISOString() });
    set({ messages: { ...snapshot.messages, [threadId]: [...(snapshot.messages[threadId] ?? []), view] } });
    setTimeout(() => {
      const list = (snapshot.messages[threadId] ?? []).map((x) => (x.key === view.key ? { ...x, state: 'sent' as const } : x));
      set({ messages: { ...snapshot.messages, [threadId]: list } });
    }, 600);
    return view.clientId;
  };
  const noop = () => {};
  return {
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    getSnapshot: () => snapshot,
    on: () => noop,
    whenReady: async () => {},
    start: async () => {},
    startThread(first) {
      const id = `t${Date.now()}`;
      if (first) append(id, first);
      return id;
    },
    send: (threadId, m) => append(threadId, m),
    retry: noop,
    discard: noop,
    openThread: async () => {},
    loadOlder: async () => false,
    markRead: (id) => set({ threads: snapshot.threads.map((t) => (t.id === id ? { ...t, unread: 0 } : t)) }),
    setTyping: noop,
    identify: async () => {},
    updateContext: noop,
    track: noop,
    rate: noop,
    setNotifyEmail: async (email) => {
      const session = snapshot.session && { ...snapshot.session, notifyEmail: email };
      set({ session });
      return { ok: true, email };
    },
    // The app's settings as the brand set them: a reply time and a team, one with a picture.
    availability: async () => ({
      hours: null,
      replyTimeMinutes: 30,
      awayMessage: null,
      agentsOnline: true,
      team: [{ name: 'Mei', avatarUrl: `${location.origin}/mei.svg` }, { name: 'Omar' }, { name: 'Sofia' }],
    }),
    attachThread: async () => null,
    reportProactive: (id, event) => {
      if (event === 'dismissed') set({ proactive: snapshot.proactive.filter((p) => p.id !== id) });
    },
    replyProactive: (_id, m) => {
      const id = `t${Date.now()}`;
      append(id, m);
      return id;
    },
    attachmentUrl: async (a) => URL.createObjectURL(a.mime.startsWith('image/') ? media.image : media.voice),
    pendingFileUrl: async () => null,
    shutdown: async () => {},
    destroy: noop,
  };
}
