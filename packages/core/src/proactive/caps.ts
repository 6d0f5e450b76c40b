/**
 * Proactive prompt guardrails as pure functions over the stored `ProactiveRecord`: a prompt is
 * offered only if it is not expired, was never shown/dismissed/answered here, and its campaign
 * is under its frequency cap (`maxPerCampaign` showings per `capWindowMs`).
 */
import type { ProactiveMessage } from '@threadline/protocol';
import type { ProactiveRecord } from '../storage/local-store.js';
import type { ProactivePrompt } from '../types.js';

export interface CapPolicy {
  maxPerCampaign: number;
  capWindowMs: number;
}

export function isExpired(p: { expiresAt: string | null }, now: number): boolean {
  return p.expiresAt !== null && Date.parse(p.expiresAt) <= now;
}

export function campaignShowings(record: ProactiveRecord, campaign: string | null, now: number, policy: CapPolicy): number {
  if (!campaign) return 0;
  return (record.campaigns[campaign] ?? []).filter((t) => now - t < policy.capWindowMs).length;
}

/**
 * What to do with a prompt the server offers: `offer` it; leave it, as it is `listed` already or
 * `expired`; or it is one this device will not show — `done` here (shown, dismissed or answered
 * before, a report the server may have missed) or `capped` (its campaign is at its cap here).
 */
export function verdict(record: ProactiveRecord, prompt: ProactiveMessage, now: number, policy: CapPolicy): 'offer' | 'listed' | 'expired' | 'done' | 'capped' {
  if (record.done[prompt.id] !== undefined) return 'done';
  if (record.prompts.some((p) => p.id === prompt.id)) return 'listed';
  if (isExpired(prompt, now)) return 'expired';
  return campaignShowings(record, prompt.campaign, now, policy) < policy.maxPerCampaign ? 'offer' : 'capped';
}

/** Whether an incoming prompt may be offered now. */
export function mayOffer(record: ProactiveRecord, prompt: ProactiveMessage, now: number, policy: CapPolicy): boolean {
  return verdict(record, prompt, now, policy) === 'offer';
}

/** Not shown here because of the caps: never offered again on this device either. */
export function suppress(record: ProactiveRecord, id: string, now: number): ProactiveRecord {
  return { ...record, done: { ...record.done, [id]: record.done[id] ?? now } };
}

export function offer(record: ProactiveRecord, prompt: ProactiveMessage): ProactiveRecord {
  const p: ProactivePrompt = {
    id: prompt.id,
    text: prompt.text,
    display: prompt.display,
    campaign: prompt.campaign,
    author: prompt.author,
    ...(prompt.quickReplies ? { quickReplies: prompt.quickReplies } : {}),
    ...(prompt.blocks ? { blocks: prompt.blocks } : {}),
    expiresAt: prompt.expiresAt,
    createdAt: prompt.createdAt,
    shown: false,
  };
  return { ...record, prompts: [...record.prompts, p] };
}

/** The UI showed it: count it against its campaign; it stays listed (shown) for this page only. */
export function markShown(record: ProactiveRecord, id: string, now: number): ProactiveRecord {
  const p = record.prompts.find((x) => x.id === id);
  if (!p || p.shown) return record;
  const campaigns = p.campaign ? { ...record.campaigns, [p.campaign]: [...(record.campaigns[p.campaign] ?? []), now] } : record.campaigns;
  return {
    prompts: record.prompts.map((x) => (x.id === id ? { ...x, shown: true } : x)),
    done: { ...record.done, [id]: now },
    campaigns,
  };
}

/** Dismissed or answered: no longer offered. */
export function close(record: ProactiveRecord, id: string, now: number): ProactiveRecord {
  return { ...record, prompts: record.prompts.filter((x) => x.id !== id), done: { ...record.done, [id]: record.done[id] ?? now } };
}

/** At start: drop expired prompts and those shown in an earlier page; forget old bookkeeping. */
export function prune(record: ProactiveRecord, now: number, policy: CapPolicy): ProactiveRecord {
  const keepAfter = now - Math.max(policy.capWindowMs, 30 * 86_400_000);
  const done: Record<string, number> = {};
  for (const [id, t] of Object.entries(record.done)) if (t > keepAfter) done[id] = t;
  const campaigns: Record<string, number[]> = {};
  for (const [c, ts] of Object.entries(record.campaigns)) {
    const recent = ts.filter((t) => now - t < policy.capWindowMs);
    if (recent.length) campaigns[c] = recent;
  }
  return { prompts: record.prompts.filter((p) => !p.shown && !isExpired(p, now)), done, campaigns };
}
