import { createI18n } from '../i18n/i18n.js';

export const en = createI18n('en');
