import { describe, expect, it } from 'vitest';
import { LAUNCHER_STRINGS } from './launcher-strings.js';
import { createI18n, loadPanelStrings } from './i18n.js';
import { createFormatters } from './formatters.js';
import { format, isRtl, LOCALES, resolveLocale, type Locale } from './locale.js';
import { PANEL_STRINGS, type PanelStrings } from './panel-strings.js';
import ar from './panel-strings-ar.js';
import he from './panel-strings-he.js';
import { TOAST_STRINGS } from '../launcher/toast-strings.js';

/** Every locale's panel words, the bundled ones and those loaded as chunks. */
const ALL: Record<Locale, PanelStrings> = { ...PANEL_STRINGS, ar, he };

describe('resolveLocale', () => {
  it('takes the option first, then the browser preferences, then English', () => {
    expect(resolveLocale('zh-TW', ['en-US'])).toBe('zh-TW');
    expect(resolveLocale(undefined, ['fr-FR', 'zh-CN'])).toBe('zh-CN');
    expect(resolveLocale('fr', ['de'])).toBe('en');
  });

  it('maps Chinese variants to Simplified or Traditional by script and region', () => {
    expect(resolveLocale('zh')).toBe('zh-CN');
    expect(resolveLocale('zh-Hans-SG')).toBe('zh-CN');
    expect(resolveLocale('zh-HK')).toBe('zh-TW');
    expect(resolveLocale('zh-Hant')).toBe('zh-TW');
    expect(resolveLocale('zh_TW')).toBe('zh-TW');
  });

  it('knows Arabic and Hebrew (also by its old code iw), both right to left', () => {
    expect(resolveLocale('ar-EG')).toBe('ar');
    expect(resolveLocale(undefined, ['fr', 'ar'])).toBe('ar');
    expect(resolveLocale('he-IL')).toBe('he');
    expect(resolveLocale('iw')).toBe('he');
    expect(LOCALES.filter(isRtl)).toEqual(['ar', 'he']);
  });
});

describe('strings', () => {
  it('every locale has every word, none empty', () => {
    const panelKeys = Object.keys(PANEL_STRINGS.en);
    const launcherKeys = Object.keys(LAUNCHER_STRINGS.en);
    const toastKeys = Object.keys(TOAST_STRINGS.en);
    for (const locale of LOCALES) {
      expect(Object.keys(ALL[locale]).sort()).toEqual([...panelKeys].sort());
      expect(Object.keys(LAUNCHER_STRINGS[locale]).sort()).toEqual([...launcherKeys].sort());
      expect(Object.keys(TOAST_STRINGS[locale]).sort()).toEqual([...toastKeys].sort());
      expect(Object.values(ALL[locale]).every((s) => s.trim().length > 0)).toBe(true);
    }
  });

  it('keeps the same placeholders in every translation', () => {
    const holes = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort().join();
    for (const [key, text] of Object.entries(PANEL_STRINGS.en)) {
      for (const locale of LOCALES) expect(holes(ALL[locale][key as keyof typeof PANEL_STRINGS.en]), `${locale}.${key}`).toBe(holes(text));
    }
  });

  it('leaves when the brand answers to the line under the greeting: the default greeting names no reply time', () => {
    // "Usually replies within …" (the app's reply time) follows the greeting; the greeting saying
    // "we usually reply within a few hours" above it repeated it, or contradicted it.
    const replyWords: Record<Locale, RegExp> = {
      en: /repl|hour|minute/i,
      'zh-CN': /回复|小时|分钟/,
      'zh-TW': /回覆|小時|分鐘/,
      ar: /نرد|ساعات|دقائق|خلال/,
      he: /עונים|שעות|דקות/,
    };
    for (const locale of LOCALES) expect(ALL[locale].greeting, locale).not.toMatch(replyWords[locale]);
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(format('{name} is typing…', { name: 'Mia' })).toBe('Mia is typing…');
    expect(format('{a}{b}', { a: 1 })).toBe('1{b}');
    expect(createI18n('zh-CN').t('typing', { name: '小美' })).toBe('小美 正在输入…');
  });
});

describe('words loaded as chunks', () => {
  it('Arabic and Hebrew are used once loaded (English until then); the bundled locales need no loading', async () => {
    expect(createI18n('he').t('send')).toBe('Send');
    await loadPanelStrings('he');
    expect(createI18n('he').t('send')).toBe('שליחה');
    await loadPanelStrings('ar');
    expect(createI18n('ar').t('typing', { name: 'Mia' })).toBe('Mia يكتب…');
    await expect(loadPanelStrings('zh-CN')).resolves.toBeUndefined();
  });
});

describe('formatters', () => {
  const now = Date.parse('2026-03-02T12:00:00');
  const f = createFormatters('en', { today: 'Today', yesterday: 'Yesterday' });

  it('names today and yesterday and dates the rest', () => {
    expect(f.day(new Date('2026-03-02T08:00:00').toISOString(), now)).toBe('Today');
    expect(f.day(new Date('2026-03-01T08:00:00').toISOString(), now)).toBe('Yesterday');
    expect(f.day(new Date('2026-02-10T08:00:00').toISOString(), now)).toBe('Feb 10');
    expect(f.day(new Date('2025-02-10T08:00:00').toISOString(), now)).toBe('Feb 10, 2025');
  });

  it('formats dates with Intl in Chinese', () => {
    const zh = createFormatters('zh-CN', { today: '今天', yesterday: '昨天' });
    expect(zh.day(new Date('2026-02-10T08:00:00').toISOString(), now)).toBe('2月10日');
    const tw = createFormatters('zh-TW', { today: '今天', yesterday: '昨天' });
    expect(tw.day(new Date('2026-02-10T08:00:00').toISOString(), now)).toBe('2月10日');
  });

  it('formats durations and sizes', () => {
    expect(f.duration(42_400)).toBe('0:42');
    expect(f.duration(61_000)).toBe('1:01');
    expect(f.bytes(512)).toBe('512 B');
    expect(f.bytes(10_485_760)).toBe('10.5 MB');
  });
});
