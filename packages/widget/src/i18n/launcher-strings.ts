import type { Locale } from './locale.js';

/** The few words the launcher needs (shipped in the initial chunk; the toast's are in toast-strings.ts). */
export interface LauncherStrings {
  open: string;
  close: string;
  /** Appended to the launcher's name when there are unread messages. */
  unread: string;
}

export const LAUNCHER_STRINGS: Record<Locale, LauncherStrings> = {
  en: {
    open: 'Open messages',
    close: 'Close messages',
    unread: '{count} unread',
  },
  'zh-CN': {
    open: '打开消息',
    close: '关闭消息',
    unread: '{count} 条未读',
  },
  'zh-TW': {
    open: '開啟訊息',
    close: '關閉訊息',
    unread: '{count} 則未讀',
  },
  ar: {
    open: 'فتح الرسائل',
    close: 'إغلاق الرسائل',
    unread: '{count} غير مقروءة',
  },
  he: {
    open: 'פתיחת ההודעות',
    close: 'סגירת ההודעות',
    unread: '{count} שלא נקראו',
  },
};
