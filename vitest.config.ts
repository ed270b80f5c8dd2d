import { defineConfig } from 'vitest/config';

const json = process.env.TOURNIQUET_VITEST_JSON;

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Slow reliability runs (over ~10 s a file) belong to `npm run test:reliability` only.
    exclude: ['**/node_modules/**', 'test/reliability/slow/**'],
    // Integration tests share one moto_server per file; EC2 calls are slow in moto.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default is one worker per core minus one: a single worker on a 2-core CI machine, so the integration
    // files (which mostly wait on moto_server and child processes) ran one after another. Three overlap the waiting.
    maxWorkers: 3,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    reporters: json ? ['default', 'json'] : ['default'],
    outputFile: json ? { json } : undefined,
  },
});
