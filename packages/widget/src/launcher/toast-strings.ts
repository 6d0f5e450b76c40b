import type { Locale } from '../i18n/locale.js';

/** The proactive toast's words, in its own chunk (toast.ts): most page views never show a toast. */
export interface ToastStrings {
  reply: string;
  dismiss: string;
  /** The toast's accessible name. */
  from: string;
  /** The sender's name when neither the prompt's author nor the `brandName` option gives one. */
  team: string;
  /** Tag beside the name of a bot's prompt. */
  bot: string;
}

export const TOAST_STRINGS: Record<Locale, ToastStrings> = {
  en: { reply: 'Reply', dismiss: 'Dismiss', from: 'Message from {name}', team: 'Team', bot: 'Bot' },
  'zh-CN': { reply: '回复', dismiss: '关闭', from: '来自{name}的消息', team: '客服', bot: '机器人' },
  'zh-TW': { reply: '回覆', dismiss: '關閉', from: '來自{name}的訊息', team: '客服', bot: '機器人' },
  ar: { reply: 'رد', dismiss: 'إغلاق', from: 'رسالة من {name}', team: 'فريق الدعم', bot: 'روبوت' },
  he: { reply: 'השב', dismiss: 'סגירה', from: 'הודעה מאת {name}', team: 'צוות התמיכה', bot: 'בוט' },
};
