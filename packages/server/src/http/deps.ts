import type { Backlog } from '../shed.js';
import type { ServerConfig } from '../config.js';
import type { VisitorTokens } from '../auth/tokens.js';
import type { VisitorSessions } from '../auth/sessions.js';
import type { FileStore } from '../files/file-store.js';
import type { Limiter } from '../realtime/rate-limit.js';
import type { Messaging } from '../services/messaging.js';
import type { ProactiveService } from '../services/proactive.js';
import type { SqlStore } from '../store/sql-store.js';
import type { CampaignStore } from '../store/campaign-store.js';
import type { WebhookDispatcher } from '../webhooks/dispatcher.js';
import type { NotificationStore } from '../store/notification-store.js';
import type { LinkSigner } from '../notifications/link-signer.js';
import type { InboundMail } from '../notifications/inbound.js';
import type { AvailabilityService } from '../services/availability.js';
import type { BotSettingsService } from '../services/assignment.js';

/** What HTTP routes need; built once in server.ts. */
export interface HttpDeps {
  config: ServerConfig;
  store: SqlStore;
  /** Campaigns (`/v1/campaigns`). */
  campaigns: CampaignStore;
  messaging: Messaging;
  proactive: ProactiveService;
  tokens: VisitorTokens;
  sessions: VisitorSessions;
  webhooks: WebhookDispatcher;
  files: FileStore;
  uploadLimiter: Limiter;
  /** Requests per client address (every route but `/health`). */
  httpLimiter: Limiter;
  /** Whether some app allows a browser origin (cached; shared with the socket server). */
  originAllowed: (origin: string | undefined) => Promise<boolean>;
  /** Call after an app's allowed origins changed: every node's cached allow-lists are dropped. */
  originsChanged: (appId: string) => Promise<void>;
  /** Signs and checks the links emails carry (file links work with a signature and no session). */
  signer: LinkSigner;
  /** Email notifications' routes (unsubscribe, inbound email, settings); null when they are off. */
  notifications: { store: NotificationStore; signer: LinkSigner; inbound: InboundMail; maxInboundBytes: number } | null;
  /** Business hours, reply time and away message per app. */
  availability: AvailabilityService;
  /** The app's bot: whether it handles new threads, and the handoff words. */
  bots: BotSettingsService;
  /** How far behind the database is: API requests are refused while it is far behind (see shed.ts). @default never behind */
  backlog?: () => Backlog;
}
