import type { RefObject } from 'preact';
import { useRef, useState } from 'preact/hooks';
import type { NotifyT } from '../i18n/notify-strings.js';
import { useNotifyStyles } from './notify-styles.js';

/** What saving an address came to: the form says why it did not. */
export type SaveOutcome = 'ok' | 'invalid' | 'failed';

export interface NotifyAskProps {
  /** The ask's words in the shopper's language (i18n/notify-strings.ts). */
  w: NotifyT;
  /** The address set, or null: the ask. */
  email: string | null;
  onSave(email: string): Promise<SaveOutcome>;
  onSkip(): void;
  onRemove(): Promise<SaveOutcome>;
  /** The shopper typed in the address field (the ask then stays while they are at it). */
  onTouch?(): void;
}

/**
 * Inline in the conversation, after the shopper's first message: "Get the reply by email" with an
 * address field and "Not now"; once set, the address shown back with Change and Remove. Not a
 * modal: the conversation and the composer stay usable around it.
 */
export function NotifyAsk({ w, email, onSave, onSkip, onRemove, onTouch }: NotifyAskProps) {
  const root = useRef<HTMLElement>(null);
  useNotifyStyles(root);
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(email ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<SaveOutcome | null>(null);
  const field = useRef<HTMLInputElement>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    const outcome = await onSave(value.trim());
    setBusy(false);
    if (outcome === 'ok') {
      setEditing(false);
      setError(null);
      return;
    }
    setError(outcome);
    field.current?.focus();
  };

  if (email !== null && !editing) {
    return (
      <div class="notify notify-set" ref={root as RefObject<HTMLDivElement>} role="group" aria-label={w('notifyTitle')}>
        <p class="notify-line">
          <span class="notify-address">{w('notifySet', { email })}</span>
        </p>
        <div class="notify-actions">
          <button
            type="button"
            class="notify-link"
            onClick={() => {
              setValue(email);
              setEditing(true);
              setError(null);
            }}
          >
            {w('notifyChange')}
          </button>
          <button
            type="button"
            class="notify-link"
            disabled={busy}
            onClick={async () => {
              setBusy(true);
              const outcome = await onRemove();
              setBusy(false);
              setError(outcome === 'ok' ? null : outcome);
            }}
          >
            {w('notifyRemove')}
          </button>
        </div>
        {error && <p class="notify-error" role="alert">{w('notifyFailed')}</p>}
      </div>
    );
  }

  const errorId = 'tl-notify-error';
  return (
    <form class="notify" ref={root as RefObject<HTMLFormElement>} onSubmit={submit} aria-label={w('notifyTitle')} noValidate>
      <p class="notify-title">{w('notifyTitle')}</p>
      {!editing && <p class="notify-hint">{w('notifyHint')}</p>}
      <div class="notify-row">
        <input
          ref={field}
          class="notify-field"
          type="email"
          inputMode="email"
          autoComplete="email"
          spellcheck={false}
          aria-label={w('notifyField')}
          placeholder={w('notifyField')}
          aria-invalid={error === 'invalid' ? 'true' : undefined}
          aria-describedby={error ? errorId : undefined}
          value={value}
          onInput={(e) => {
            setValue((e.currentTarget as HTMLInputElement).value);
            onTouch?.();
          }}
          required
          maxLength={254}
        />
        <button type="submit" class="notify-save" disabled={busy}>
          {w('notifySave')}
        </button>
      </div>
      {error && (
        <p class="notify-error" id={errorId} role="alert">
          {w(error === 'invalid' ? 'notifyInvalid' : 'notifyFailed')}
        </p>
      )}
      <div class="notify-actions">
        <button type="button" class="notify-link" onClick={() => (editing ? setEditing(false) : onSkip())}>
          {w(editing ? 'notifyCancel' : 'notifySkip')}
        </button>
      </div>
    </form>
  );
}
