import { defineConfig } from 'vitest/config';

// Two projects so unit tests (no network) and integration tests (real servers from `stack/`)
// can be run apart: `pnpm test:unit`, `pnpm test:it`. `pnpm test` runs both.
const shared = ['**/node_modules/**', '**/dist/**', '.stack/**'];

// CI asks for a machine-readable report beside the console output (see .ci/run).
const report = process.env.SILK_TEST_REPORT;

export default defineConfig({
  test: {
    reporters: report ? ['default', ['json', { outputFile: report }]] : ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['**/src/**/*.test.ts'],
          exclude: [...shared, '**/*.it.test.ts'],
        },
      },
      {
        test: {
          name: 'it',
          include: ['**/src/**/*.it.test.ts'],
          exclude: shared,
          // Integration tests share one real cluster; run files one at a time so they do not
          // fight over topics, instances and ports.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
