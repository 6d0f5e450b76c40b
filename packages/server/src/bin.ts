#!/usr/bin/env node
import path from 'node:path';
import fs from 'node:fs';
import { configFromEnv } from './config.js';
import { createServer } from './server.js';
import { describeDatabase } from './db/open.js';
import { describeRedis } from './cluster/redis.js';

async function main(): Promise<void> {
  const config = configFromEnv();
  const server = await createServer(config);
  await server.listen();
  const { demo } = server;
  const lines = [`Threadline server listening on ${server.url}`, `  data:      ${config.dataDir}`, `  database:  ${describeDatabase(config)}`, `  redis:     ${describeRedis(config)}`, `  app id:    demo`];
  if (demo.apiKey) lines.push(`  API key:   ${demo.apiKey}`);
  else lines.push('  API key:   (shown when it was created; set THREADLINE_DEMO_API_KEY to choose one)');
  lines.push(`  secret:    ${demo.app.secret}`, `  origins:   ${demo.app.allowedOrigins.join(', ')}`);
  const mail = config.notifications ?? {};
  lines.push(`  email:     ${mail.smtpUrl ? `notifications on (after ${Math.round((mail.delayMs ?? 0) / 1000)} s unread, from ${mail.from ?? 'notifications@' + (mail.inboundDomain ?? 'localhost')})` : 'notifications off (set THREADLINE_SMTP_URL to email replies to visitors who left)'}`);
  lines.push(`  replies:   ${mail.inboundDomain ? `reply+…@${mail.inboundDomain}${server.smtpPort ? `, SMTP listener on ${config.host}:${server.smtpPort}` : ', POST /v1/inbound/email (no SMTP listener: THREADLINE_SMTP_INBOUND_PORT unset)'}` : 'off (set THREADLINE_SMTP_INBOUND_DOMAIN)'}`);
  lines.push(`  health:    ${server.url}/health`, `  API docs:  ${server.url}/v1/openapi.json`);
  console.log(lines.join('\n'));
  if (demo.created && demo.apiKey && !process.env.THREADLINE_DEMO_API_KEY) {
    // Kept so a developer who missed the first banner can find the key again.
    const file = path.join(config.dataDir, 'demo-credentials.json');
    fs.writeFileSync(file, JSON.stringify({ appId: 'demo', apiKey: demo.apiKey, secret: demo.app.secret }, null, 2), { mode: 0o600 });
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    server.close().then(
      () => process.exit(0),
      (err) => {
        console.error('shutdown failed', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
