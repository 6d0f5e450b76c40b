import { describe, expect, it } from 'vitest';
import { hoursProblem, openState, type BusinessHours } from './hours.js';

const paris: BusinessHours = {
  timeZone: 'Europe/Paris',
  weekly: { mon: [['09:00', '12:30'], ['14:00', '18:00']], tue: [['09:00', '18:00']], wed: [['09:00', '18:00']], thu: [['09:00', '18:00']], fri: [['09:00', '17:00']] },
  holidays: ['2026-12-25'],
};

describe('openState', () => {
  it('is always open without hours', () => {
    expect(openState(null, Date.parse('2026-11-29T03:00:00Z'))).toEqual({ open: true, nextOpen: null });
  });

  it('is open inside an interval of the local day, in the app’s time zone', () => {
    // Monday 30 Nov 2026, 10:00 in Paris (UTC+1).
    expect(openState(paris, Date.parse('2026-11-30T09:00:00Z')).open).toBe(true);
  });

  it('names the next opening later the same day during a lunch break', () => {
    const s = openState(paris, Date.parse('2026-11-30T12:00:00Z')); // 13:00 Paris
    expect(s).toEqual({ open: false, nextOpen: new Date('2026-11-30T13:00:00Z') });
  });

  it('skips the weekend and a closing time is exclusive', () => {
    // Friday 4 Dec 17:00 Paris: closed; next is Monday 7 Dec 09:00 Paris.
    const s = openState(paris, Date.parse('2026-12-04T16:00:00Z'));
    expect(s).toEqual({ open: false, nextOpen: new Date('2026-12-07T08:00:00Z') });
  });

  it('skips holidays', () => {
    // Thursday 24 Dec 19:00 Paris; Friday 25 is a holiday; next is Monday 28 Dec 09:00.
    expect(openState(paris, Date.parse('2026-12-24T18:00:00Z')).nextOpen).toEqual(new Date('2026-12-28T08:00:00Z'));
  });

  it('follows daylight saving time: 09:00 in Paris is 07:00 UTC in summer', () => {
    // Sunday 28 Jun 2026 in Paris; next opening Monday 29 Jun 09:00 CEST.
    expect(openState(paris, Date.parse('2026-06-28T10:00:00Z')).nextOpen).toEqual(new Date('2026-06-29T07:00:00Z'));
  });

  it('reads the local date across midnight in a zone ahead of UTC', () => {
    const shanghai: BusinessHours = { timeZone: 'Asia/Shanghai', weekly: { mon: [['00:00', '24:00']] }, holidays: [] };
    // Sunday 29 Nov 17:00 UTC is Monday 01:00 in Shanghai.
    expect(openState(shanghai, Date.parse('2026-11-29T17:00:00Z')).open).toBe(true);
    expect(openState(shanghai, Date.parse('2026-11-29T15:00:00Z'))).toEqual({ open: false, nextOpen: new Date('2026-11-29T16:00:00Z') });
  });

  it('has no next opening when every day is closed', () => {
    expect(openState({ timeZone: 'UTC', weekly: {}, holidays: [] }, 0)).toEqual({ open: false, nextOpen: null });
  });
});

describe('hoursProblem', () => {
  it('accepts usable hours', () => {
    expect(hoursProblem(paris)).toBeNull();
  });
  it.each([
    [{ ...paris, timeZone: 'Mars/Olympus' }, /time zone/],
    [{ ...paris, weekly: { mon: [['9:00', '17:00']] } }, /HH:MM/],
    [{ ...paris, weekly: { mon: [['18:00', '09:00']] } }, /ends before it starts/],
    [{ ...paris, weekly: { someday: [['09:00', '17:00']] } }, /not a weekday/],
    [{ ...paris, holidays: ['25/12/2026'] }, /YYYY-MM-DD/],
  ] as [BusinessHours, RegExp][])('refuses %j', (hours, problem) => {
    expect(hoursProblem(hours)).toMatch(problem);
  });
});
