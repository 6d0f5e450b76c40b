import type { ProactivePrompt } from '@threadline/core';
import { avatarInitial, avatarSrc } from '../components/avatar-source.js';
import { format } from '../i18n/locale.js';
import { createAvatar } from './avatar.js';
import { h, setAttr, setText } from './dom.js';
import { closeIcon } from './icons.js';
import type { ToastStrings } from './toast-strings.js';

export interface ToastViewProps {
  prompt: ProactivePrompt;
  /** The `brandName` option: the sender's name when the prompt's author has none (else `words.team`). */
  brandName?: string | undefined;
  /** The `brandAvatarUrl` option: the picture when the prompt's author has none. */
  brandAvatarUrl?: string | undefined;
  words: ToastStrings;
  onReply: (id: string, quickReply?: string) => void;
  onDismiss: (id: string) => void;
}

export interface ToastView {
  update(props: ToastViewProps): void;
  /** Removes the nodes and their listener. */
  destroy(): void;
}

/**
 * A proactive message above the launcher: the text, a reply action (or the prompt's quick
 * replies) and a dismiss button. Its container reports it shown. Plain DOM rather than Preact,
 * like the rest of the initial chunk: see launcher-root.ts.
 *
 * `update` patches the nodes in place and writes only what changed, so a prompt re-issued by the
 * core (marked shown, say) keeps focus, does not replay the entrance animation and is not read
 * out again by the live region.
 */
export function createToastView(parent: Element, initial: ToastViewProps, before: Node | null = null): ToastView {
  const doc = parent.ownerDocument;
  let props = initial;

  const section = h(doc, 'section', { class: 'toast', role: 'status' });
  const head = h(doc, 'div', { class: 'toast-head' });
  // Names, the prompt's text and quick replies are the brand's: each in its own direction (the
  // name in a <bdi>, so its line keeps the widget's alignment).
  const from = h(doc, 'span', { class: 'toast-from' });
  const fromName = h(doc, 'bdi');
  const botTag = h(doc, 'span', { class: 'bot-tag' });
  from.append(fromName);
  const dismiss = h(doc, 'button', { type: 'button', class: 'icon-btn' });
  dismiss.append(closeIcon(doc));
  const text = h(doc, 'p', { class: 'toast-text', dir: 'auto' });
  const actions = h(doc, 'div', { class: 'toast-actions' });
  head.append(from, dismiss);
  section.append(head, text, actions);
  parent.insertBefore(section, before);

  let avatar: HTMLElement | null = null;
  let avatarKey: string | null = null;
  /** What each button in `actions` answers, in order: a quick reply's label, or null for "Reply". */
  let replies: Array<string | null> = [];
  let actionsKey: string | null = null;

  // One listener for every button, reading the current props: nothing to rebind on update.
  const onClick = (event: Event) => {
    const target = (event.target as Element).closest('button');
    const id = props.prompt.id;
    if (target === dismiss) props.onDismiss(id);
    else if (target?.parentNode === actions) {
      const reply = replies[[...actions.children].indexOf(target)];
      if (reply === null) props.onReply(id);
      else if (reply !== undefined) props.onReply(id, reply);
    }
  };
  section.addEventListener('click', onClick);

  const render = () => {
    const { prompt, words } = props;
    const name = prompt.author.name ?? props.brandName ?? words.team;
    const url = prompt.author.avatarUrl ?? props.brandAvatarUrl;
    setAttr(section, 'aria-label', format(words.from, { name }));

    const nextAvatarKey = avatarSrc(url) ?? `initial:${avatarInitial(name)}`;
    if (nextAvatarKey !== avatarKey) {
      const next = createAvatar(doc, name, url);
      if (avatar) avatar.replaceWith(next);
      else head.prepend(next);
      avatar = next;
      avatarKey = nextAvatarKey;
    }
    setText(fromName, name);
    // A bot's prompt says so beside its name (as its messages do in the panel).
    if (prompt.author.kind === 'bot') {
      setText(botTag, words.bot);
      if (!botTag.parentNode) from.append(botTag);
    } else botTag.remove();
    setAttr(dismiss, 'aria-label', words.dismiss);
    setText(text, prompt.text);

    const quick = prompt.quickReplies?.length ? prompt.quickReplies.map((q) => q.label) : null;
    const nextActionsKey = JSON.stringify(quick ?? { reply: words.reply });
    if (nextActionsKey !== actionsKey) {
      actionsKey = nextActionsKey;
      replies = quick ?? [null];
      actions.replaceChildren(
        ...(quick
          ? quick.map((label) => h(doc, 'button', { type: 'button', class: 'btn', dir: 'auto' }, label))
          : [h(doc, 'button', { type: 'button', class: 'btn btn-primary' }, words.reply)]),
      );
    }
  };
  render();

  return {
    update(next) {
      props = next;
      render();
    },
    destroy() {
      section.removeEventListener('click', onClick);
      section.remove();
    },
  };
}
