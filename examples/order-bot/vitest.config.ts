import { defineProject } from 'vitest/config';

// The bot's decisions, and the bot against the reference server's source (real socket.io, SQLite).
export default defineProject({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    name: 'order-bot',
    environment: 'node',
    include: ['*.test.mjs'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
