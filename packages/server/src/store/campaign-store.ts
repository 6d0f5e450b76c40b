import type { Kysely } from 'kysely';
import type { CampaignsTable, Database } from '../db/schema.js';
import { ServerError, notFound } from '../errors.js';
import type { Campaign, CampaignSpec, CampaignStatus } from '../services/campaign-spec.js';
import { TtlCache } from './ttl-cache.js';

/** Per variant (and `holdout`): people exposed, and how many of them saw, opened, answered, dismissed and converted. */
export interface VariantCounts {
  variant: string;
  eligible: number;
  shown: number;
  opened: number;
  replied: number;
  dismissed: number;
  converted: number;
}

/** A tracked event that may be some campaigns' goal. */
export interface GoalHit {
  appId: string;
  visitorId: string;
  userId: string | null;
  event: string;
}

/**
 * Campaigns (table `campaigns`) and their exposures (`campaign_exposures`). Reads of an app's
 * campaigns — every tracked event asks them — are answered from memory for `cacheMs`; a change
 * made through this node forgets that app's at once. Other nodes see a change within `cacheMs`:
 * no cross-node message, the same rule as the app cache (sql-store.ts). A campaign paused on one
 * node may so still prompt from another for up to that long.
 */
export class CampaignStore {
  readonly #cache: TtlCache<Campaign[]>;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: { cacheMs?: number; now?: () => number } = {},
  ) {
    this.#cache = new TtlCache(options.cacheMs ?? 5000);
  }

  #now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Every campaign of the app that is not deleted, oldest first (cached, see the class; the reads of a burst shared). */
  async ofApp(appId: string): Promise<Campaign[]> {
    return this.#cache.get(appId, async () => {
      const rows = await this.db.selectFrom('campaigns').selectAll().where('app_id', '=', appId).where('deleted_at', 'is', null).orderBy('created_at').orderBy('id').execute();
      return rows.map(toCampaign);
    });
  }

  /** Forgets the cached campaigns of an app (after a change on this node). */
  forget(appId: string): void {
    this.#cache.forget(appId);
  }

  /** A campaign read now (not from the cache), deleted ones included (`deleted`). */
  async find(appId: string, id: string): Promise<(Campaign & { deleted: boolean }) | undefined> {
    const row = await this.db.selectFrom('campaigns').selectAll().where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
    return row && { ...toCampaign(row), deleted: row.deleted_at !== null };
  }

  /** A campaign that is not deleted, or `not_found`. */
  async get(appId: string, id: string): Promise<Campaign> {
    const found = await this.find(appId, id);
    if (!found || found.deleted) throw notFound('campaign');
    const { deleted: _, ...campaign } = found;
    return campaign;
  }

  /** Stores a new campaign; an id already taken (by a deleted campaign too) is a `conflict`. False with `ifAbsent` when taken. */
  async create(appId: string, id: string, name: string, status: CampaignStatus, spec: CampaignSpec, options: { ifAbsent?: boolean } = {}): Promise<boolean> {
    const at = this.#now();
    const res = await this.db
      .insertInto('campaigns')
      .values({ app_id: appId, id, name, status, spec: JSON.stringify(spec), created_at: at, updated_at: at, deleted_at: null })
      .onConflict((oc) => oc.columns(['app_id', 'id']).doNothing())
      .executeTakeFirst();
    this.forget(appId);
    if (Number(res.numInsertedOrUpdatedRows) === 1) return true;
    if (options.ifAbsent) return false;
    throw new ServerError('conflict', `a campaign with id "${id}" exists (or existed: ids of deleted campaigns are not reused)`);
  }

  async update(appId: string, id: string, name: string, status: CampaignStatus, spec: CampaignSpec): Promise<void> {
    const res = await this.db
      .updateTable('campaigns')
      .set({ name, status, spec: JSON.stringify(spec), updated_at: this.#now() })
      .where('app_id', '=', appId)
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    this.forget(appId);
    if (Number(res.numUpdatedRows) !== 1) throw notFound('campaign');
  }

  /** Deletes a campaign: it stops at once (on this node; see the class) and its id stays taken. */
  async delete(appId: string, id: string): Promise<void> {
    const at = this.#now();
    const res = await this.db
      .updateTable('campaigns')
      .set({ status: 'ended', deleted_at: at, updated_at: at })
      .where('app_id', '=', appId)
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    this.forget(appId);
    if (Number(res.numUpdatedRows) !== 1) throw notFound('campaign');
  }

  /**
   * A tracked event that is the goal of some campaigns: each exposure of this visitor (or its
   * user) to one of them, made within that campaign's goal window before now and not converted
   * yet, converts — one guarded UPDATE per campaign, so a reload or a resent event changes
   * nothing the second time. Returns how many exposures converted.
   */
  async convert(hit: GoalHit): Promise<number> {
    const campaigns = (await this.ofApp(hit.appId)).filter((c) => c.goal?.event === hit.event);
    let converted = 0;
    const at = this.#now();
    for (const c of campaigns) {
      const res = await this.db
        .updateTable('campaign_exposures')
        .set({ converted_at: at })
        .where('app_id', '=', hit.appId)
        .where('campaign_id', '=', c.id)
        .where((eb) => (hit.userId ? eb.or([eb('visitor_id', '=', hit.visitorId), eb('user_id', '=', hit.userId)]) : eb('visitor_id', '=', hit.visitorId)))
        .where('converted_at', 'is', null)
        .where('exposed_at', '<=', at)
        .where('exposed_at', '>', at - c.goal!.windowMs)
        .executeTakeFirst();
      converted += Number(res.numUpdatedRows);
    }
    return converted;
  }

  /**
   * Counts per arm, from stored rows only: exposures, and among them those whose person got a
   * prompt of this campaign that was shown (opened, answered, dismissed), and those converted.
   * Each person counts once per figure whatever the number of prompts, tabs or reloads.
   */
  async counts(appId: string, campaignId: string): Promise<VariantCounts[]> {
    const rows = await this.db
      .selectFrom('campaign_exposures as e')
      .where('e.app_id', '=', appId)
      .where('e.campaign_id', '=', campaignId)
      .groupBy('e.variant')
      .select((eb) => {
        // 1 when this person got a prompt of the campaign that reached `column`, else 0.
        const reached = (column: 'shown_at' | 'opened_at' | 'replied_at' | 'dismissed_at') =>
          eb
            .case()
            .when(
              eb.exists(
                eb
                  .selectFrom('proactive as p')
                  .select('p.id')
                  .whereRef('p.app_id', '=', 'e.app_id')
                  .whereRef('p.campaign', '=', 'e.campaign_id')
                  .where((w) => w.or([w('p.visitor_id', '=', w.ref('e.visitor_id')), w('p.user_id', '=', w.ref('e.user_id'))]))
                  .where(`p.${column}`, 'is not', null),
              ),
            )
            .then(1)
            .else(0)
            .end();
        return [
          'e.variant',
          eb.fn.countAll<number>().as('eligible'),
          eb.fn.sum<number>(reached('shown_at')).as('shown'),
          eb.fn.sum<number>(reached('opened_at')).as('opened'),
          eb.fn.sum<number>(reached('replied_at')).as('replied'),
          eb.fn.sum<number>(reached('dismissed_at')).as('dismissed'),
          eb.fn.sum<number>(eb.case().when('e.converted_at', 'is not', null).then(1).else(0).end()).as('converted'),
        ];
      })
      .execute();
    // PostgreSQL answers count and sum as strings (bigint, numeric).
    return rows.map((r) => ({
      variant: r.variant,
      eligible: Number(r.eligible),
      shown: Number(r.shown ?? 0),
      opened: Number(r.opened ?? 0),
      replied: Number(r.replied ?? 0),
      dismissed: Number(r.dismissed ?? 0),
      converted: Number(r.converted ?? 0),
    }));
  }
}

function toCampaign(row: CampaignsTable): Campaign {
  const spec = JSON.parse(row.spec) as CampaignSpec;
  return {
    id: row.id,
    appId: row.app_id,
    name: row.name,
    status: row.status,
    ...spec,
    createdAt: new Date(Number(row.created_at)).toISOString(),
    updatedAt: new Date(Number(row.updated_at)).toISOString(),
  };
}
