/**
 * Error codes are one typed list (`ERROR_CODES` in src/errors.ts): no duplicates, every code raised somewhere,
 * docs/errors.md documents exactly the codes of the list, and marks exactly the CLI's bad-input codes as exit 2.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BAD_INPUT_CODES } from '../../src/cli/exit-codes.js';
import { PlanGraphError } from '../../src/engine/step-graph.js';
import {
  AwsCallError,
  ConflictError,
  ERROR_CODES,
  EnvironmentError,
  ExportLinesFailedError,
  FindingParseError,
  IncidentUnfinishedError,
  NotFoundError,
  PlanError,
  PolicyError,
  StepError,
  TourniquetError,
  UnreadableMessageError,
  UsageError,
  VerificationError,
  type ErrorCode,
} from '../../src/errors.js';
import { ApprovalLinkError } from '../../src/notify/approval-link.js';
import { PlaybookOptionsError } from '../../src/playbooks/playbook-options.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

async function tsFiles(dir: string): Promise<string[]> {
  const entries = await readdir(join(root, dir), { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name));
}

/** The rows of the docs table: code and the rest of its row. */
async function documentedRows(): Promise<Array<{ code: string; row: string }>> {
  const doc = await readFile(join(root, 'docs/errors.md'), 'utf8');
  return [...doc.matchAll(/^\| `([^`]+)` \|(.*)$/gm)].map((m) => ({ code: m[1]!, row: m[2]! }));
}

describe('ERROR_CODES', () => {
  it('holds each code once', () => {
    const seen = new Set<string>();
    const twice = ERROR_CODES.filter((c) => seen.size === seen.add(c).size);
    expect(twice).toEqual([]);
    expect(ERROR_CODES.length).toBeGreaterThan(40);
  });

  it('holds only codes that some code raises', async () => {
    const files = [...(await tsFiles('src')), ...(await tsFiles('infra'))];
    let source = '';
    for (const f of files) {
      const text = await readFile(f, 'utf8');
      // The list itself does not count as raising a code.
      source += f.endsWith(join('src', 'errors.ts')) ? text.replace(/export const ERROR_CODES = \[[\s\S]*?\] as const;/, '') : text;
    }
    expect(ERROR_CODES.filter((c) => !source.includes(`'${c}'`))).toEqual([]);
  });

  it('types TourniquetError.code: a code outside the list does not compile', () => {
    // @ts-expect-error 'no.such-code' is not an ErrorCode (checked by tsc, which covers the tests).
    const err = new TourniquetError('no.such-code', 'x');
    const code: ErrorCode = new TourniquetError('usage', 'x').code;
    expect(code).toBe('usage');
    expect(ERROR_CODES).not.toContain(err.code);
  });

  it('gives each error class the code its type declares', () => {
    // Each left-hand type is the class's declared `code` (tsc rejects a mismatch); the value is what it raises.
    const src = { name: 'f.json' };
    const codes: Array<[ErrorCode, ErrorCode]> = [
      [new FindingParseError(src, '$', 'x', 'y').code satisfies 'finding.invalid', 'finding.invalid'],
      [new PolicyError('p.yaml', []).code satisfies 'policy.invalid', 'policy.invalid'],
      [new UsageError('x').code satisfies 'usage', 'usage'],
      [new AwsCallError('ec2', 'X', 'E', false, 'x').code satisfies 'aws.call', 'aws.call'],
      [new StepError('s', 'x').code satisfies 'step.failed', 'step.failed'],
      [new VerificationError('s', 'x').code satisfies 'step.failed', 'step.failed'],
      [new PlanError('p', 'x').code satisfies 'plan.invalid', 'plan.invalid'],
      [new PlanGraphError('x').code satisfies 'plan.invalid', 'plan.invalid'],
      [new ConflictError('x').code satisfies 'conflict', 'conflict'],
      [new NotFoundError('incident', 'i').code satisfies 'not-found', 'not-found'],
      [new IncidentUnfinishedError([]).code satisfies 'incident.unfinished', 'incident.unfinished'],
      [new EnvironmentError('x').code satisfies 'environment', 'environment'],
      [new UnreadableMessageError(src, '$', 'x', 'y').code satisfies 'message.unreadable', 'message.unreadable'],
      [new ExportLinesFailedError([], 0).code satisfies 'export.lines-failed', 'export.lines-failed'],
      [new ApprovalLinkError('x').code satisfies 'approval.invalid', 'approval.invalid'],
      [new PlaybookOptionsError('--playbook-options', []).code satisfies 'playbook.options', 'playbook.options'],
    ];
    for (const [raised, declared] of codes) expect(raised).toBe(declared);
  });
});

describe('docs/errors.md', () => {
  it('documents every code of the list, each once, and no other', async () => {
    const documented = (await documentedRows()).map((r) => r.code);
    expect([...documented].sort()).toEqual([...ERROR_CODES].sort());
  });

  it('marks exactly the CLI bad-input codes as exit 2', async () => {
    const exit2 = (await documentedRows()).filter((r) => r.row.includes('(exit 2)')).map((r) => r.code);
    expect(exit2.sort()).toEqual([...BAD_INPUT_CODES].sort());
  });
});
