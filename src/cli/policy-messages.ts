/** Policy problems as `file:line: path: message`, the form editors and CI annotate; shared by every command. */
import { builtInPolicy, loadPolicy } from '../policy/load-policy.js';
import type { Policy, PolicyIssue } from '../policy/policy.js';
import { stripControlCharacters } from '../safe-text.js';

export function formatPolicyIssue(file: string, issue: PolicyIssue, prefix = ''): string {
  return stripControlCharacters(`${prefix}${file}${issue.line !== undefined ? `:${issue.line}` : ''}: ${issue.path}: ${issue.message}`);
}

/** Warnings (e.g. an unknown step id) go to stderr, so `plan` and `respond` show them as `policy check` does. */
export function printPolicyWarnings(file: string, warnings: readonly PolicyIssue[]): void {
  for (const w of warnings) process.stderr.write(`${formatPolicyIssue(file, w, 'warning: ')}\n`);
}

/** The policy of an engine command (`--policy`, else the built-in one), its warnings printed. */
export async function loadRuntimePolicy(file: string | undefined): Promise<Policy> {
  if (file === undefined || file === '') return builtInPolicy();
  const policy = await loadPolicy(file);
  printPolicyWarnings(file, policy.warnings);
  return policy;
}
