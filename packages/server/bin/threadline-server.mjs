#!/usr/bin/env node
// The package's `threadline-server` command. A committed file rather than dist/bin.js itself, so
// that a workspace install, which links every package's bin before anything is built, finds it.
import fs from 'node:fs';

const entry = new URL('../dist/bin.js', import.meta.url);
if (!fs.existsSync(entry)) {
  console.error('threadline-server: the server is not built (dist/bin.js is missing). Run `pnpm build` at the repository root, or `pnpm --filter @threadline/server build`.');
  process.exit(1);
}
await import(entry.href);
