import { PANEL_STRINGS, type PanelStringKey, type PanelStrings } from './panel-strings.js';
import { createFormatters, type Formatters } from './formatters.js';
import { format, type Locale } from './locale.js';

/** What panel components receive: words and Intl formatting for one locale. */
export interface I18n extends Formatters {
  t(key: PanelStringKey, vars?: Record<string, string | number>): string;
}

/**
 * Wraps text of unknown direction (a name, a file name) put into a sentence in FSI…PDI, the
 * characters of a `<bdi>`: "Mia is typing…" in Arabic, or "محمد is typing…", keeps each part's order.
 */
export const isolate = (text: string): string => `\u2068${text}\u2069`;

/** Words of the locales that come as chunks of their own, once loaded. */
const loaded: Partial<Record<Locale, PanelStrings>> = {};

/**
 * Loads the panel's words for a locale that is not bundled with it (Arabic, Hebrew: most shops
 * never need them, so the panel chunk does not carry them). Resolves when `createI18n` can use
 * them; a chunk that fails to load leaves the panel in English rather than not opening it.
 */
export function loadPanelStrings(locale: Locale): Promise<void> {
  if (locale !== 'ar' && locale !== 'he') return Promise.resolve();
  return (locale === 'ar' ? import('./panel-strings-ar.js') : import('./panel-strings-he.js')).then(
    (mod) => void (loaded[locale] = mod.default),
    // Deliberately ignored: the panel shows English, and the next opening tries again.
    () => undefined,
  );
}

export function createI18n(locale: Locale): I18n {
  const words = locale === 'ar' || locale === 'he' ? (loaded[locale] ?? PANEL_STRINGS.en) : PANEL_STRINGS[locale];
  return {
    ...createFormatters(locale, words),
    t: (key, vars) => format(words[key], vars),
  };
}
