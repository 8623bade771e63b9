import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The end-to-end tests spawn the CLI, git, agents and gates on a 2-core machine; a time
    // limit is there to catch a hang, not to judge speed (npm run bench does that).
    // Two files at a time on a 2-core machine: most of a test's time is spent waiting on the
    // processes it spawns (the CLI, git, agents), and vitest's default leaves one core idle.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
  resolve: {
    // The schema validators are generated at build time (npm test builds first).
    alias: [
      {
        // The source's own import, and a test's of the same module through src/ (typed by its .d.ts).
        find: /^(?:\.|\.\.\/\.\.\/src\/config)\/schema-validators\.js$/,
        replacement: fileURLToPath(new URL('./dist/config/schema-validators.js', import.meta.url)),
      },
    ],
  },
});
