import { useRef } from 'preact/hooks';
import { assignmentOf } from '@threadline/protocol';
import type { MessageView, ThreadView } from '@threadline/core';
import type { I18n } from '../i18n/i18n.js';
import { notifyWords } from '../i18n/notify-strings.js';
import { useNotifyStyles } from '../components/notify-styles.js';
import { replyTime } from './availability.js';
import type { PanelContext } from './context.js';
import { useAvailability } from './use-availability.js';

/**
 * What the shopper is told of who handles the thread, in their language: "Waiting for a person",
 * "Maya joined", "The assistant is back" for a `thread.assigned` system message; undefined for any
 * other message (shown with its own text).
 */
export function assignedText(locale: string): (m: MessageView) => string | undefined {
  const w = notifyWords(locale);
  return (m) => {
    const to = assignmentOf(m)?.to;
    if (!to) return undefined;
    return to.kind === 'agent' ? w('joined', { name: to.name }) : to.kind === 'bot' ? w('botBack') : w('waitingPerson');
  };
}

/**
 * The thread's handoff: while a bot handles it, "Talk to a person" (always there, so a person is
 * one tap away), which sends a message asking for one (`handoff: true`); once it waits for a person
 * after a handoff, what happens next: "A person will reply — usually within …" with the app's
 * expected reply time, or a plain line without one. Nothing while an agent has it, nor in a thread
 * that waited for a person from the start (an app without a bot: the greeting says when it answers).
 */
export function Handoff({ ctx, i18n, thread, messages }: { ctx: PanelContext; i18n: I18n; thread: ThreadView; messages: readonly MessageView[] }) {
  const root = useRef<HTMLDivElement>(null);
  useNotifyStyles(root);
  const availability = useAvailability(ctx.client);
  const w = notifyWords(i18n.locale);
  const kind = thread.assignee?.kind;
  const handedOff = kind === 'queue' && messages.some((m) => assignmentOf(m)?.to.kind === 'queue');
  // Asked and not yet answered by the server: the request is on its way, the button would send it twice.
  const asking = kind === 'bot' && messages.some((m) => m.meta?.handoff === true && m.state === 'sending');
  const minutes = availability?.replyTimeMinutes;
  return (
    <div class="handoff" ref={root} hidden={kind !== 'bot' && !handedOff}>
      {kind === 'bot' && !asking ? (
        <button type="button" class="btn handoff-button" onClick={() => ctx.client.send(thread.id, { text: w('talkToPerson'), handoff: true })}>
          {w('talkToPerson')}
        </button>
      ) : (
        (handedOff || asking) && (
          <p class="handoff-note" role="status" dir="auto">
            {minutes ? w('personWithin', { time: replyTime(i18n.locale, minutes) }) : w('personSoon')}
          </p>
        )
      )}
    </div>
  );
}
