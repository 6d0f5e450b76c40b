import { useEffect, useRef, useState } from 'preact/hooks';
import { describeError } from '../api/api-error.js';
import { PAGE_TRIGGERS, TRIGGER_LABELS, bodyOf, describeTrigger, draftOf, type CampaignDraft } from '../campaigns/campaign-form.js';
import type { Campaign, CampaignStats, CampaignStatus, CampaignsApi, TriggerKind } from '../campaigns/campaigns-api.js';
import { CampaignStatsView } from './CampaignStats.js';
import '../campaigns/campaigns.css';

const STATUS_LABEL: Record<CampaignStatus, string> = { draft: 'Draft', live: 'Live', paused: 'Paused', ended: 'Ended' };

/** The Campaigns page: the list, one campaign's details, results and controls, and the editor. */
export function CampaignsPage({ api }: { api: CampaignsApi }) {
  const [campaigns, setCampaigns] = useState<Campaign[] | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [editing, setEditing] = useState<'new' | string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const reload = async () => {
    try {
      setCampaigns(await api.list());
    } catch (err) {
      setError(describeError(err));
    }
  };
  useEffect(() => {
    void reload();
  }, [api]);

  const current = campaigns?.find((c) => c.id === selected);
  const saved = (c: Campaign) => {
    setCampaigns((list) => (list ? (list.some((x) => x.id === c.id) ? list.map((x) => (x.id === c.id ? c : x)) : [...list, c]) : [c]));
    setSelected(c.id);
    setEditing(null);
  };

  return (
    <main class={`campaigns-page${selected || editing ? ' cp-has-selection' : ''}`}>
      <section class="cp-list" aria-labelledby="cp-list-title">
        <div class="cp-list-head">
          <h2 id="cp-list-title">Campaigns</h2>
          <button
            type="button"
            class="btn btn-primary btn-small"
            onClick={() => {
              setSelected(null);
              setEditing('new');
            }}
          >
            New campaign
          </button>
        </div>
        {error && (
          <p class="notice notice-error" role="alert">
            {error}
          </p>
        )}
        {campaigns === null ? (
          <p class="empty">Loading…</p>
        ) : campaigns.length === 0 ? (
          <p class="empty">No campaign yet. A campaign sends a prompt when a shopper does something, such as starting checkout.</p>
        ) : (
          <ul>
            {campaigns.map((c) => (
              <li key={c.id}>
                <button
                  type="button"
                  class={`cp-item${c.id === selected ? ' selected' : ''}`}
                  aria-current={c.id === selected ? 'true' : undefined}
                  onClick={() => {
                    setEditing(null);
                    setSelected(c.id);
                  }}
                >
                  <span class="cp-item-top">
                    <span class="cp-item-name">{c.name}</span>
                    <span class={`cp-status cp-status-${c.status}`}>{STATUS_LABEL[c.status]}</span>
                  </span>
                  <span class="cp-item-detail">
                    {describeTrigger(c.trigger)}
                    {c.experiment ? ` · ${c.experiment.variants.length} variant${c.experiment.variants.length === 1 ? '' : 's'}${c.experiment.holdoutShare ? `, ${c.experiment.holdoutShare} % holdout` : ''}` : ''}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="cp-detail">
        {editing ? (
          <CampaignEditor key={editing} api={api} base={editing === 'new' ? undefined : current} onSaved={saved} onCancel={() => setEditing(null)} />
        ) : current ? (
          <CampaignDetail
            key={current.id}
            api={api}
            campaign={current}
            onChanged={saved}
            onEdit={() => setEditing(current.id)}
            onBack={() => setSelected(null)}
            onDeleted={() => {
              setCampaigns((list) => list?.filter((c) => c.id !== current.id) ?? null);
              setSelected(null);
            }}
          />
        ) : (
          <p class="cp-placeholder muted">Choose a campaign, or create one.</p>
        )}
      </section>
    </main>
  );
}

interface DetailProps {
  api: CampaignsApi;
  campaign: Campaign;
  onChanged(c: Campaign): void;
  onEdit(): void;
  onBack(): void;
  onDeleted(): void;
}

function CampaignDetail({ api, campaign: c, onChanged, onEdit, onBack, onDeleted }: DetailProps) {
  const [stats, setStats] = useState<CampaignStats | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const loadStats = async () => {
    try {
      setStats(await api.stats(c.id));
    } catch (err) {
      setError(describeError(err));
    }
  };
  useEffect(() => {
    void loadStats();
  }, [c.id]);

  const act = async (run: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await run();
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  const setStatus = (status: CampaignStatus) => act(async () => onChanged(await api.update(c.id, { status })));
  const pageTrigger = PAGE_TRIGGERS.includes(c.trigger.kind);

  return (
    <article class="cp-card" aria-labelledby="cp-title">
      <header class="cp-card-head">
        <button type="button" class="btn btn-ghost btn-small cp-back" onClick={onBack}>
          ← Campaigns
        </button>
        <h2 id="cp-title">{c.name}</h2>
        <span class={`cp-status cp-status-${c.status}`}>{STATUS_LABEL[c.status]}</span>
      </header>
      <div class="cp-actions">
        {c.status === 'live' && (
          <button type="button" class="btn" disabled={busy} onClick={() => setStatus('paused')}>
            Pause
          </button>
        )}
        {(c.status === 'paused' || c.status === 'draft') && (
          <button type="button" class="btn btn-success" disabled={busy} onClick={() => setStatus('live')}>
            {c.status === 'draft' ? 'Go live' : 'Resume'}
          </button>
        )}
        {c.status !== 'ended' && (
          <button type="button" class="btn" disabled={busy} onClick={onEdit}>
            Edit
          </button>
        )}
        {c.status !== 'ended' && (
          <button type="button" class="btn btn-ghost" disabled={busy} onClick={() => setStatus('ended')}>
            End
          </button>
        )}
        <button type="button" class="btn btn-ghost" disabled={busy} onClick={() => void loadStats()}>
          Refresh results
        </button>
        <button
          type="button"
          class="btn btn-ghost cp-delete"
          disabled={busy}
          onClick={() => {
            if (confirm(`Delete “${c.name}”? Its results stay in the database but are no longer shown here.`)) void act(async () => (await api.remove(c.id), onDeleted()));
          }}
        >
          Delete
        </button>
      </div>
      {error && (
        <p class="notice notice-error" role="alert">
          {error}
        </p>
      )}
      <dl class="cp-facts">
        <dt>Message</dt>
        <dd>
          “{c.message.text}”{c.message.author?.name ? <span class="muted"> — {c.message.author.name}</span> : null}
          {c.message.quickReplies?.length ? <span class="muted"> · replies: {c.message.quickReplies.map((q) => q.label).join(', ')}</span> : null}
          {c.message.blocks?.length ? (
            <span class="muted">
              {' '}
              · {c.message.blocks.length} rich content block{c.message.blocks.length === 1 ? '' : 's'} (the prompt shows the text for now)
            </span>
          ) : null}
        </dd>
        <dt>Shown as</dt>
        <dd>{c.display === 'open' ? 'The messenger opens' : 'A bubble above the launcher'}</dd>
        <dt>When</dt>
        <dd>
          {TRIGGER_LABELS[c.trigger.kind]}: {describeTrigger(c.trigger)}
          {pageTrigger && <span class="cp-note"> Evaluated on the shopper's page by the widget, without asking the server first.</span>}
        </dd>
        <dt>Who</dt>
        <dd>{describeAudience(c.audience)}</dd>
        <dt>Caps</dt>
        <dd>
          {c.caps.perVisitor.count} per person{c.caps.perVisitor.perMs ? ` per ${c.caps.perVisitor.perMs / 3_600_000} h` : ''}
          {c.caps.cooldownMs ? `, ${c.caps.cooldownMs / 3_600_000} h apart` : ''}
        </dd>
        {(c.schedule.startAt || c.schedule.endAt) && (
          <>
            <dt>Schedule</dt>
            <dd>
              {c.schedule.startAt ? `from ${new Date(c.schedule.startAt).toLocaleString()}` : ''} {c.schedule.endAt ? `until ${new Date(c.schedule.endAt).toLocaleString()}` : ''}
            </dd>
          </>
        )}
        {c.experiment && (
          <>
            <dt>Experiment</dt>
            <dd>
              {c.experiment.variants.map((v) => `${v.id} ${v.share} %`).join(', ')}
              {c.experiment.holdoutShare ? `, holdout ${c.experiment.holdoutShare} %` : ''}
            </dd>
          </>
        )}
      </dl>
      {stats ? <CampaignStatsView stats={stats} /> : !error && <p class="muted">Loading results…</p>}
    </article>
  );
}

function describeAudience(a: Campaign['audience']): string {
  const parts = [];
  if (a.identified !== undefined) parts.push(a.identified ? 'signed-in shoppers' : 'anonymous visitors');
  if (a.returning !== undefined) parts.push(a.returning ? 'returning' : 'new');
  if (a.locales?.length) parts.push(`locale ${a.locales.join(', ')}`);
  if (a.urlPattern) parts.push(`on ${a.urlPattern}`);
  if (a.attributes?.length) parts.push(`${a.attributes.length} attribute condition${a.attributes.length === 1 ? '' : 's'}`);
  return parts.length ? parts.join(' · ') : 'Everyone';
}

interface EditorProps {
  api: CampaignsApi;
  base?: Campaign;
  onSaved(c: Campaign): void;
  onCancel(): void;
}

function CampaignEditor({ api, base, onSaved, onCancel }: EditorProps) {
  const [d, setD] = useState<CampaignDraft>(() => draftOf(base));
  const [problem, setProblem] = useState<{ field?: keyof CampaignDraft; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const set = <K extends keyof CampaignDraft>(key: K, value: CampaignDraft[K]) => setD((x) => ({ ...x, [key]: value }));
  const input = (key: keyof CampaignDraft) => (e: Event) => set(key, (e.target as HTMLInputElement).value as never);

  const submit = async (e: Event) => {
    e.preventDefault();
    const result = bodyOf(d, base);
    if (!result.ok) {
      setProblem({ field: result.field, text: result.problem });
      form.current?.querySelector<HTMLElement>(`[name="${result.field}"]`)?.focus();
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const body = result.body;
      if (base) onSaved(await api.update(base.id, body));
      else onSaved(await api.create({ ...body, goal: body.goal ?? undefined, experiment: body.experiment ?? undefined }));
    } catch (err) {
      setProblem({ text: describeError(err) });
    } finally {
      setBusy(false);
    }
  };

  const kind = d.triggerKind;
  const field = (key: keyof CampaignDraft, label: string, props: Record<string, unknown> = {}, hint?: string) => (
    <label class="cp-field">
      <span>
        {label}
        {hint && <span class="muted"> {hint}</span>}
      </span>
      <input type="text" name={key} value={d[key] as string} onInput={input(key)} aria-invalid={problem?.field === key ? 'true' : undefined} {...props} />
    </label>
  );

  return (
    <form ref={form} class="cp-card cp-editor" onSubmit={submit} aria-labelledby="cp-editor-title" noValidate>
      <header class="cp-card-head">
        <button type="button" class="btn btn-ghost btn-small cp-back" onClick={onCancel}>
          ← Back
        </button>
        <h2 id="cp-editor-title">{base ? `Edit “${base.name}”` : 'New campaign'}</h2>
      </header>

      <fieldset>
        <legend>Campaign</legend>
        {field('name', 'Name', { maxLength: 200, required: true })}
        {!base && (
          <label class="cp-field">
            <span>Start as</span>
            <select name="status" value={d.status} onChange={input('status')}>
              <option value="draft">Draft (not running)</option>
              <option value="live">Live</option>
            </select>
          </label>
        )}
      </fieldset>

      <fieldset>
        <legend>Message</legend>
        <label class="cp-field cp-wide">
          <span>Text</span>
          <textarea name="text" rows={3} maxLength={5000} value={d.text} onInput={input('text')} aria-invalid={problem?.field === 'text' ? 'true' : undefined} />
        </label>
        {field('authorName', 'From', { maxLength: 120, placeholder: 'Shop assistant' })}
        <label class="cp-field">
          <span>
            Quick replies <span class="muted">one per line</span>
          </span>
          <textarea name="quickReplies" rows={2} value={d.quickReplies} onInput={input('quickReplies')} />
        </label>
        <label class="cp-field">
          <span>Shown as</span>
          <select name="display" value={d.display} onChange={input('display')}>
            <option value="toast">A bubble above the launcher</option>
            <option value="open">Open the messenger</option>
          </select>
        </label>
        {/* Rich content blocks are written through the API (docs/campaigns.md); the form keeps them as they are. */}
      </fieldset>

      <fieldset>
        <legend>When</legend>
        <label class="cp-field">
          <span>Trigger</span>
          <select name="triggerKind" value={kind} onChange={(e) => set('triggerKind', (e.target as HTMLSelectElement).value as TriggerKind)}>
            {Object.entries(TRIGGER_LABELS).map(([k, label]) => (
              <option key={k} value={k}>
                {label}
              </option>
            ))}
          </select>
        </label>
        {(kind === 'server_event' || kind === 'page_event') && field('event', 'Event name', { placeholder: 'checkout_started', maxLength: 100 })}
        {kind === 'server_event' && field('delaySeconds', 'Wait', { inputMode: 'decimal' }, 'seconds after it')}
        {(kind === 'time_on_page' || kind === 'idle') && field('seconds', 'Seconds', { inputMode: 'numeric' })}
        {kind === 'scroll_depth' && field('percent', 'Scrolled', { inputMode: 'numeric' }, '% of the page')}
        {(kind === 'server_event' || kind === 'cart_value') && field('minCartValue', 'Cart at least', { inputMode: 'decimal' })}
        {field('urlPattern', 'Page URL', { placeholder: '*/checkout*', maxLength: 500 }, '* matches anything')}
        {PAGE_TRIGGERS.includes(kind) && <p class="cp-note cp-wide">Evaluated on the shopper's page by the widget (loaded only for shoppers this campaign may prompt); caps are still checked by the server.</p>}
      </fieldset>

      <fieldset>
        <legend>Who</legend>
        <label class="cp-field">
          <span>Shoppers</span>
          <select name="identified" value={d.identified} onChange={input('identified')}>
            <option value="any">Everyone</option>
            <option value="yes">Signed in only</option>
            <option value="no">Anonymous only</option>
          </select>
        </label>
        <label class="cp-field">
          <span>Visits</span>
          <select name="returning" value={d.returning} onChange={input('returning')}>
            <option value="any">New and returning</option>
            <option value="yes">Returning only</option>
            <option value="no">New only</option>
          </select>
        </label>
        {field('locales', 'Locales', { placeholder: 'en, fr' }, 'comma separated')}
        {field('audienceUrl', 'On pages', { placeholder: '*/products/*', maxLength: 500 })}
      </fieldset>

      <fieldset>
        <legend>Caps and schedule</legend>
        {field('capCount', 'At most', { inputMode: 'numeric' }, 'prompts per person')}
        {field('capPerHours', 'Per', { inputMode: 'decimal' }, 'hours (blank: ever)')}
        {field('cooldownHours', 'Cooldown', { inputMode: 'decimal' }, 'hours between two')}
        <label class="cp-field">
          <span>Starts</span>
          <input type="datetime-local" name="startAt" value={d.startAt} onInput={input('startAt')} />
        </label>
        <label class="cp-field">
          <span>Ends</span>
          <input type="datetime-local" name="endAt" value={d.endAt} onInput={input('endAt')} />
        </label>
      </fieldset>

      <fieldset>
        <legend>Goal</legend>
        {field('goalEvent', 'Event', { placeholder: 'order_completed', maxLength: 100 })}
        {field('goalWindowHours', 'Within', { inputMode: 'decimal' }, 'hours of the prompt')}
      </fieldset>

      <fieldset class="cp-experiment">
        <legend>Experiment</legend>
        {field('holdoutShare', 'Holdout', { inputMode: 'decimal', placeholder: '0' }, '% shown nothing')}
        <div class="cp-wide">
          {d.variants.map((v, i) => (
            <div class="cp-variant" key={i}>
              <label class="cp-field">
                <span>Variant</span>
                <input type="text" value={v.id} onInput={(e) => set('variants', d.variants.map((x, j) => (j === i ? { ...x, id: (e.target as HTMLInputElement).value } : x)))} />
              </label>
              <label class="cp-field">
                <span>Share %</span>
                <input type="text" inputMode="decimal" value={v.share} onInput={(e) => set('variants', d.variants.map((x, j) => (j === i ? { ...x, share: (e.target as HTMLInputElement).value } : x)))} />
              </label>
              <label class="cp-field cp-variant-text">
                <span>
                  Its text <span class="muted">(blank: the message above)</span>
                </span>
                <input type="text" value={v.text} onInput={(e) => set('variants', d.variants.map((x, j) => (j === i ? { ...x, text: (e.target as HTMLInputElement).value } : x)))} />
              </label>
              <button type="button" class="btn btn-ghost btn-small" aria-label={`Remove variant ${v.id || i + 1}`} onClick={() => set('variants', d.variants.filter((_, j) => j !== i))}>
                Remove
              </button>
            </div>
          ))}
          <button
            type="button"
            name="variants"
            class="btn btn-small"
            onClick={() => set('variants', [...d.variants, { id: String.fromCharCode(97 + d.variants.length), share: '', text: '' }])}
          >
            Add variant
          </button>
        </div>
      </fieldset>

      <div class="form-actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? 'Saving…' : base ? 'Save changes' : 'Create campaign'}
        </button>
        <button type="button" class="btn btn-ghost" onClick={onCancel}>
          Cancel
        </button>
        {problem && (
          <p class="notice notice-error" role="alert">
            {problem.text}
          </p>
        )}
      </div>
    </form>
  );
}
