/** Moved to test/support/run-cli.ts (kept so existing imports keep working). */
export { runCli, type CliRun } from '../../support/run-cli.js';
