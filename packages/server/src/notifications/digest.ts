import { blocksAsText, type Attachment, type Message } from '@threadline/protocol';

/** The languages an email is written in: the visitor's locale, else English. */
export type DigestLocale = 'en' | 'zh-CN' | 'zh-TW';

const WORDS: Record<DigestLocale, {
  subject: (brand: string, n: number) => string;
  intro: (brand: string) => string;
  replyHint: string;
  noReply: string;
  attachment: string;
  /** A form in a message: only the chat can answer it. */
  formHint: (fields: string) => string;
  stopThread: string;
  stopAll: (brand: string) => string;
  continueLabel: string;
  why: (brand: string) => string;
}> = {
  en: {
    subject: (brand, n) => (n === 1 ? `New message from ${brand}` : `${n} new messages from ${brand}`),
    intro: (brand) => `${brand} answered your conversation:`,
    replyHint: 'Reply to this email to answer; your reply goes into the same conversation.',
    noReply: 'Open the chat on the site to answer.',
    attachment: 'File',
    formHint: (fields) => `A form (${fields}): open the chat to answer it.`,
    stopThread: 'Stop emails about this conversation',
    continueLabel: 'Continue the conversation',
    stopAll: (brand) => `Stop all emails from ${brand}`,
    why: (brand) => `You get this email because you asked ${brand} to email replies while you are away.`,
  },
  'zh-CN': {
    subject: (brand, n) => (n === 1 ? `${brand} 给您发来一条新消息` : `${brand} 给您发来 ${n} 条新消息`),
    intro: (brand) => `${brand} 回复了您的对话：`,
    replyHint: '直接回复此邮件即可作答，您的回复会进入同一对话。',
    noReply: '请在网站上打开聊天窗口作答。',
    attachment: '文件',
    formHint: (fields) => `一个表单（${fields}）：请打开聊天窗口填写。`,
    stopThread: '不再接收此对话的邮件',
    continueLabel: '继续对话',
    stopAll: (brand) => `不再接收 ${brand} 的任何邮件`,
    why: (brand) => `您收到此邮件，是因为您请 ${brand} 在您离开时通过邮件发送回复。`,
  },
  'zh-TW': {
    subject: (brand, n) => (n === 1 ? `${brand} 傳來一則新訊息` : `${brand} 傳來 ${n} 則新訊息`),
    intro: (brand) => `${brand} 回覆了您的對話：`,
    replyHint: '直接回覆此郵件即可作答，您的回覆會進入同一對話。',
    noReply: '請在網站上開啟聊天視窗作答。',
    attachment: '檔案',
    formHint: (fields) => `一份表單（${fields}）：請開啟聊天視窗填寫。`,
    stopThread: '不再接收此對話的郵件',
    continueLabel: '繼續對話',
    stopAll: (brand) => `不再接收 ${brand} 的任何郵件`,
    why: (brand) => `您收到此郵件，是因為您請 ${brand} 在您離開時以郵件傳送回覆。`,
  },
};

/** en, zh-CN or zh-TW for a BCP 47 tag: Traditional for zh-Hant, zh-TW, zh-HK, zh-MO. */
export function digestLocale(tag: string | undefined | null): DigestLocale {
  if (!tag || !/^zh\b/i.test(tag)) return 'en';
  return /hant|-(tw|hk|mo)\b/i.test(tag) ? 'zh-TW' : 'zh-CN';
}

export interface DigestInput {
  brand: string;
  locale: DigestLocale;
  /** The brand's messages since the last email, oldest first. */
  messages: Message[];
  /** A link to an attachment that works without a session (signed, expiring). */
  fileUrl: (attachment: Attachment) => string;
  unsubscribe: { thread: string; address: string };
  /** Whether replying to the email reaches the thread (a reply address is set). */
  replyable: boolean;
  /** The brand's page with the widget open on this thread (signed, expiring); null: no button. */
  continueUrl?: string | null;
}

export interface Digest {
  subject: string;
  text: string;
  html: string;
}

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * The email of a digest: a subject, a plain-text body, and an HTML body built only from escaped
 * text and this server's own links (message text never becomes markup, whatever it holds).
 */
export function composeDigest(input: DigestInput): Digest {
  const w = WORDS[input.locale];
  const { brand, messages } = input;
  const text: string[] = [w.intro(brand), ''];
  const html: string[] = [
    '<!doctype html><html><body style="font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;color:#1f2328">',
    `<p>${escapeHtml(w.intro(brand))}</p>`,
  ];
  for (const m of messages) {
    const who = m.author.name || brand;
    text.push(`${who}:`);
    if (m.text) text.push(m.text);
    html.push('<div style="margin:0 0 16px;padding:12px 14px;border-radius:10px;background:#f3f4f6">');
    html.push(`<div style="font-weight:600;margin-bottom:4px">${escapeHtml(who)}</div>`);
    if (m.text) html.push(`<div style="white-space:pre-wrap">${escapeHtml(m.text).replace(/\r?\n/g, '<br>')}</div>`);
    // Cards, links and forms as text: the shopper who left still gets the order's status.
    for (const group of blocksAsText(m.blocks, w.formHint)) {
      text.push(...group.map((l) => (l.url ? `${l.text}: <${l.url}>` : l.text)));
      html.push(
        '<div style="margin-top:8px;padding:8px 10px;border:1px solid #d0d7de;border-radius:8px;background:#ffffff">' +
          group.map((l, i) => (l.url ? `<div><a href="${escapeHtml(l.url)}">${escapeHtml(l.text)}</a></div>` : `<div${i === 0 ? ' style="font-weight:600"' : ''}>${escapeHtml(l.text)}</div>`)).join('') +
          '</div>',
      );
    }
    for (const a of m.attachments) {
      const url = input.fileUrl(a);
      text.push(`${w.attachment}: ${a.name} <${url}>`);
      const link = escapeHtml(url);
      if (a.mime.startsWith('image/')) {
        html.push(`<div style="margin-top:8px"><a href="${link}"><img src="${link}" alt="${escapeHtml(a.name)}" width="240" style="max-width:240px;height:auto;border-radius:6px;border:0"></a></div>`);
      } else {
        html.push(`<div style="margin-top:8px"><a href="${link}">${escapeHtml(a.name)}</a></div>`);
      }
    }
    html.push('</div>');
    text.push('');
  }
  const hint = input.replyable ? w.replyHint : w.noReply;
  if (input.continueUrl) {
    text.push(`${w.continueLabel}: ${input.continueUrl}`, '');
    html.push(
      `<p style="margin:20px 0"><a href="${escapeHtml(input.continueUrl)}" style="display:inline-block;padding:11px 20px;border-radius:8px;background:#2456d6;color:#ffffff;text-decoration:none;font-weight:600">${escapeHtml(w.continueLabel)}</a></p>`,
    );
  }
  text.push(hint, '', `${w.why(brand)}`, `${w.stopThread}: ${input.unsubscribe.thread}`, `${w.stopAll(brand)}: ${input.unsubscribe.address}`);
  html.push(`<p>${escapeHtml(hint)}</p>`);
  html.push(
    `<p style="font-size:12px;color:#59636e">${escapeHtml(w.why(brand))}<br>` +
      `<a href="${escapeHtml(input.unsubscribe.thread)}">${escapeHtml(w.stopThread)}</a> · ` +
      `<a href="${escapeHtml(input.unsubscribe.address)}">${escapeHtml(w.stopAll(brand))}</a></p>`,
  );
  html.push('</body></html>');
  return { subject: w.subject(brand, messages.length), text: text.join('\n'), html: html.join('\n') };
}
