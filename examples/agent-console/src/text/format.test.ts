import { describe, expect, it } from 'vitest';
import { describeDevice, formatBytes, pagePath, shortTime, visitorLabel } from './format.js';

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
});
