import type { PageCondition } from '@threadline/protocol';
import { ApiError, errorFromBody } from '../api/api-error.js';

/** The campaign types of `/v1/campaigns` (the server's services/campaign-spec.ts), as the console uses them. */
export type CampaignStatus = 'draft' | 'live' | 'paused' | 'ended';
export type TriggerKind = 'server_event' | 'time_on_page' | 'scroll_depth' | 'idle' | 'exit_intent' | 'page_event' | 'cart_value';

/** A test on an event's property or a visitor attribute: the protocol's, shared with the page's triggers. */
export type Condition = PageCondition;

export interface CampaignMessage {
  text: string;
  author?: { kind: 'agent' | 'bot'; name?: string; avatarUrl?: string };
  quickReplies?: { label: string; value?: string }[];
  /** Rich content (protocol blocks); the console keeps them as they are and does not edit them. */
  blocks?: unknown[];
}

export interface CampaignTrigger {
  kind: TriggerKind;
  event?: string;
  delayMs?: number;
  urlPattern?: string;
  minCartValue?: number;
  seconds?: number;
  percent?: number;
  conditions?: Condition[];
}

export interface CampaignVariant {
  id: string;
  share: number;
  message?: CampaignMessage;
  trigger?: CampaignTrigger;
}

export interface CampaignFields {
  name: string;
  status: CampaignStatus;
  message: CampaignMessage;
  display: 'toast' | 'open';
  audience: { identified?: boolean; locales?: string[]; urlPattern?: string; returning?: boolean; attributes?: Condition[] };
  trigger: CampaignTrigger;
  caps: { perVisitor: { count: number; perMs?: number }; cooldownMs?: number };
  schedule: { startAt?: string; endAt?: string };
  goal?: { event: string; windowMs: number };
  experiment?: { holdoutShare: number; variants: CampaignVariant[] };
  expiresAfterMs: number;
}

export interface Campaign extends CampaignFields {
  id: string;
  createdAt: string;
  updatedAt: string;
}

export interface ArmStats {
  variant: string;
  eligible: number;
  shown: number;
  opened: number;
  replied: number;
  dismissed: number;
  converted: number;
  rates: Record<'shown' | 'opened' | 'replied' | 'dismissed' | 'converted', number | null>;
  lift: { difference: number; low: number; high: number } | null;
}

export interface CampaignStats {
  campaign: string;
  goal: { event: string; windowMs: number } | null;
  method: string;
  arms: ArmStats[];
}

/** What PATCH takes: any field; `goal: null` and `experiment: null` remove them. */
export type CampaignPatch = Partial<Omit<CampaignFields, 'goal' | 'experiment'>> & { goal?: CampaignFields['goal'] | null; experiment?: CampaignFields['experiment'] | null };

export interface CampaignsApi {
  list(): Promise<Campaign[]>;
  create(body: Partial<CampaignFields> & { id?: string }): Promise<Campaign>;
  update(id: string, patch: CampaignPatch): Promise<Campaign>;
  remove(id: string): Promise<void>;
  stats(id: string): Promise<CampaignStats>;
}

/** `/v1/campaigns` with the console's API key; failures are `ApiError`s like the rest of the console's calls. */
export function createCampaignsApi(options: { apiKey: string; baseUrl?: string; fetch?: typeof fetch }): CampaignsApi {
  const { apiKey, baseUrl = '' } = options;
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await doFetch(baseUrl + path, {
        method,
        headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new ApiError('network', err instanceof Error ? err.message : 'network error', 0);
    }
    if (!res.ok) throw errorFromBody(res.status, await res.json().catch(() => null));
    return (res.status === 204 ? undefined : await res.json()) as T;
  }
  const at = (id: string) => `/v1/campaigns/${encodeURIComponent(id)}`;

  return {
    list: async () => (await call<{ items: Campaign[] }>('GET', '/v1/campaigns')).items,
    create: (body) => call('POST', '/v1/campaigns', body),
    update: (id, patch) => call('PATCH', at(id), patch),
    remove: (id) => call('DELETE', at(id)),
    stats: (id) => call('GET', `${at(id)}/stats`),
  };
}
