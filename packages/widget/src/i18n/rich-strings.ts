/**
 * The words of rich messages (components/rich.tsx), in their chunk: only conversations with
 * blocks need them, so the panel's word list does not carry them. Every locale of the widget has
 * every key (a test checks); a locale missing here falls back to English.
 */
import { format } from './locale.js';

const en = {
  richSubmit: 'Send',
  richAnswered: 'Sent',
  richCards: 'Cards',
  richNewTab: '(opens in a new tab)',
  richRequired: 'Fill in this field.',
  richEmail: 'Enter an email address, like name@example.com.',
  richPattern: 'Check the format.',
  richTooLong: 'This is too long.',
};

export type RichStringKey = keyof typeof en;
export type RichStrings = Record<RichStringKey, string>;

export const RICH_STRINGS: Readonly<Record<string, RichStrings>> = {
  en,
  'zh-CN': {
    richSubmit: '发送',
    richAnswered: '已发送',
    richCards: '卡片',
    richNewTab: '（在新标签页中打开）',
    richRequired: '请填写此项。',
    richEmail: '请输入电子邮箱地址，例如 name@example.com。',
    richPattern: '请检查格式。',
    richTooLong: '内容过长。',
  },
  'zh-TW': {
    richSubmit: '傳送',
    richAnswered: '已傳送',
    richCards: '卡片',
    richNewTab: '（在新分頁中開啟）',
    richRequired: '請填寫此欄位。',
    richEmail: '請輸入電子郵件地址，例如 name@example.com。',
    richPattern: '請檢查格式。',
    richTooLong: '內容過長。',
  },
  ar: {
    richSubmit: 'إرسال',
    richAnswered: 'تم الإرسال',
    richCards: 'بطاقات',
    richNewTab: '(يُفتح في علامة تبويب جديدة)',
    richRequired: 'املأ هذا الحقل.',
    richEmail: 'أدخل عنوان بريد إلكتروني، مثل name@example.com.',
    richPattern: 'تحقّق من الصيغة.',
    richTooLong: 'النص طويل جدًا.',
  },
  he: {
    richSubmit: 'שליחה',
    richAnswered: 'נשלח',
    richCards: 'כרטיסים',
    richNewTab: '(נפתח בכרטיסייה חדשה)',
    richRequired: 'יש למלא שדה זה.',
    richEmail: 'הזינו כתובת דוא״ל, למשל name@example.com.',
    richPattern: 'בדקו את הפורמט.',
    richTooLong: 'הטקסט ארוך מדי.',
  },
};

export type RichT = (key: RichStringKey, vars?: Record<string, string | number>) => string;

/** The words of `locale` (English for one not listed). */
export function richWords(locale: string): RichT {
  const words = RICH_STRINGS[locale] ?? en;
  return (key, vars) => format(words[key], vars);
}
