import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // vitest's default leaves one of two cores idle; PGlite-heavy files are IO- and wasm-bound
    maxWorkers: 2,
    // Ink renders only the last frame when it believes it runs in CI (is-in-ci reads CI at
    // import); the terminal tests check real frames, so they must not inherit CI=true
    env: { CI: 'false' },
  },
});
