/**
 * Playbook options, validated once against each playbook's own schema wherever they come from: a policy rule's
 * `options:` (with line numbers), the CLI (`--playbook-options` and the flags that map onto it), the Lambda
 * environment (`TOURNIQUET_PLAYBOOK_OPTIONS` and the managed blocklist) and the Pulumi config
 * (`tourniquet:playbookOptions`). Every edge reports a problem the same way: the path in the options, what was
 * expected and what was received, or the unknown key with the allowed ones.
 */
import type { z } from 'zod';
import type { PlaybookInfo } from '../contracts/playbook-info.js';
import { closestName } from '../did-you-mean.js';
import { TourniquetError, describeValue } from '../errors.js';
import type { Json } from '../findings/model.js';
import { allowedKeysIn } from '../schema-keys.js';

/** Options per playbook name (`{ "ec2-instance": { isolationSettleSeconds: 5 } }`). */
export type PlaybookOptions = { readonly [playbook: string]: { readonly [key: string]: unknown } | undefined };

/**
 * The responder's playbook options: per name, or a function of the (loaded) playbook, for options that depend on its
 * schema (the Lambda's invocation-logging destination goes to every playbook that takes it).
 */
export type PlaybookOptionsSource = PlaybookOptions | ((playbook: PlaybookInfo) => { readonly [key: string]: unknown } | undefined);

export type OptionPath = ReadonlyArray<string | number>;

/** One problem: `path` inside the value checked; `message` says what was expected and received, or which key is unknown. */
export interface OptionIssue {
  readonly path: OptionPath;
  readonly message: string;
  /** For an unknown key: the key (its line is the key's, the path the object's). */
  readonly key?: string;
}

export type OptionsCheck = { readonly ok: true; readonly options: { readonly [key: string]: Json } } | { readonly ok: false; readonly issues: readonly OptionIssue[] };

/** Checks one playbook's options against its schema. */
export function checkPlaybookOptions(playbook: PlaybookInfo, value: unknown): OptionsCheck {
  const result = playbook.options.safeParse(value);
  if (result.success) return { ok: true, options: result.data as { readonly [key: string]: Json } };
  return { ok: false, issues: result.error.issues.flatMap((i) => optionIssues(playbook.options, value, i)) };
}

function optionIssues(schema: z.ZodType, value: unknown, issue: z.core.$ZodIssue): OptionIssue[] {
  const path = issue.path.filter((s): s is string | number => typeof s === 'string' || typeof s === 'number');
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeysIn(schema, path);
    return issue.keys.map((key) => {
      const hint = closestName(key, allowed);
      return {
        path,
        key,
        message: `unknown key ${JSON.stringify(key)}${hint !== undefined ? ` (did you mean "${hint}"?)` : ''}; allowed: ${allowed.length > 0 ? allowed.join(', ') : 'none (this playbook has no options)'}`,
      };
    });
  }
  const received = valueAt(value, path);
  // The schemas' own messages name what is expected ("a number of seconds from 0 to 600"); zod's type errors do not.
  const zodDefault = issue.code === 'invalid_type' && issue.message.startsWith('Invalid input');
  const expected = zodDefault ? (issue.expected === 'object' ? 'a mapping' : issue.expected) : issue.message;
  return [{ path, message: received === undefined ? `missing: expected ${expected}` : `expected ${expected}, received ${describeValue(received)}` }];
}

function valueAt(value: unknown, path: OptionPath): unknown {
  let v = value;
  for (const seg of path) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, seg)) return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

/** `isolationSettleSeconds`, `blocklist.bucket`, `[0]` */
export function formatOptionPath(path: OptionPath): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/** Invalid playbook options from an edge: every problem, each as `<where>: <path>: <message>`. */
export class PlaybookOptionsError extends TourniquetError {
  override readonly name = 'PlaybookOptionsError';
  declare readonly code: 'playbook.options';
  constructor(
    /** Where the options came from: `--playbook-options`, `TOURNIQUET_PLAYBOOK_OPTIONS`, `tourniquet:playbookOptions`. */
    readonly source: string,
    readonly issues: ReadonlyArray<{ readonly path: string; readonly message: string }>,
  ) {
    super('playbook.options', `${source}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  }
}

/** The problems of an options map (playbook name → options), each with its path from the map's root. */
export function playbookOptionsIssues(value: unknown, playbooks: readonly PlaybookInfo[]): Array<{ path: string; message: string }> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return [{ path: '(options)', message: `expected a mapping of playbook name to its options, received ${describeValue(value)}` }];
  }
  const names = playbooks.map((p) => p.name);
  return Object.entries(value).flatMap(([name, options]) => {
    const playbook = playbooks.find((p) => p.name === name);
    if (playbook === undefined) {
      const hint = closestName(name, names);
      return [{ path: name, message: `unknown playbook ${JSON.stringify(name)}${hint !== undefined ? ` (did you mean "${hint}"?)` : ''}; known: ${names.join(', ')}` }];
    }
    const check = checkPlaybookOptions(playbook, options);
    if (check.ok) return [];
    return check.issues.map((i) => ({ path: [name, formatOptionPath(i.path)].filter((s) => s !== '').join('.'), message: i.message }));
  });
}

/** Validates an options map from one edge; PlaybookOptionsError naming `source` and every problem. */
export function parsePlaybookOptions(value: unknown, source: string, playbooks: readonly PlaybookInfo[]): PlaybookOptions {
  const issues = playbookOptionsIssues(value, playbooks);
  if (issues.length > 0) throw new PlaybookOptionsError(source, issues);
  const parsed: Record<string, { readonly [key: string]: Json }> = {};
  for (const [name, options] of Object.entries(value as Record<string, unknown>)) {
    const check = checkPlaybookOptions(playbooks.find((p) => p.name === name)!, options);
    if (check.ok) parsed[name] = check.options;
  }
  return parsed;
}

/**
 * The options a plan is built with: the responder's (CLI, Lambda environment, Pulumi config), with the rule's
 * `options:` over them key by key.
 */
export function mergePlaybookOptions(
  responder: { readonly [key: string]: unknown } | undefined,
  rule: { readonly [key: string]: unknown } | undefined,
): { readonly [key: string]: unknown } {
  return { ...(responder ?? {}), ...(rule ?? {}) };
}
