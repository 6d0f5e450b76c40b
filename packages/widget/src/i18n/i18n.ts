import { PANEL_STRINGS, type PanelStringKey } from './panel-strings.js';
import { createFormatters, type Formatters } from './formatters.js';
import { format, type Locale } from './locale.js';

/** What panel components receive: words and Intl formatting for one locale. */
export interface I18n extends Formatters {
  t(key: PanelStringKey, vars?: Record<string, string | number>): string;
}

export function createI18n(locale: Locale): I18n {
  const words = PANEL_STRINGS[locale];
  return {
    ...createFormatters(locale, words),
    t: (key, vars) => format(words[key], vars),
  };
}
