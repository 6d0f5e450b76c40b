import { describe, expect, it } from 'vitest';
import { clockTime, describeDevice, formatBytes, formatMoney, fullTime, pagePath, shortTime, visitorLabel } from './format.js';

describe('format', () => {
  it('names common devices from their user agent', () => {
    expect(describeDevice('Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1')).toBe('Safari on iOS (mobile)');
    expect(describeDevice('Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36')).toBe('Chrome on Android (mobile)');
    expect(describeDevice('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0')).toBe('Edge on Windows');
    expect(describeDevice(undefined)).toBe('Unknown device');
  });

  it('formats sizes, page paths and short times', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(2048)).toBe('2 KB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MB');
    expect(pagePath('http://shop.test/p/boots?size=42')).toBe('/p/boots?size=42');
    const now = Date.parse('2025-03-10T12:00:00Z');
    expect(shortTime('2025-03-10T11:59:50Z', now)).toBe('now');
    expect(shortTime('2025-03-10T11:50:00Z', now)).toBe('10 min');
  });

  it('labels a visitor by name, e-mail, user id, or a short anonymous tag', () => {
    const base = { id: '0190aaaa-bbbb-7ccc-8ddd-eeeeffff1234', name: null, email: null, userId: null };
    expect(visitorLabel(base)).toBe('Visitor 1234');
    expect(visitorLabel({ ...base, email: 'a@b.c' })).toBe('a@b.c');
    expect(visitorLabel({ ...base, name: 'Alice', email: 'a@b.c' })).toBe('Alice');
  });

  it('formats money in the visitor\'s locale when it is a real one', () => {
    expect(formatMoney(120, 'EUR', 'de-DE')).toBe('120,00\u00a0€');
    expect(formatMoney(120.5, undefined, 'en-US')).toBe('120.5');
  });

  it('never throws on a locale, amount or currency from the network, and falls back to a plain amount', () => {
    // "x!" made Intl.NumberFormat throw a RangeError and took the whole console down.
    for (const locale of ['x!', '', 'en_US', 42, {}, null] as unknown[]) {
      expect(() => formatMoney(120, 'EUR', locale as string)).not.toThrow();
      expect(formatMoney(120, undefined, locale as string)).toMatch(/120/);
    }
    expect(formatMoney(120, 'EUROS', 'en-US')).toBe('120 EUROS');
    expect(formatMoney(Number.NaN, 'EUR', 'en-US')).toBe('—');
    expect(formatMoney('12' as unknown as number, 'EUR', 'x!')).toBe('—');
    expect(formatMoney(5, { code: 'EUR' } as unknown as string, 'en-US')).toBe('5');
  });

  it('answers an empty string for a time that is not one, whatever it is', () => {
    for (const value of ['yesterday', '', 42, null, undefined, {}] as unknown[]) {
      expect(shortTime(value as string)).toBe('');
      expect(fullTime(value as string)).toBe('');
      expect(clockTime(value as string)).toBe('');
    }
  });
});
