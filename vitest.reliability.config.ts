/**
 * `npm run test:reliability`: the reliability suites of issue 12 in full — the fast subset (`test/reliability/`, also
 * part of `npm test`), the slow runs (`test/reliability/slow/`, only here) and the heavier integration files that
 * prove faults, crash and resume, delivery and security (docs/reliability.md maps each claim to its test).
 */
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

export const RELIABILITY_FILES = [
  'test/reliability/**/*.test.ts',
  'test/integration/respond-under-faults.test.ts',
  'test/integration/crash-resume.test.ts',
  'test/integration/release-after-crash.test.ts',
  'test/integration/race-processes.test.ts',
  'test/integration/journal-lock-race.test.ts',
  'test/integration/lambda-redelivery.test.ts',
  'test/integration/lambda-input-limits.test.ts',
  'test/integration/lambda-handlers.test.ts',
  'test/integration/escalation.test.ts',
  'test/integration/guardrails-and-failures.test.ts',
  'test/unit/cli/bad-input.test.ts',
  'test/unit/findings/nesting.test.ts',
  'test/unit/findings/input-limits.test.ts',
  'test/unit/policy/yaml-aliases.test.ts',
  'test/unit/notify/approval-link.test.ts',
  'test/unit/policy/guardrails.test.ts',
  'test/unit/lambda/s3-export-stream.test.ts',
];

// Not mergeConfig: it would concatenate the include lists and run the whole suite.
export default defineConfig({ ...base, test: { ...base.test, include: RELIABILITY_FILES, exclude: ['**/node_modules/**'] } });
