import type { Command } from 'commander';
import { PolicyError } from '../../errors.js';
import { builtInPolicy, loadPolicy } from '../../policy/load-policy.js';
import { policyToYaml } from '../../policy/policy-to-yaml.js';
import { EXIT_BAD_INPUT } from '../exit-codes.js';
import { formatPolicyIssue as formatIssue } from '../policy-messages.js';
import type { ReportExit } from './index.js';

function printPolicyError(err: PolicyError): void {
  for (const issue of err.issues) process.stderr.write(`${formatIssue(err.file, issue, 'error: ')}\n`);
  process.stderr.write(`${err.file}: ${err.issues.length} error(s)\n`);
}

/** `tourniquet policy check <file>` and `tourniquet policy show [file]`. Exit 2 when the file is invalid. */
export function registerPolicyCommand(program: Command, exit: ReportExit): void {
  const policy = program.command('policy').description('validate or print a policy file (tourniquet.yaml)');

  policy
    .command('check')
    .description('validate a policy file: every error with its line number')
    .argument('<file>', 'policy file')
    .action(async (file: string) => {
      try {
        const p = await loadPolicy(file);
        for (const w of p.warnings) process.stderr.write(`${formatIssue(file, w, 'warning: ')}\n`);
        console.log(`ok: ${p.rules.length} rule(s)${p.warnings.length > 0 ? `, ${p.warnings.length} warning(s)` : ''}`);
        exit(0);
      } catch (err) {
        if (!(err instanceof PolicyError)) throw err;
        printPolicyError(err);
        exit(EXIT_BAD_INPUT);
      }
    });

  policy
    .command('show')
    .description('print the effective policy as YAML, defaults filled in (the built-in policy when no file is given)')
    .argument('[file]', 'policy file')
    .action(async (file: string | undefined) => {
      try {
        const p = file === undefined ? builtInPolicy() : await loadPolicy(file);
        for (const w of p.warnings) process.stderr.write(`${formatIssue(p.source, w, 'warning: ')}\n`);
        process.stdout.write(policyToYaml(p));
        exit(0);
      } catch (err) {
        if (!(err instanceof PolicyError)) throw err;
        printPolicyError(err);
        exit(EXIT_BAD_INPUT);
      }
    });
}
