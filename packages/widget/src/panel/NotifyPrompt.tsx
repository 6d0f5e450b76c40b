import { useRef, useState } from 'preact/hooks';
import type { MessageView } from '@threadline/core';
import { HomeTeam } from '../components/HomeTeam.js';
import { NotifyAsk, type SaveOutcome } from '../components/NotifyAsk.js';
import type { I18n } from '../i18n/i18n.js';
import { notifyWords } from '../i18n/notify-strings.js';
import { useStore } from '../state/use-store.js';
import { NOTIFY_SKIP_KEY, availabilityLine, notifyStage } from './availability.js';
import type { PanelContext } from './context.js';
import { useAvailability } from './use-availability.js';
import { useNotifyStyles } from '../components/notify-styles.js';

/**
 * The email ask of a conversation (see `notifyStage` for when it shows). It goes away when an
 * agent comes online (or the hours open) while it waits untouched; once the shopper has typed in
 * it, it stays until answered: a form must not vanish under their fingers. An address given stays.
 */
export function NotifyPrompt({ ctx, i18n, messages }: { ctx: PanelContext; i18n: I18n; messages: readonly MessageView[] }) {
  const { client } = ctx;
  const session = useStore(client, (s) => s.session);
  const availability = useAvailability(client);
  const [skipped, setSkipped] = useState(() => ctx.drafts.get(NOTIFY_SKIP_KEY) === '1');
  const [touched, setTouched] = useState(false);
  let stage = notifyStage({ session, messages, availability, skipped, now: Date.now() });
  if (stage === null && touched && !skipped && session?.notifyEmail === null) stage = 'ask';
  if (!stage) return null;

  const skip = () => {
    ctx.drafts.set(NOTIFY_SKIP_KEY, '1');
    setSkipped(true);
  };
  const save = async (email: string): Promise<SaveOutcome> => {
    const res = await client.setNotifyEmail(email);
    return res.ok ? 'ok' : res.error.code === 'email_invalid' ? 'invalid' : 'failed';
  };
  const remove = async (): Promise<SaveOutcome> => {
    const res = await client.setNotifyEmail(null);
    if (!res.ok) return 'failed';
    // Removing is declining: not asked again (until another address is given).
    skip();
    return 'ok';
  };
  return (
    <NotifyAsk
      w={notifyWords(i18n.locale)}
      email={stage === 'set' ? (session?.notifyEmail ?? null) : null}
      onSave={save}
      onSkip={skip}
      onRemove={remove}
      onTouch={touched ? undefined : () => setTouched(true)}
    />
  );
}

/** Under the greeting's words (a line of its paragraph): "Usually replies within …" or "We're back at 9:00 — leave a message". */
export function AvailabilityNote({ ctx, i18n }: { ctx: PanelContext; i18n: I18n }) {
  const availability = useAvailability(ctx.client);
  const root = useRef<HTMLSpanElement>(null);
  useNotifyStyles(root);
  const line = availabilityLine(availability, i18n, notifyWords(i18n.locale), Date.now());
  return (
    <span class="availability" ref={root} hidden={!line}>
      {line}
    </span>
  );
}

/** The first screen's team (`team` of the app's settings), beside the brand's logo. */
export function TeamNote({ ctx, i18n }: { ctx: PanelContext; i18n: I18n }) {
  const availability = useAvailability(ctx.client);
  const root = useRef<HTMLDivElement>(null);
  useNotifyStyles(root);
  return (
    <div class="home-team-box" ref={root}>
      <HomeTeam i18n={i18n} team={availability?.team ?? []} />
    </div>
  );
}
