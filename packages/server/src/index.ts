export { createServer, type ThreadlineServer, type CreateServerOptions } from './server.js';
export { loadRules, ruleSchema, type Rule, type RuleEngine, type RuleEvaluation, type RuleOutcome } from './services/rules.js';
export { configFromEnv, DEFAULT_RATE_LIMITS, type ServerConfig, type RateLimitConfig, type DemoAppConfig } from './config.js';
export { userHashOf } from './auth/identity.js';
export { signWebhook, verifyWebhook } from './webhooks/signature.js';
export { WEBHOOK_EVENTS, type WebhookEvent } from './webhooks/dispatcher.js';
export type { FileStore } from './files/file-store.js';
export { DiskFileStore } from './files/file-store.js';
