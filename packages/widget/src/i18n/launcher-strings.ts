import type { Locale } from './locale.js';

/** The few words the launcher and the proactive toast need (shipped in the initial chunk). */
export interface LauncherStrings {
  open: string;
  close: string;
  /** Appended to the launcher's name when there are unread messages. */
  unread: string;
  reply: string;
  dismiss: string;
  toastFrom: string;
}

export const LAUNCHER_STRINGS: Record<Locale, LauncherStrings> = {
  en: {
    open: 'Open messages',
    close: 'Close messages',
    unread: '{count} unread',
    reply: 'Reply',
    dismiss: 'Dismiss',
    toastFrom: 'Message from {name}',
  },
  'zh-CN': {
    open: '打开消息',
    close: '关闭消息',
    unread: '{count} 条未读',
    reply: '回复',
    dismiss: '关闭',
    toastFrom: '来自{name}的消息',
  },
  'zh-TW': {
    open: '開啟訊息',
    close: '關閉訊息',
    unread: '{count} 則未讀',
    reply: '回覆',
    dismiss: '關閉',
    toastFrom: '來自{name}的訊息',
  },
};
