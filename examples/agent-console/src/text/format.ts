/** Small formatters for what agents read: sizes, money, times, devices. */
import type { AssignmentEvent } from '@threadline/protocol';

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * A locale `Intl` accepts, in canonical form, or `undefined` (the agent's own). Visitors' locales
 * come from the network: one such as "x!" makes `Intl` throw a RangeError, and the server only
 * refuses them since it checks BCP 47, so older stored ones can still arrive.
 */
export function safeLocale(locale: unknown): string | undefined {
  if (typeof locale !== 'string' || !locale) return undefined;
  try {
    return Intl.getCanonicalLocales(locale)[0];
  } catch {
    // Not a BCP 47 tag: format in the agent's own locale instead.
    return undefined;
  }
}

/**
 * The amount of a visitor's cart, in their locale and currency when both are usable; otherwise a
 * plain number with the code beside it. Never throws: the values come from the shopper's page.
 */
export function formatMoney(value: number, currency?: string, locale?: string): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—';
  const loc = safeLocale(locale);
  const code = typeof currency === 'string' && currency ? currency : undefined;
  if (code) {
    try {
      return new Intl.NumberFormat(loc, { style: 'currency', currency: code }).format(value);
    } catch {
      // An unknown currency code from the page: show it beside the number instead.
    }
  }
  let amount: string;
  try {
    amount = new Intl.NumberFormat(loc, { maximumFractionDigits: 2 }).format(value);
  } catch {
    // Defence in depth: safeLocale already filtered the locale.
    amount = String(Math.round(value * 100) / 100);
  }
  return `${amount}${code ? ` ${code}` : ''}`;
}

/** Milliseconds of an ISO time from the network, or null when it is not one. */
function timeOf(iso: unknown): number | null {
  if (typeof iso !== 'string') return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
}

/** "now", "5 min", "3 h", "yesterday", or a date — for lists where space is short. */
export function shortTime(iso: string, now: number = Date.now()): string {
  const t = timeOf(iso);
  if (t === null) return '';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 45) return 'now';
  if (s < 3600) return `${Math.round(s / 60)} min`;
  const d = new Date(t);
  const today = new Date(now);
  if (s < 86_400 && d.getDate() === today.getDate()) return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  const yesterday = new Date(now - 86_400_000);
  if (d.toDateString() === yesterday.toDateString()) return 'yesterday';
  return d.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: d.getFullYear() === today.getFullYear() ? undefined : 'numeric' });
}

/** "Waiting 12 min", "Waiting 2 h 5 min", "Waiting 3 d": how long a thread has waited for a person. */
export function waitedFor(sinceMs: number, now: number = Date.now()): string {
  const min = Math.max(0, Math.floor((now - sinceMs) / 60_000));
  if (min < 1) return 'Waiting < 1 min';
  if (min < 60) return `Waiting ${min} min`;
  if (min < 24 * 60) return `Waiting ${Math.floor(min / 60)} h${min % 60 ? ` ${min % 60} min` : ''}`;
  return `Waiting ${Math.floor(min / (24 * 60))} d`;
}

export function fullTime(iso: string): string {
  const t = timeOf(iso);
  return t === null ? '' : new Date(t).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function clockTime(iso: string): string {
  const t = timeOf(iso);
  return t === null ? '' : new Date(t).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/** "Monday 10 March", the day separator in a conversation; '' for a time that is not one. */
export function dayLabel(iso: string): string {
  const t = timeOf(iso);
  return t === null ? '' : new Date(t).toLocaleDateString(undefined, { weekday: 'long', day: 'numeric', month: 'long' });
}

export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * "Chrome on Android (mobile)" from a user agent. Order matters: Edge and Opera claim Chrome,
 * Chrome claims Safari, and iPadOS 13+ claims to be a Mac.
 */
export function describeDevice(userAgent: string | undefined): string {
  if (!userAgent) return 'Unknown device';
  const ua = userAgent;
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /OPR\/|Opera/.test(ua)
      ? 'Opera'
      : /Firefox\/|FxiOS/.test(ua)
        ? 'Firefox'
        : /Chrome\/|CriOS/.test(ua)
          ? /HeadlessChrome/.test(ua) ? 'Headless Chrome' : 'Chrome'
          : /Safari\//.test(ua)
            ? 'Safari'
            : /node|undici/i.test(ua)
              ? 'Script'
              : null;
  const os = /Android/.test(ua)
    ? 'Android'
    : /iPhone|iPad|iPod/.test(ua)
      ? 'iOS'
      : /Windows/.test(ua)
        ? 'Windows'
        : /Mac OS X|Macintosh/.test(ua)
          ? 'macOS'
          : /CrOS/.test(ua)
            ? 'ChromeOS'
            : /Linux/.test(ua)
              ? 'Linux'
              : null;
  const mobile = /Mobi|iPhone|Android.*Mobile/.test(ua) ? ' (mobile)' : /iPad|Tablet/.test(ua) ? ' (tablet)' : '';
  if (!browser && !os) return 'Unknown device';
  return `${browser ?? 'Browser'}${os ? ` on ${os}` : ''}${mobile}`;
}

/** The label for a visitor: a name, an e-mail, a user id, or a short anonymous tag. */
export function visitorLabel(v: { id: string; name: string | null; email: string | null; userId: string | null }): string {
  return v.name || v.email || v.userId || `Visitor ${v.id.slice(-4).toUpperCase()}`;
}

/** Path and query of a page URL, for compact display ("/p/boots?size=42"). */
export function pagePath(url: string): string {
  try {
    const u = new URL(url);
    return `${u.pathname}${u.search}` || '/';
  } catch {
    return url;
  }
}

const WHY: Record<string, string> = {
  handoff_requested: 'the shopper tapped “Talk to a person”',
  handoff_words: 'the shopper asked for a person',
  bot_limit: 'the bot had answered twice without solving it',
};

/** A `thread.assigned` event as agents read it: who has it now, and why or by whom. */
export function assignmentLine(e: AssignmentEvent): string {
  const by = 'name' in e.by && e.by.name ? e.by.name : null;
  if (e.to.kind === 'queue') return `Waiting for a person — ${WHY[e.reason] ?? (by ? `moved to the queue by ${by}` : 'moved to the queue')}`;
  if (e.to.kind === 'bot') return `Handed back to the bot${by ? ` by ${by}` : ''}`;
  return `${e.to.name} took the conversation${by && by !== e.to.name ? ` (assigned by ${by})` : ''}`;
}
