import { openState, type AppAvailability, type Availability, type AvailabilityEvent } from '@threadline/protocol';
import type { Kysely } from 'kysely';
import type { Database, ThreadsTable } from '../db/schema.js';
import type { Presence } from '../cluster/presence.js';
import { agentRoom } from '../realtime/rooms.js';
import { TtlCache } from '../store/ttl-cache.js';

/** An app that never set anything: always open, no reply time, no away message. */
export const NO_AVAILABILITY: AppAvailability = { hours: null, replyTimeMinutes: null, awayMessage: null };

/** How long a node trusts its copy of an app's settings; a PUT on another node shows within this. */
const CACHE_MS = 5_000;
/** Away replies this node remembers having posted (thread and closed period), so repeats skip the database. */
const POSTED_MAX = 10_000;

interface Logger {
  warn(obj: object, msg: string): void;
}

/** Posts the away message as the brand (a bot message that queues no email). */
export type PostAway = (thread: ThreadsTable, text: string, idempotencyKey: string) => Promise<void>;

/** Sends `availability` to every connected visitor of the app, on every node (one broadcast). */
export type TellVisitors = (appId: string, event: AvailabilityEvent) => void;

/**
 * When an app answers: its business hours, expected reply time and away message (one JSON
 * document per app, `apps.availability`), what a visitor's widget is told (`availability.get`,
 * with whether an inbox is connected), and the away auto-reply. The same settings are meant for
 * every reader (the widget's home screen, bots): read them through here.
 */
export class AvailabilityService {
  readonly #cache = new TtlCache<AppAvailability>(CACHE_MS, () => this.now());
  readonly #posted = new Set<string>();
  postAway: PostAway | null = null;
  tellVisitors: TellVisitors | null = null;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly presence: Pick<Presence, 'online'>,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async get(appId: string): Promise<AppAvailability> {
    return this.#cache.get(appId, async () => {
      const row = await this.db.selectFrom('apps').select('availability').where('id', '=', appId).executeTakeFirst();
      if (!row?.availability) return NO_AVAILABILITY;
      try {
        return { ...NO_AVAILABILITY, ...(JSON.parse(row.availability) as Partial<AppAvailability>) };
      } catch (err) {
        // Written only through `put`, so this is a hand-edited row: treated as unset, and said so.
        this.log.warn({ appId, err }, 'availability: the stored settings do not parse; treated as unset');
        return NO_AVAILABILITY;
      }
    });
  }

  /** Replaces the app's settings (checked by the caller: see `availabilityBody` in the routes). */
  async put(appId: string, value: AppAvailability): Promise<AppAvailability> {
    await this.db.updateTable('apps').set({ availability: JSON.stringify(value) }).where('id', '=', appId).execute();
    this.#cache.set(appId, value);
    return value;
  }

  /** What a visitor's client is told: the settings and whether an inbox of the app is connected. */
  async forVisitor(appId: string): Promise<Availability> {
    const [settings, online] = await Promise.all([this.get(appId), this.presence.online([agentRoom(appId)])]);
    return { ...settings, agentsOnline: online.size > 0 };
  }

  /**
   * This node's first inbox of the app connected, or its last one closed (agent-channel.ts): the
   * app's visitors hear whether any inbox is connected now, on any node. Asked once per change
   * (one Redis round trip with several nodes, never one per visitor), then one broadcast that the
   * adapter carries to every node's visitors of the app.
   *
   * Told even when nothing changed for the app (an inbox came on this node while another node had
   * one): the event is a state, not a toggle. Not told: a node that dies without closing (its
   * inboxes count until its presence expires; `availability.get` answers the truth after that),
   * and, in a race of two nodes' last inboxes closing at once, the order of the two broadcasts is
   * not guaranteed; both clear up at the next change or `availability.get`.
   */
  async inboxesChanged(appId: string): Promise<void> {
    if (!this.tellVisitors) return;
    try {
      const online = await this.presence.online([agentRoom(appId)]);
      this.tellVisitors(appId, { agentsOnline: online.size > 0 });
    } catch (err) {
      this.log.warn({ err, appId }, 'availability: could not tell visitors that agents came or went');
    }
  }

  /**
   * After a visitor's message: outside hours, the away message goes into the thread once per
   * closed period. The period is named by its next opening, which is the idempotency key of the
   * reply, so two nodes (or a repeat) post it once.
   */
  async afterVisitorMessage(thread: ThreadsTable): Promise<void> {
    try {
      await this.#away(thread);
    } catch (err) {
      this.log.warn({ err, threadId: thread.id }, 'availability: the away message could not be posted');
    }
  }

  async #away(thread: ThreadsTable): Promise<void> {
    if (!this.postAway) return;
    const settings = await this.get(thread.app_id);
    if (!settings.hours || !settings.awayMessage) return;
    const state = openState(settings.hours, this.now());
    if (state.open) return;
    const key = `away:${state.nextOpen ? state.nextOpen.getTime() : 'none'}`;
    const seen = `${thread.id}|${key}`;
    if (this.#posted.has(seen)) return;
    await this.postAway(thread, settings.awayMessage, key);
    if (this.#posted.size >= POSTED_MAX) this.#posted.clear();
    this.#posted.add(seen);
  }
}
