/**
 * What the panel says about when the brand answers, and whether it asks for an email address:
 * pure functions of the session, the thread and the app's availability (`client.availability()`),
 * so the rules are tested without a browser.
 */
import { openState, type Availability } from '@threadline/protocol';
import type { MessageView, SessionView } from '@threadline/core';
import type { I18n } from '../i18n/i18n.js';
import type { NotifyT } from '../i18n/notify-strings.js';

/** The drafts key remembering that the shopper declined the email ask (erased by `shutdown` with the drafts). */
export const NOTIFY_SKIP_KEY = '~notify-skip';

export type NotifyStage = 'ask' | 'set' | null;

/**
 * `ask` for an email address: the server sends email, the shopper is not identified with an email
 * of the brand's, has written in this thread, has not declined before, and nobody of the brand is
 * there to answer now (no inbox connected, or outside business hours). `set`: an address is set
 * and the shopper has written here (shown back, to change or remove). null: nothing to show.
 */
export function notifyStage(input: {
  session: SessionView | null;
  messages: readonly MessageView[];
  availability: Availability | null;
  skipped: boolean;
  now: number;
}): NotifyStage {
  const { session, availability } = input;
  if (!session || session.notifyEmail === undefined || session.notifyIdentified) return null;
  if (!input.messages.some((m) => m.own)) return null;
  if (session.notifyEmail) return 'set';
  if (input.skipped || !availability) return null;
  const away = !availability.agentsOnline || !openState(availability.hours, input.now).open;
  return away ? 'ask' : null;
}

function unitFormat(locale: string, unit: 'minute' | 'hour' | 'day', n: number): string {
  return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' }).format(n);
}

/** "30 minutes", "2 hours", "1 day", in the shopper's language; rounded up to the unit shown. */
export function replyTime(locale: string, minutes: number): string {
  if (minutes < 60) return unitFormat(locale, 'minute', minutes);
  if (minutes < 24 * 60) return unitFormat(locale, 'hour', Math.ceil(minutes / 60));
  return unitFormat(locale, 'day', Math.ceil(minutes / (24 * 60)));
}

const localDay = (t: number) => new Date(t).toDateString();

/**
 * The line under the greeting: outside hours "We're back at 9:00 — leave a message" (the time in
 * the shopper's own time zone; "tomorrow" or a weekday when not today), while open "Usually
 * replies within …" when the brand set a reply time; null when there is nothing to say.
 */
export function availabilityLine(availability: Availability | null, i18n: I18n, w: NotifyT, now: number): string | null {
  if (!availability) return null;
  const state = openState(availability.hours, now);
  if (!state.open) {
    const next = state.nextOpen;
    if (!next) return w('away');
    const time = i18n.time(next.toISOString());
    if (localDay(next.getTime()) === localDay(now)) return w('backAt', { time });
    if (localDay(next.getTime()) === localDay(now + 86_400_000)) return w('backTomorrow', { time });
    const day = new Intl.DateTimeFormat(i18n.locale, next.getTime() - now < 6 * 86_400_000 ? { weekday: 'long' } : { weekday: 'long', month: 'short', day: 'numeric' }).format(next);
    return w('backOn', { day, time });
  }
  return availability.replyTimeMinutes ? w('replyWithin', { time: replyTime(i18n.locale, availability.replyTimeMinutes) }) : null;
}
