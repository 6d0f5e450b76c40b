/**
 * The words of the email ask and the availability line (panel/notify.ts), in their chunk: few
 * conversations show them, so the panel's word list does not carry them. Every locale of the
 * widget has every key (a test checks); a locale missing here falls back to English.
 */
import { format } from './locale.js';

const en = {
  notifyTitle: 'Get the reply by email',
  notifyHint: "If you've left when we answer, we'll email you.",
  notifyField: 'Email address',
  notifySave: 'Email me',
  notifySkip: 'Not now',
  notifySet: "We'll email {email}",
  notifyChange: 'Change',
  notifyRemove: 'Remove',
  notifyCancel: 'Cancel',
  notifyInvalid: 'Check the email address.',
  notifyFailed: "Couldn't save the address. Try again.",
  replyWithin: 'Usually replies within {time}',
  homeTeam: 'You’ll hear from {names}',
  backAt: "We're back at {time} — leave a message",
  backTomorrow: "We're back tomorrow at {time} — leave a message",
  backOn: "We're back {day} at {time} — leave a message",
  away: "We're away right now — leave a message",
};

export type NotifyStringKey = keyof typeof en;
export type NotifyStrings = Record<NotifyStringKey, string>;

export const NOTIFY_STRINGS: Readonly<Record<string, NotifyStrings>> = {
  en,
  'zh-CN': {
    notifyTitle: '通过邮件接收回复',
    notifyHint: '如果我们回复时您已离开，我们会发邮件给您。',
    notifyField: '电子邮箱地址',
    notifySave: '邮件通知我',
    notifySkip: '暂不需要',
    notifySet: '我们会发邮件至 {email}',
    notifyChange: '更改',
    notifyRemove: '移除',
    notifyCancel: '取消',
    notifyInvalid: '请检查电子邮箱地址。',
    notifyFailed: '无法保存地址，请重试。',
    replyWithin: '通常在 {time}内回复',
    homeTeam: '为您服务的是{names}',
    backAt: '我们将于 {time} 回来，请先留言',
    backTomorrow: '我们将于明天 {time} 回来，请先留言',
    backOn: '我们将于{day} {time} 回来，请先留言',
    away: '我们暂时不在，请先留言',
  },
  'zh-TW': {
    notifyTitle: '透過電子郵件接收回覆',
    notifyHint: '如果我們回覆時您已離開，我們會寄電子郵件給您。',
    notifyField: '電子郵件地址',
    notifySave: '以郵件通知我',
    notifySkip: '暫時不用',
    notifySet: '我們會寄信至 {email}',
    notifyChange: '變更',
    notifyRemove: '移除',
    notifyCancel: '取消',
    notifyInvalid: '請檢查電子郵件地址。',
    notifyFailed: '無法儲存地址，請再試一次。',
    replyWithin: '通常在 {time}內回覆',
    homeTeam: '為您服務的是{names}',
    backAt: '我們將於 {time} 回來，請先留言',
    backTomorrow: '我們將於明天 {time} 回來，請先留言',
    backOn: '我們將於{day} {time} 回來，請先留言',
    away: '我們暫時不在，請先留言',
  },
  ar: {
    notifyTitle: 'استلم الرد عبر البريد الإلكتروني',
    notifyHint: 'إذا غادرت قبل أن نرد، فسنراسلك بالبريد الإلكتروني.',
    notifyField: 'عنوان البريد الإلكتروني',
    notifySave: 'راسلني بالبريد',
    notifySkip: 'ليس الآن',
    notifySet: 'سنراسلك على {email}',
    notifyChange: 'تغيير',
    notifyRemove: 'إزالة',
    notifyCancel: 'إلغاء',
    notifyInvalid: 'تحقق من عنوان البريد الإلكتروني.',
    notifyFailed: 'تعذّر حفظ العنوان. حاول مرة أخرى.',
    replyWithin: 'نرد عادةً خلال {time}',
    homeTeam: 'سيرد عليك {names}',
    backAt: 'سنعود في {time} — اترك رسالة',
    backTomorrow: 'سنعود غدًا في {time} — اترك رسالة',
    backOn: 'سنعود {day} في {time} — اترك رسالة',
    away: 'لسنا متاحين الآن — اترك رسالة',
  },
  he: {
    notifyTitle: 'קבלת התשובה בדוא״ל',
    notifyHint: 'אם תצאו לפני שנענה, נשלח לכם דוא״ל.',
    notifyField: 'כתובת דוא״ל',
    notifySave: 'שלחו לי דוא״ל',
    notifySkip: 'לא עכשיו',
    notifySet: 'נשלח דוא״ל אל {email}',
    notifyChange: 'שינוי',
    notifyRemove: 'הסרה',
    notifyCancel: 'ביטול',
    notifyInvalid: 'בדקו את כתובת הדוא״ל.',
    notifyFailed: 'לא ניתן לשמור את הכתובת. נסו שוב.',
    replyWithin: 'בדרך כלל עונים תוך {time}',
    homeTeam: 'יענו לכם {names}',
    backAt: 'נחזור ב־{time} — השאירו הודעה',
    backTomorrow: 'נחזור מחר ב־{time} — השאירו הודעה',
    backOn: 'נחזור {day} ב־{time} — השאירו הודעה',
    away: 'איננו זמינים כרגע — השאירו הודעה',
  },
};

export type NotifyT = (key: NotifyStringKey, vars?: Record<string, string | number>) => string;

/** The words of `locale` (English for one not listed). */
export function notifyWords(locale: string): NotifyT {
  const words = NOTIFY_STRINGS[locale] ?? en;
  return (key, vars) => format(words[key], vars);
}
