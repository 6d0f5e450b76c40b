/**
 * Business hours and the expected reply time of an app: one concept read by the server (the away
 * auto-reply, the REST API) and by clients (the widget's "Usually replies within …" and "We're
 * back at 9:00"), computed the same way on both with `Intl` alone (no time-zone library).
 */

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** `[start, end)` in the app's local time, `HH:MM` on a 24-hour clock; `end` may be `24:00`. */
export type OpenInterval = [start: string, end: string];

export interface BusinessHours {
  /** IANA time zone of the hours, e.g. `Europe/Paris`, `Asia/Shanghai`. */
  timeZone: string;
  /** Open intervals per weekday, in local time; a day left out (or `[]`) is closed. */
  weekly: Partial<Record<Weekday, OpenInterval[]>>;
  /** Closed days, local `YYYY-MM-DD`. */
  holidays: string[];
}

/** What an app says about when it answers (`GET`/`PUT /v1/availability`). */
export interface AppAvailability {
  /** null: no hours set, the app counts as always open. */
  hours: BusinessHours | null;
  /** The usual time to a first reply while open, in minutes; null: not shown. */
  replyTimeMinutes: number | null;
  /** Posted as a bot message, once per thread and closed period, when a shopper writes outside hours; null: none. */
  awayMessage: string | null;
  /** The people shown on the widget's first screen (at most 8, in this order); left out: none set. */
  team?: TeamMember[];
}

/** One person of the brand's team on the widget's first screen. */
export interface TeamMember {
  name: string;
  /** http(s) URL of their picture; without it their initial is shown. */
  avatarUrl?: string;
}

/** What a visitor's client is told (`availability.get`): the app's settings and whether an inbox is open now. */
export interface Availability extends AppAvailability {
  /** Some agent inbox of the app is connected right now. */
  agentsOnline: boolean;
}

export interface OpenState {
  open: boolean;
  /** When closed: the next opening within two weeks (null: none in sight). When open: null. */
  nextOpen: Date | null;
}

interface LocalTime {
  date: string; // YYYY-MM-DD
  weekday: Weekday;
  minutes: number; // since local midnight
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock fields of `at` in `timeZone`. */
function wallClock(at: number, timeZone: string): { y: number; m: number; d: number; h: number; min: number; s: number } {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(at))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { y: parts.year!, m: parts.month!, d: parts.day!, h: parts.hour! % 24, min: parts.minute!, s: parts.second! };
}

function localTime(at: number, timeZone: string): LocalTime {
  const w = wallClock(at, timeZone);
  const date = `${w.y}-${String(w.m).padStart(2, '0')}-${String(w.d).padStart(2, '0')}`;
  return { date, weekday: WEEKDAYS[new Date(Date.UTC(w.y, w.m - 1, w.d)).getUTCDay()]!, minutes: w.h * 60 + w.min };
}

/** The instant at which the wall clock in `timeZone` reads `y-m-d hh:mm` (the later one in a DST overlap's doubt, the shifted one in a gap). */
function instantOf(y: number, m: number, d: number, minutes: number, timeZone: string): number {
  const asUtc = Date.UTC(y, m - 1, d, 0, minutes);
  let at = asUtc;
  // Two rounds settle the offset, DST transitions included.
  for (let i = 0; i < 2; i++) {
    const w = wallClock(at, timeZone);
    const shown = Date.UTC(w.y, w.m - 1, w.d, w.h, w.min, w.s);
    at += asUtc - shown;
  }
  return at;
}

/** `HH:MM` → minutes since midnight; `24:00` is 1440. NaN when malformed. */
export function parseHm(hm: string): number {
  const m = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(hm);
  if (!m) return NaN;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  return minutes <= 1440 ? minutes : NaN;
}

/** Whether `timeZone` is one this runtime's Intl knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false; // RangeError: unknown time zone
  }
}

/**
 * Open or closed at `now` under `hours` (always open without hours), and when closed, the next
 * opening (a holiday or a closed day is skipped; two weeks ahead at most).
 */
export function openState(hours: BusinessHours | null, now: Date | number): OpenState {
  const at = typeof now === 'number' ? now : now.getTime();
  if (!hours) return { open: true, nextOpen: null };
  const holidays = new Set(hours.holidays);
  const today = localTime(at, hours.timeZone);
  const intervals = (day: LocalTime['weekday'], date: string) =>
    holidays.has(date) ? [] : (hours.weekly[day] ?? []).map(([s, e]) => [parseHm(s), parseHm(e)] as const).filter(([s, e]) => s < e);
  if (intervals(today.weekday, today.date).some(([s, e]) => s <= today.minutes && today.minutes < e)) return { open: true, nextOpen: null };
  const [y, m, d] = today.date.split('-').map(Number) as [number, number, number];
  for (let ahead = 0; ahead <= 14; ahead++) {
    const day = new Date(Date.UTC(y, m - 1, d + ahead));
    const date = day.toISOString().slice(0, 10);
    const starts = intervals(WEEKDAYS[day.getUTCDay()]!, date)
      .map(([s]) => s)
      .filter((s) => ahead > 0 || s > today.minutes)
      .sort((a, b) => a - b);
    if (starts.length) return { open: false, nextOpen: new Date(instantOf(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), starts[0]!, hours.timeZone)) };
  }
  return { open: false, nextOpen: null };
}

/**
 * What is wrong with business hours from outside (the REST API), or null when they are usable:
 * a known time zone, `HH:MM` intervals with start before end, `YYYY-MM-DD` holidays.
 */
export function hoursProblem(hours: BusinessHours): string | null {
  if (!isTimeZone(hours.timeZone)) return `unknown time zone ${JSON.stringify(hours.timeZone)}`;
  for (const [day, list] of Object.entries(hours.weekly)) {
    if (!(WEEKDAYS as readonly string[]).includes(day)) return `weekly: ${day} is not a weekday (sun … sat)`;
    for (const [s, e] of list ?? []) {
      const start = parseHm(s);
      const end = parseHm(e);
      if (Number.isNaN(start) || Number.isNaN(end)) return `weekly.${day}: times are HH:MM (00:00 … 24:00)`;
      if (start >= end) return `weekly.${day}: ${s}–${e} ends before it starts`;
    }
  }
  for (const h of hours.holidays) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(h) || Number.isNaN(Date.parse(`${h}T00:00:00Z`))) return `holidays: ${JSON.stringify(h)} is not YYYY-MM-DD`;
  }
  return null;
}
