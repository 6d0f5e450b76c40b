import type { ProactivePrompt } from '@threadline/core';
import { Avatar } from './Avatar.js';
import { CloseIcon } from './icons.js';

export interface ToastProps {
  prompt: ProactivePrompt;
  /** Name shown when the prompt's author has none. */
  fallbackName: string;
  fallbackAvatar?: string | undefined;
  labels: { reply: string; dismiss: string; from: string };
  onReply: (id: string, quickReply?: string) => void;
  onDismiss: (id: string) => void;
}

/** A proactive message above the launcher: the text, a reply action and a dismiss button. Its container reports it shown. */
export function Toast({ prompt, fallbackName, fallbackAvatar, labels, onReply, onDismiss }: ToastProps) {
  const name = prompt.author.name ?? fallbackName;
  return (
    <section class="toast" role="status" aria-label={labels.from}>
      <div class="toast-head">
        <Avatar name={name} url={prompt.author.avatarUrl ?? fallbackAvatar} />
        <span class="toast-from">{name}</span>
        <button type="button" class="icon-btn" aria-label={labels.dismiss} onClick={() => onDismiss(prompt.id)}>
          <CloseIcon />
        </button>
      </div>
      <p class="toast-text">{prompt.text}</p>
      <div class="toast-actions">
        {prompt.quickReplies?.length ? (
          prompt.quickReplies.map((q) => (
            <button key={q.label} type="button" class="btn" onClick={() => onReply(prompt.id, q.label)}>
              {q.label}
            </button>
          ))
        ) : (
          <button type="button" class="btn btn-primary" onClick={() => onReply(prompt.id)}>
            {labels.reply}
          </button>
        )}
      </div>
    </section>
  );
}
