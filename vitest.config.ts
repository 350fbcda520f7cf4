import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    // argon2 and database setup are slow-ish; a test that waits this long is stuck.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // CI fails on a forgotten .only.
    allowOnly: !process.env.CI,
    pool: 'forks',
  },
})
