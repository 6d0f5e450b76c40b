// A whole messaging UI on the headless core: subscribe to the store, render with plain DOM calls,
// and call commands. No widget, no Preact, no framework.
import { createClient, type MessageView, type Snapshot } from '@threadline/core';

const client = createClient({ appId: 'demo', serverUrl: location.origin });
let current: string | null = null;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const el = (tag: string, text?: string, className?: string) => {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text; // message text is always text, never HTML
  if (className) node.className = className;
  return node;
};

function render(s: Snapshot): void {
  $('status').textContent = `Connection: ${s.connection} · storage: ${s.storage} · unread: ${s.totalUnread}`;
  if (!current && s.threads[0]) select(s.threads[0].id);

  const list = $('threads');
  list.replaceChildren(
    ...s.threads.map((t) => {
      const li = el('li');
      const label = `${t.lastMessage?.text || (t.lastMessage?.attachments.length ? 'Attachment' : 'New thread')}${t.unread ? ` (${t.unread} unread)` : ''}`;
      const b = el('button', label) as HTMLButtonElement;
      b.type = 'button';
      b.setAttribute('aria-current', String(t.id === current));
      b.onclick = () => select(t.id);
      li.append(b);
      return li;
    }),
  );

  const messages = current ? (s.messages[current] ?? []) : [];
  $('messages').replaceChildren(...messages.map(renderMessage));
  if (current && document.visibilityState === 'visible') client.markRead(current);
}

function renderMessage(m: MessageView): HTMLElement {
  const li = el('li', undefined, m.own ? 'own' : '');
  li.append(el('span', m.text));
  for (const a of m.attachments) {
    if (a.mime.startsWith('image/')) {
      const img = document.createElement('img');
      img.alt = a.name;
      // Files are fetched with the visitor token in a header; the core hands back an object URL.
      void client.attachmentUrl(a).then((url) => url && (img.src = url));
      li.append(img);
    } else {
      li.append(el('span', `📎 ${a.name}`, 'meta'));
    }
  }
  const who = m.own ? 'You' : (m.author.name ?? m.author.kind);
  li.append(el('span', `${who} · ${m.state}${m.error ? ` · ${m.error.message}` : ''}`, 'meta'));
  if (m.state === 'failed' && m.clientId) {
    const clientId = m.clientId;
    const retry = el('button', 'Retry') as HTMLButtonElement;
    retry.onclick = () => client.retry(clientId);
    const discard = el('button', 'Delete') as HTMLButtonElement;
    discard.onclick = () => client.discard(clientId);
    li.append(retry, discard);
  }
  return li;
}

function select(threadId: string): void {
  current = threadId;
  void client.openThread(threadId);
  render(client.getSnapshot());
}

$('new-thread').onclick = () => {
  current = null;
  $('messages').replaceChildren();
  ($('text') as HTMLTextAreaElement).focus();
};

$('composer').onsubmit = (e) => {
  e.preventDefault();
  const text = ($('text') as HTMLTextAreaElement).value;
  const files = Array.from(($('files') as HTMLInputElement).files ?? []);
  if (!text.trim() && !files.length) return;
  const message = { text, files };
  if (current) client.send(current, message);
  else select(client.startThread(message));
  ($('text') as HTMLTextAreaElement).value = '';
  ($('files') as HTMLInputElement).value = '';
};

client.on('error', (err) => console.warn(`threadline: ${err.code}: ${err.message}`));
client.subscribe(() => render(client.getSnapshot()));
void client.start();
