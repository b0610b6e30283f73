import { defineConfig } from 'vitest/config';

// Files that replace a module with vi.mock need a module registry of their own; every other file
// shares its worker's registry (isolate: false), so the cdk8s libraries, the generated validators
// and the synthesized fixtures are loaded once per worker instead of once per file: on 2 cores that
// is the difference between ~170 s and ~75 s for the whole suite.
const MOCKING = ['test/cli/synth-validates.test.ts'];

const shared = {
  // Synthesis tests build whole cdk8s apps; the default 5 s is tight on a loaded 2-core machine.
  testTimeout: 60_000,
  hookTimeout: 60_000,
  pool: 'forks',
} as const;

export default defineConfig({
  test: {
    // Vitest's default is one worker fewer than the cores (resolveMaxWorkers in vitest's cli-api:
    // availableParallelism() - 1), which is a single worker on the 2-core machines this runs on.
    maxWorkers: 2,
    projects: [
      { test: { ...shared, name: 'shared', include: ['test/**/*.test.ts'], exclude: MOCKING, isolate: false } },
      { test: { ...shared, name: 'isolated', include: MOCKING, isolate: true } },
    ],
  },
});
