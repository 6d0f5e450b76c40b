import { useEffect, useRef, useState } from 'preact/hooks';
import type { AgentVisitor, ProactiveDisplay } from '@threadline/protocol';
import type { ApiClient } from '../api/api-client.js';
import { describeError } from '../api/api-error.js';
import { describeDevice, formatMoney, pagePath, visitorLabel } from '../text/format.js';
import { PaneBoundary } from './PaneBoundary.js';

export interface ProactiveFormProps {
  /** Visitors online now. */
  visitors: AgentVisitor[];
  initialVisitorId?: string | null;
  agentName: string;
  send: ApiClient['sendProactive'];
  /** @default () => crypto.randomUUID() */
  newId?: () => string;
}

type Outcome = { kind: 'ok'; text: string } | { kind: 'error'; text: string } | null;

/** Pushes a message to a shopper who is on the site right now. */
export function ProactiveForm({ visitors, initialVisitorId, agentName, send, newId = () => crypto.randomUUID() }: ProactiveFormProps) {
  const [visitorId, setVisitorId] = useState(initialVisitorId ?? visitors[0]?.id ?? '');
  const [text, setText] = useState('');
  const [display, setDisplay] = useState<ProactiveDisplay>('toast');
  const [campaign, setCampaign] = useState('');
  // Visitors come from GET /v1/visitors?online=true when the console loads, then from presence
  // events; an id can also be pasted (e.g. from a webhook or the brand's own records).
  const [manualId, setManualId] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  // One key per distinct message: retrying after a lost answer cannot push it twice.
  const attempt = useRef<{ key: string; body: string } | null>(null);

  useEffect(() => {
    if (initialVisitorId) setVisitorId(initialVisitorId);
  }, [initialVisitorId]);
  useEffect(() => {
    if (!visitorId && visitors[0]) setVisitorId(visitors[0].id);
  }, [visitors, visitorId]);

  const target = manualId.trim() || visitorId;
  const selected = visitors.find((v) => v.id === target);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!target || !text.trim()) return;
    const body = {
      to: { visitorId: target },
      text: text.trim(),
      display,
      ...(campaign.trim() ? { campaign: campaign.trim() } : {}),
      author: { kind: 'agent' as const, name: agentName },
    };
    const serialised = JSON.stringify(body);
    if (attempt.current?.body !== serialised) attempt.current = { key: newId(), body: serialised };
    setBusy(true);
    setOutcome(null);
    try {
      const res = await send(body, attempt.current.key);
      const who = selected ? visitorLabel(selected) : 'The visitor';
      setOutcome({
        kind: 'ok',
        text:
          res.delivered === 'live'
            ? `Delivered: ${who} sees it now.`
            : res.delivered === 'held_out'
              ? `Not shown: ${who} is in this campaign's holdout, which is shown nothing (counted for comparison).`
              : `Queued: ${who} is no longer online and will see it on their next visit.`,
      });
      attempt.current = null;
      setText('');
    } catch (err) {
      setOutcome({ kind: 'error', text: describeError(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="proactive" onSubmit={submit} aria-labelledby="proactive-title">
      <h2 id="proactive-title">Proactive message</h2>
      <p class="muted">Reach out to a shopper who is browsing the shop right now. Their reply opens a conversation in the inbox.</p>
      <fieldset>
        <legend>Online now</legend>
        {visitors.length === 0 ? (
          <p class="empty">Nobody online that this console knows of. Shoppers appear here as soon as they open or move around the shop.</p>
        ) : (
          <ul class="visitor-picker">
            {visitors.map((v) => (
              <li key={v.id}>
                <label class={v.id === visitorId ? 'picked' : ''}>
                  <input type="radio" name="proactive-visitor" value={v.id} checked={v.id === visitorId} onChange={() => setVisitorId(v.id)} />
                  {/* One visitor whose details cannot be shown must not take the form down; they can still be picked. */}
                  <PaneBoundary label="Visitor" what="" resetKey={v} fallback={() => <span class="vp-name">Visitor …{v.id.slice(-4)} (details could not be shown)</span>}>
                    <VisitorChoice visitor={v} />
                  </PaneBoundary>
                </label>
              </li>
            ))}
          </ul>
        )}
        <label for="proactive-visitor-id" class="manual-id">
          Or a visitor ID <span class="muted">(someone who was already browsing before you opened the console)</span>
        </label>
        <input id="proactive-visitor-id" type="text" class="mono" spellcheck={false} maxLength={64} value={manualId} onInput={(e) => setManualId((e.target as HTMLInputElement).value)} placeholder="0190…" />
      </fieldset>
      <label for="proactive-text">Message</label>
      <textarea id="proactive-text" rows={3} required maxLength={5000} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} placeholder="Need help choosing a size? We're here." />
      <fieldset class="inline">
        <legend>Show it as</legend>
        <label>
          <input type="radio" name="proactive-display" value="toast" checked={display === 'toast'} onChange={() => setDisplay('toast')} /> A bubble above the launcher
        </label>
        <label>
          <input type="radio" name="proactive-display" value="open" checked={display === 'open'} onChange={() => setDisplay('open')} /> Open the messenger
        </label>
      </fieldset>
      <label for="proactive-campaign">
        Campaign <span class="muted">(optional, for reporting)</span>
      </label>
      <input id="proactive-campaign" type="text" maxLength={120} value={campaign} onInput={(e) => setCampaign((e.target as HTMLInputElement).value)} placeholder="size-help" />
      <div class="form-actions">
        <button type="submit" class="btn btn-primary" disabled={busy || !target || !text.trim()}>
          {busy ? 'Sending…' : 'Send now'}
        </button>
        {outcome && (
          <p class={`notice ${outcome.kind === 'ok' ? 'notice-ok' : 'notice-error'}`} role={outcome.kind === 'ok' ? 'status' : 'alert'}>
            {outcome.text}
          </p>
        )}
      </div>
    </form>
  );
}

function VisitorChoice({ visitor: v }: { visitor: AgentVisitor }) {
  return (
    <>
      <span class="vp-name">
        <span class="presence on" aria-hidden="true" />
        {visitorLabel(v)}
      </span>
      <span class="vp-detail">
        {v.context.page ? pagePath(v.context.page.url) : 'page unknown'}
        {v.context.cart ? ` · cart ${formatMoney(v.context.cart.value, v.context.cart.currency, v.context.locale)}` : ''}
        {` · ${describeDevice(v.context.device?.userAgent)}`}
      </span>
    </>
  );
}
