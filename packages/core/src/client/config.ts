/**
 * The client's options with their defaults applied (each default is documented on `ClientOptions`
 * in types.ts, with `@default`).
 */
import { LIMITS } from '@threadline/protocol';
import type { CapPolicy } from '../proactive/caps.js';
import type { ClientOptions, Identity } from '../types.js';

export interface Resolved {
  appId: string;
  serverUrl: string;
  identity: Identity | undefined;
  consent: boolean;
  ackTimeoutMs: number;
  pageSize: number;
  multiTab: boolean;
  maxQueuedFileBytes: number;
  policy: { baseMs: number; maxMs: number; deadlineMs: number };
  caps: CapPolicy;
}

export function resolveOptions(options: ClientOptions): Resolved {
  return {
    appId: options.appId,
    serverUrl: String(options.serverUrl ?? '').replace(/\/+$/, ''),
    identity: options.identity,
    consent: options.consent ?? true,
    ackTimeoutMs: options.ackTimeoutMs ?? 10_000,
    pageSize: Math.min(LIMITS.maxPageSize, Math.max(1, options.pageSize ?? 50)),
    multiTab: options.multiTab ?? true,
    maxQueuedFileBytes: options.maxQueuedFileBytes ?? 50 * 1024 * 1024,
    policy: {
      baseMs: options.retry?.baseMs ?? 1000,
      maxMs: options.retry?.maxMs ?? 30_000,
      deadlineMs: options.retry?.deadlineMs ?? 86_400_000,
    },
    caps: {
      maxPerCampaign: options.proactive?.maxPerCampaign ?? 1,
      capWindowMs: options.proactive?.capWindowMs ?? 86_400_000,
    },
  };
}
