// Lint rules kept small: type-aware checks that catch real bugs (floating promises, unsafe any) over style.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Imports that would give the pure core AWS calls or I/O (node's file, network and process modules; the I/O layers). */
const PURE_CORE_RESTRICTED = [
  { group: ['@aws-sdk/*', '@smithy/*'], message: 'no AWS SDK here: AWS calls belong in src/actions and src/aws' },
  {
    group: ['node:fs', 'node:fs/*', 'fs', 'fs/*', 'node:net', 'node:http', 'node:https', 'node:http2', 'node:child_process', 'node:dgram', 'node:dns', 'node:tls', 'node:worker_threads'],
    message: 'no I/O here: read at the edge (cli, lambda) and pass data in',
  },
  {
    group: ['**/aws/*', '**/journal/*', '**/evidence/*', '**/notify/*', '**/engine/*', '**/cli/*', '**/lambda/*', '**/drill/*', '**/infra/*'],
    message: 'the pure core does not depend on the layers that do I/O',
  },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', 'scratch/', 'infra/node_modules/', 'infra/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // The pure core: findings, policy and playbooks (and the contracts they share) make no AWS call and do no I/O,
    // so a plan can be explained, tested and re-derived anywhere. read-input.ts (files, folders, stdin) is the edge
    // reader of findings; load-policy.ts disables the rule on its one file read.
    files: ['src/findings/**/*.ts', 'src/policy/**/*.ts', 'src/playbooks/**/*.ts', 'src/contracts/**/*.ts'],
    ignores: ['src/findings/read-input.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: PURE_CORE_RESTRICTED }],
    },
  },
  {
    // Findings and policy do not depend on the actions (AWS calls) nor on the layers above them.
    files: ['src/findings/**/*.ts', 'src/policy/**/*.ts', 'src/contracts/**/*.ts'],
    ignores: ['src/findings/read-input.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...PURE_CORE_RESTRICTED,
            { group: ['**/actions/*'], message: 'findings and policy know actions only through the playbook list' },
          ],
        },
      ],
    },
  },
  {
    // Actions are the capabilities playbooks compose: they know nothing of playbooks, policy or the engine.
    // registry.ts is the one exception: it registers the actions the playbooks run.
    files: ['src/actions/**/*.ts'],
    ignores: ['src/actions/registry.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/playbooks/*', '**/policy/*', '**/engine/*', '**/cli/*', '**/lambda/*', '**/drill/*'], message: 'actions do not depend on the layers that use them' },
          ],
        },
      ],
    },
  },
  {
    // The CLI uses the drills (drill findings, the demo); the drills never use the CLI.
    files: ['src/drill/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/cli/*'], message: 'drill must not depend on the CLI (the demo lives in src/demo)' }] }],
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
