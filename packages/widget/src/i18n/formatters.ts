/** Dates, times, durations and sizes in the visitor's language, via Intl (panel only). */
import type { Locale } from './locale.js';

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

/** Made on first use: each Intl formatter costs milliseconds to build (much more on a slow phone). */
function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

export function createFormatters(locale: Locale, words: { today: string; yesterday: string }): Formatters {
  const time = once(() => new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' }));
  const date = once(() => new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric' }));
  const fullDate = once(() => new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric' }));
  const dayKey = (t: number) => new Date(t).toDateString();
  return {
    locale,
    time: (iso) => time().format(new Date(iso)),
    day(iso, now = Date.now()) {
      const t = Date.parse(iso);
      if (dayKey(t) === dayKey(now)) return words.today;
      if (dayKey(t) === dayKey(now - 86_400_000)) return words.yesterday;
      return new Date(t).getFullYear() === new Date(now).getFullYear() ? date().format(t) : fullDate().format(t);
    },
    stamp(iso, now = Date.now()) {
      const t = Date.parse(iso);
      return dayKey(t) === dayKey(now) ? time().format(t) : date().format(t);
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
