import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // End-to-end tests start a real discord.js client against the fake Discord; give them room.
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
});
