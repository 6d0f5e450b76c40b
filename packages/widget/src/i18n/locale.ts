/**
 * Locale choice and placeholders, shared by the launcher and the panel. Word lists and Intl
 * formatting (formatters.ts) live beside the part that uses them (launcher-strings.ts,
 * panel-strings.ts) so the initial chunk carries only what the launcher needs.
 */
export type Locale = 'en' | 'zh-CN' | 'zh-TW' | 'ar' | 'he';

export const LOCALES: readonly Locale[] = ['en', 'zh-CN', 'zh-TW', 'ar', 'he'];

/** Arabic and Hebrew are written right to left: the widget's root gets `dir="rtl"`. */
export const isRtl = (locale: Locale): boolean => locale === 'ar' || locale === 'he';

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
  const language = lower.split('-')[0];
  if (language === 'zh') return /-(hant|tw|hk|mo)(-|$)/.test(lower) ? 'zh-TW' : 'zh-CN';
  // `iw` is Hebrew's old code, still sent by some Android browsers.
  return language === 'en' || language === 'ar' ? language : language === 'he' || language === 'iw' ? 'he' : null;
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
