import type { Campaign, CampaignFields, CampaignStatus, TriggerKind } from './campaigns-api.js';

/**
 * The campaign editor's fields, as the inputs hold them (strings), and their translation to and
 * from `/v1/campaigns` bodies. What the form does not show (attribute and property conditions, a
 * variant's own trigger, the prompt's expiry, an author's picture) is kept from the campaign
 * being edited, and so are the message's rich content blocks (written through the API).
 */
export interface CampaignDraft {
  name: string;
  status: CampaignStatus;
  text: string;
  authorName: string;
  /** One per line. */
  quickReplies: string;
  display: 'toast' | 'open';
  triggerKind: TriggerKind;
  event: string;
  delaySeconds: string;
  urlPattern: string;
  minCartValue: string;
  seconds: string;
  percent: string;
  identified: 'any' | 'yes' | 'no';
  /** Comma separated. */
  locales: string;
  audienceUrl: string;
  returning: 'any' | 'yes' | 'no';
  capCount: string;
  /** Blank: ever. */
  capPerHours: string;
  cooldownHours: string;
  /** `datetime-local` values (local time), blank for none. */
  startAt: string;
  endAt: string;
  goalEvent: string;
  goalWindowHours: string;
  /** Blank with no variants: no experiment. */
  holdoutShare: string;
  variants: { id: string; share: string; text: string }[];
}

export const TRIGGER_LABELS: Record<TriggerKind, string> = {
  server_event: 'A tracked event (server)',
  time_on_page: 'Time on page',
  scroll_depth: 'Scroll depth',
  idle: 'Idle on a page',
  exit_intent: 'Exit intent',
  page_event: 'A tracked event with properties (page)',
  cart_value: 'Cart value',
};

/** Triggers the page will evaluate; this version of the server stores them but nothing fires them yet. */
export const PAGE_TRIGGERS: TriggerKind[] = ['time_on_page', 'scroll_depth', 'idle', 'exit_intent', 'page_event', 'cart_value'];

const HOUR = 60 * 60 * 1000;
const num = (n: number | undefined, scale = 1) => (n === undefined ? '' : String(Math.round((n / scale) * 1000) / 1000));

/** `datetime-local` text for an ISO date, in the browser's time zone. */
export function localInput(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function draftOf(c?: Campaign): CampaignDraft {
  const t = c?.trigger;
  return {
    name: c?.name ?? '',
    status: c?.status ?? 'draft',
    text: c?.message.text ?? '',
    authorName: c?.message.author?.name ?? '',
    quickReplies: (c?.message.quickReplies ?? []).map((q) => q.label).join('\n'),
    display: c?.display ?? 'toast',
    triggerKind: t?.kind ?? 'server_event',
    event: t?.event ?? '',
    delaySeconds: num(t?.delayMs, 1000),
    urlPattern: t?.urlPattern ?? '',
    minCartValue: num(t?.minCartValue),
    seconds: num(t?.seconds),
    percent: num(t?.percent),
    identified: c?.audience.identified === undefined ? 'any' : c.audience.identified ? 'yes' : 'no',
    locales: (c?.audience.locales ?? []).join(', '),
    audienceUrl: c?.audience.urlPattern ?? '',
    returning: c?.audience.returning === undefined ? 'any' : c.audience.returning ? 'yes' : 'no',
    capCount: String(c?.caps.perVisitor.count ?? 1),
    capPerHours: c ? num(c.caps.perVisitor.perMs, HOUR) : '24',
    cooldownHours: num(c?.caps.cooldownMs, HOUR),
    startAt: localInput(c?.schedule.startAt),
    endAt: localInput(c?.schedule.endAt),
    goalEvent: c?.goal?.event ?? '',
    goalWindowHours: c?.goal ? num(c.goal.windowMs, HOUR) : '',
    holdoutShare: c?.experiment ? String(c.experiment.holdoutShare) : '',
    variants: (c?.experiment?.variants ?? []).map((v) => ({ id: v.id, share: String(v.share), text: v.message?.text ?? '' })),
  };
}

export type BodyResult = { ok: true; body: Omit<CampaignFields, 'goal' | 'experiment'> & { goal: CampaignFields['goal'] | null; experiment: CampaignFields['experiment'] | null } } | { ok: false; field: keyof CampaignDraft; problem: string };

/** The body for POST or PATCH, or the first field the form can tell is wrong (the server checks the rest). */
export function bodyOf(d: CampaignDraft, base?: Campaign): BodyResult {
  const fail = (field: keyof CampaignDraft, problem: string): BodyResult => ({ ok: false, field, problem });
  const number = (s: string) => (s.trim() === '' ? undefined : Number(s));
  if (!d.name.trim()) return fail('name', 'Give the campaign a name.');
  if (!d.text.trim()) return fail('text', 'Write the message shoppers will see.');
  for (const field of ['delaySeconds', 'minCartValue', 'seconds', 'percent', 'capCount', 'capPerHours', 'cooldownHours', 'goalWindowHours', 'holdoutShare'] as const) {
    const n = number(d[field]);
    if (n !== undefined && (!Number.isFinite(n) || n < 0)) return fail(field, 'Enter a number of 0 or more.');
  }
  const baseTrigger = base?.trigger.kind === d.triggerKind ? base.trigger : undefined;
  const trigger: CampaignFields['trigger'] = { kind: d.triggerKind };
  const put = <K extends keyof CampaignFields['trigger']>(key: K, value: CampaignFields['trigger'][K] | undefined) => {
    if (value !== undefined && value !== '') trigger[key] = value;
  };
  const kind = d.triggerKind;
  if (kind === 'server_event' || kind === 'page_event') {
    if (!d.event.trim()) return fail('event', 'Name the tracked event, e.g. checkout_started.');
    put('event', d.event.trim());
  }
  if (kind === 'server_event') put('delayMs', number(d.delaySeconds) === undefined ? undefined : Math.round(number(d.delaySeconds)! * 1000));
  if (kind === 'server_event' || kind === 'cart_value') put('minCartValue', number(d.minCartValue));
  if (kind === 'cart_value' && trigger.minCartValue === undefined) return fail('minCartValue', 'Enter the cart value that triggers it.');
  if (kind === 'time_on_page' || kind === 'idle') {
    if (number(d.seconds) === undefined) return fail('seconds', 'Enter a number of seconds.');
    put('seconds', Math.round(number(d.seconds)!));
  }
  if (kind === 'scroll_depth') {
    if (number(d.percent) === undefined) return fail('percent', 'Enter how far down the page, in percent.');
    put('percent', Math.round(number(d.percent)!));
  }
  if (kind === 'page_event' && baseTrigger?.conditions) trigger.conditions = baseTrigger.conditions;
  put('urlPattern', d.urlPattern.trim() || undefined);

  const audience: CampaignFields['audience'] = {};
  if (d.identified !== 'any') audience.identified = d.identified === 'yes';
  const locales = d.locales.split(',').map((l) => l.trim()).filter(Boolean);
  if (locales.length) audience.locales = locales;
  if (d.audienceUrl.trim()) audience.urlPattern = d.audienceUrl.trim();
  if (d.returning !== 'any') audience.returning = d.returning === 'yes';
  if (base?.audience.attributes) audience.attributes = base.audience.attributes;

  const quickReplies = d.quickReplies.split('\n').map((l) => l.trim()).filter(Boolean).map((label) => ({ label }));
  const baseAuthor = base?.message.author;
  const authorName = d.authorName.trim();
  const author = authorName || baseAuthor ? { kind: baseAuthor?.kind ?? ('bot' as const), ...(baseAuthor?.avatarUrl ? { avatarUrl: baseAuthor.avatarUrl } : {}), ...(authorName ? { name: authorName } : {}) } : undefined;
  const message: CampaignFields['message'] = {
    text: d.text.trim(),
    ...(author ? { author } : {}),
    ...(quickReplies.length ? { quickReplies } : {}),
    ...(base?.message.blocks ? { blocks: base.message.blocks } : {}),
  };

  const perHours = number(d.capPerHours);
  const cooldown = number(d.cooldownHours);
  const caps: CampaignFields['caps'] = { perVisitor: { count: Math.max(1, Math.round(number(d.capCount) ?? 1)), ...(perHours ? { perMs: Math.round(perHours * HOUR) } : {}) } };
  if (cooldown) caps.cooldownMs = Math.round(cooldown * HOUR);

  const schedule: CampaignFields['schedule'] = {};
  if (d.startAt) schedule.startAt = new Date(d.startAt).toISOString();
  if (d.endAt) schedule.endAt = new Date(d.endAt).toISOString();

  let goal: CampaignFields['goal'] | null = null;
  if (d.goalEvent.trim()) {
    const hours = number(d.goalWindowHours);
    if (!hours) return fail('goalWindowHours', 'Enter how many hours after the prompt the goal counts.');
    goal = { event: d.goalEvent.trim(), windowMs: Math.round(hours * HOUR) };
  }

  let experiment: CampaignFields['experiment'] | null = null;
  if (d.variants.length || d.holdoutShare.trim()) {
    if (!d.variants.length) return fail('variants', 'Add at least one variant, or clear the holdout share.');
    const variants = [];
    for (const v of d.variants) {
      if (!/^[A-Za-z0-9_-]{1,32}$/.test(v.id)) return fail('variants', `Variant names use letters, digits, - and _ (not “${v.id}”).`);
      const own = base?.experiment?.variants.find((x) => x.id === v.id);
      // A variant's message replaces the campaign's whole: its own author and replies if it had a message, else the campaign's.
      const variantMessage = v.text.trim() ? { ...(own?.message ?? message), text: v.text.trim() } : undefined;
      variants.push({ id: v.id, share: Number(v.share) || 0, ...(variantMessage ? { message: variantMessage } : {}), ...(own?.trigger ? { trigger: own.trigger } : {}) });
    }
    const holdoutShare = number(d.holdoutShare) ?? 0;
    const sum = variants.reduce((n, v) => n + v.share, holdoutShare);
    if (Math.abs(sum - 100) > 1e-9) return fail('variants', `The shares add up to ${sum} %, not 100 %.`);
    experiment = { holdoutShare, variants };
  }

  return {
    ok: true,
    body: {
      name: d.name.trim(),
      status: d.status,
      message,
      display: d.display,
      audience,
      trigger,
      caps,
      schedule,
      goal,
      experiment,
      expiresAfterMs: base?.expiresAfterMs ?? HOUR,
    },
  };
}

/** One line saying when a campaign prompts. */
export function describeTrigger(t: CampaignFields['trigger']): string {
  const url = t.urlPattern ? ` on ${t.urlPattern}` : '';
  switch (t.kind) {
    case 'server_event':
      return `${t.event}${t.delayMs ? ` + ${Math.round(t.delayMs / 1000)} s` : ''}${url}${t.minCartValue !== undefined ? `, cart ≥ ${t.minCartValue}` : ''}`;
    case 'page_event':
      return `${t.event} with ${t.conditions?.length ?? 0} condition${t.conditions?.length === 1 ? '' : 's'}${url}`;
    case 'time_on_page':
      return `${t.seconds} s on the page${url}`;
    case 'idle':
      return `idle ${t.seconds} s${url}`;
    case 'scroll_depth':
      return `scrolled ${t.percent} %${url}`;
    case 'exit_intent':
      return `exit intent${url}`;
    case 'cart_value':
      return `cart ≥ ${t.minCartValue}${url}`;
  }
}

/** A rate as a percentage with one decimal, or an en dash. */
export function percent(rate: number | null): string {
  return rate === null ? '–' : `${(rate * 100).toFixed(1)} %`;
}

/** A difference of rates in percentage points, signed, with one decimal. */
export function points(d: number): string {
  const v = (d * 100).toFixed(1);
  return `${d > 0 ? '+' : d < 0 ? '−' : '±'}${v.replace('-', '')} pt`;
}
