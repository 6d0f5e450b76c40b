import { isolate, type I18n } from '../i18n/i18n.js';

export function TypingIndicator({ name, i18n }: { name: string; i18n: I18n }) {
  return (
    <div class="typing">
      <span class="dots" aria-hidden="true">
        <i />
        <i />
        <i />
      </span>
      <span>{i18n.t('typing', { name: isolate(name) })}</span>
    </div>
  );
}
