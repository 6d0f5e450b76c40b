/**
 * Locale choice and Intl formatting shared by the launcher and the panel. The word lists live
 * beside the part that uses them (launcher-strings.ts, panel-strings.ts) so the initial chunk
 * carries only the few words the launcher needs.
 */
export type Locale = 'en' | 'zh-CN' | 'zh-TW';

export const LOCALES: readonly Locale[] = ['en', 'zh-CN', 'zh-TW'];

/**
 * Picks the first supported locale from the option, then the browser's preferences.
 * Chinese without a script or region goes to Simplified, except for regions that write
 * Traditional (Taiwan, Hong Kong, Macau) or an explicit `Hant` script.
 */
export function resolveLocale(requested: string | undefined, preferred: readonly string[] = browserLanguages()): Locale {
  for (const tag of requested ? [requested, ...preferred] : preferred) {
    const match = matchLocale(tag);
    if (match) return match;
  }
  return 'en';
}

function matchLocale(tag: string): Locale | null {
  const lower = tag.toLowerCase().replace(/_/g, '-');
  if (lower === 'zh' || lower.startsWith('zh-')) {
    return /-(hant|tw|hk|mo)(-|$)/.test(lower) ? 'zh-TW' : 'zh-CN';
  }
  if (lower === 'en' || lower.startsWith('en-')) return 'en';
  return null;
}

function browserLanguages(): readonly string[] {
  if (typeof navigator === 'undefined') return [];
  return navigator.languages?.length ? navigator.languages : navigator.language ? [navigator.language] : [];
}

export type Strings<K extends string> = Record<K, string>;

/** Replaces `{name}` placeholders; a missing value leaves the placeholder visible, not "undefined". */
export function format(template: string, vars?: Record<string, string | number>): string {
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

export interface Formatters {
  locale: Locale;
  /** "14:05" or "下午2:05" */
  time(iso: string): string;
  /** "Today", "Yesterday", or a date in the locale's words. */
  day(iso: string, now?: number): string;
  /** Short stamp for inbox rows: time today, else a date. */
  stamp(iso: string, now?: number): string;
  /** "0:42" */
  duration(ms: number): string;
  /** "1.2 MB" */
  bytes(n: number): string;
}

export function createFormatters(locale: Locale, words: { today: string; yesterday: string }): Formatters {
  const time = new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' });
  const date = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric' });
  const fullDate = new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric' });
  const dayKey = (t: number) => new Date(t).toDateString();
  return {
    locale,
    time: (iso) => time.format(new Date(iso)),
    day(iso, now = Date.now()) {
      const t = Date.parse(iso);
      if (dayKey(t) === dayKey(now)) return words.today;
      if (dayKey(t) === dayKey(now - 86_400_000)) return words.yesterday;
      return new Date(t).getFullYear() === new Date(now).getFullYear() ? date.format(t) : fullDate.format(t);
    },
    stamp(iso, now = Date.now()) {
      const t = Date.parse(iso);
      return dayKey(t) === dayKey(now) ? time.format(t) : date.format(t);
    },
    duration(ms) {
      const s = Math.max(0, Math.round(ms / 1000));
      return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
    },
    bytes(n) {
      const units = ['B', 'KB', 'MB', 'GB'];
      let i = 0;
      while (n >= 1000 && i < units.length - 1) {
        n /= 1000;
        i++;
      }
      return `${new Intl.NumberFormat(locale, { maximumFractionDigits: i ? 1 : 0 }).format(n)} ${units[i]}`;
    },
  };
}
