import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
  resolve: {
    // The schema validators are generated at build time (npm test builds first).
    alias: [
      {
        find: /^\.\/schema-validators\.js$/,
        replacement: fileURLToPath(new URL('./dist/config/schema-validators.js', import.meta.url)),
      },
    ],
  },
});
