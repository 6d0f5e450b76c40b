import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { DEFAULT_HANDOFF_WORDS, type BotPolicy } from '../store/assignment.js';
import { TtlCache } from '../store/ttl-cache.js';

/** An app's bot (`GET`/`PUT /v1/bot`). */
export interface BotSettings {
  /**
   * A bot (an HTTP service on the webhooks and the REST API) handles the app's new threads; a bot's
   * message on a thread it does not handle is refused (`bot_not_assigned`).
   * @default false: new threads wait for a person, and `bot` is only an author label
   */
  enabled: boolean;
  /**
   * A visitor message that is one of these (or, in a message of up to six words, contains one as a
   * word; case-insensitive) moves a bot thread to the queue.
   * @default ["human", "agent", "person", "人工", "真人", "客服"]
   */
  handoffWords: string[];
}

export const NO_BOT: BotSettings = { enabled: false, handoffWords: [...DEFAULT_HANDOFF_WORDS] };

/** How long a node trusts its copy of an app's bot settings; a PUT on another node shows within this. */
const CACHE_MS = 5_000;

interface Logger {
  warn(obj: object, msg: string): void;
}

/**
 * The app's bot settings (one JSON document per app, `apps.bot`), read by every append that may
 * create a thread, hand one off or carry a bot's message: cached per node for `CACHE_MS`, the
 * reads of a burst shared.
 */
export class BotSettingsService {
  readonly #cache = new TtlCache<BotSettings>(CACHE_MS, () => this.now());

  constructor(
    private readonly db: Kysely<Database>,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async get(appId: string): Promise<BotSettings> {
    return this.#cache.get(appId, async () => {
      const row = await this.db.selectFrom('apps').select('bot').where('id', '=', appId).executeTakeFirst();
      if (!row?.bot) return NO_BOT;
      try {
        return { ...NO_BOT, ...(JSON.parse(row.bot) as Partial<BotSettings>) };
      } catch (err) {
        // Written only through `put`: a hand-edited row, treated as no bot, and said so.
        this.log.warn({ appId, err }, 'bot: the stored settings do not parse; treated as no bot');
        return NO_BOT;
      }
    });
  }

  async put(appId: string, input: { enabled: boolean; handoffWords?: string[] | undefined }): Promise<BotSettings> {
    const words = input.handoffWords ?? NO_BOT.handoffWords;
    const value: BotSettings = { enabled: input.enabled, handoffWords: [...new Set(words.map((w) => w.normalize('NFKC').trim().toLowerCase()).filter(Boolean))] };
    await this.db.updateTable('apps').set({ bot: JSON.stringify(value) }).where('id', '=', appId).execute();
    this.#cache.set(appId, value);
    return value;
  }

  /** What an append needs of it. */
  async policy(appId: string): Promise<BotPolicy> {
    const { enabled, handoffWords } = await this.get(appId);
    return { enabled, handoffWords };
  }
}
