/**
 * Reads `tourniquet.yaml`: YAML → schema → semantic checks → normalized `Policy`. Every problem is collected (not
 * just the first) and reported with its line, so one `tourniquet policy check` run shows everything to fix.
 */
import { FileTooLargeError, NotAFileError, readBoundedFile } from '../read-bounded-file.js';
import { decodeText } from '../findings/utf16-text.js';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { closestName } from '../did-you-mean.js';
import { PolicyError, describeValue } from '../errors.js';
import type { Json, SubjectKind } from '../findings/model.js';
import { typeIndex } from '../findings/type-index.js';
import type { Mode } from '../contracts/plan.js';
import { NO_PLAYBOOK, defaultPlaybookIn, type PlaybookInfo } from '../contracts/playbook-info.js';
import { SUBJECT_KINDS } from '../findings/subject-kinds.js';
import { subjectKindsOfTypes } from './type-subject-kinds.js';
import { PLAYBOOKS } from '../playbooks/playbook-list.js';
import { checkPlaybookOptions } from '../playbooks/playbook-options.js';
import { BUILT_IN_PROTECTED_PRINCIPALS, DEFAULT_GUARDRAILS, deepFreeze } from './built-in-policy.js';
import { typeMatches } from './glob.js';
import type { Policy, PolicyIssue, PolicyRule, RuleMatch, StepOverride, TagCriterion } from './policy.js';
import { PolicyFileSchema, allowedKeysAt, type PolicyFile, type RuleFile } from './policy-schema.js';
import { allowedKeysIn } from '../schema-keys.js';
import { checkAliases } from './yaml-aliases.js';
import { lineAt } from './yaml-locate.js';

/** The built-in policy (approve everything, guardrails on); re-exported so callers need one import. */
export { builtInPolicy } from './built-in-policy.js';

export interface ParsePolicyOptions {
  /** Playbooks (name, subject kinds, step ids, options) to validate rules against; default: every playbook. */
  readonly knownPlaybooks?: readonly PlaybookInfo[];
  /** Finding types used to warn about type patterns that match nothing; default: the finding-type catalogue. */
  readonly knownFindingTypes?: readonly string[];
}

type Segment = string | number;
type ZodIssue = z.ZodError['issues'][number];

/** A policy file larger than this is refused before it is parsed (a policy is a few kilobytes). */
export const MAX_POLICY_BYTES = 1024 * 1024;

/** Reads and validates a policy file. Throws PolicyError listing every problem with its line. */
export async function loadPolicy(file: string, options: ParsePolicyOptions = {}): Promise<Policy> {
  let text: string;
  try {
    text = decodeText(await readBoundedFile(file, MAX_POLICY_BYTES));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = err instanceof FileTooLargeError ? `it is ${err.message}: a policy is a few kilobytes` : err instanceof NotAFileError ? err.message : (code ?? String(err));
    throw new PolicyError(file, [{ path: '(file)', message: `cannot read the policy file (${why})` }], {
      cause: err,
    });
  }
  return parsePolicy(text, file, options);
}

/** Validates policy text. `fileName` is used in messages and recorded as the policy's source. */
export function parsePolicy(text: string, fileName: string, options: ParsePolicyOptions = {}): Policy {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: true, uniqueKeys: true });

  const yamlIssues: PolicyIssue[] = [...doc.errors, ...doc.warnings].map((e) => ({
    path: '(yaml)',
    // yaml appends "at line L, column C:" and a source excerpt; the line is reported separately.
    message: e.code === 'MULTIPLE_DOCS' ? 'a second YAML document ("---") starts here: a policy file holds one document' : (e.message.split(/ at line \d+/)[0] ?? e.message),
    line: e.linePos?.[0].line ?? lc.linePos(e.pos[0]).line,
  }));
  if (yamlIssues.length > 0) throw new PolicyError(fileName, yamlIssues);
  if (doc.contents === null) {
    throw new PolicyError(fileName, [{ path: '(root)', message: 'the policy file is empty (expected at least "version: 1")', line: 1 }]);
  }

  // Aliases are checked (and bounded) here, so the library's own count, which rejects ordinary files, is off.
  const aliasIssue = checkAliases(doc, lc);
  if (aliasIssue) throw new PolicyError(fileName, [aliasIssue]);
  const data: unknown = doc.toJS({ maxAliasCount: -1 });
  const parsed = PolicyFileSchema.safeParse(data);
  // Checked on the raw data, so they are reported along with schema errors.
  const rawIssues = [...duplicateRuleNames(data, doc, lc), ...protoKeys(data, [], doc, lc)];
  if (!parsed.success || rawIssues.length > 0) {
    const schemaIssues = parsed.success ? [] : parsed.error.issues.flatMap((i) => fromZodIssue(i, data, doc, lc));
    throw new PolicyError(fileName, sortIssues([...schemaIssues, ...rawIssues]));
  }

  const file = parsed.data;
  const ctx: CheckContext = {
    doc,
    lc,
    playbooks: options.knownPlaybooks ?? PLAYBOOKS,
    findingTypes: options.knownFindingTypes ?? typeIndex().map((t) => t.type),
    warnings: [],
    errors: [],
  };
  const defaultMode: Mode = file.defaults?.mode ?? 'approve';
  const rules = (file.rules ?? []).map((r, i) => checkRule(r, i, defaultMode, ctx));
  // Errors only the playbooks can tell (their options): reported like schema errors, every one at once.
  if (ctx.errors.length > 0) throw new PolicyError(fileName, sortIssues(ctx.errors));
  warnUnreachable(file.rules ?? [], ctx);

  return deepFreeze({
    version: 1,
    source: fileName,
    defaults: { mode: defaultMode },
    guardrails: normalizeGuardrails(file.guardrails ?? undefined),
    rules,
    warnings: sortIssues(ctx.warnings),
  });
}

interface CheckContext {
  readonly doc: Document;
  readonly lc: LineCounter;
  readonly playbooks: readonly PlaybookInfo[];
  readonly findingTypes: readonly string[];
  readonly warnings: PolicyIssue[];
  readonly errors: PolicyIssue[];
}

function normalizeGuardrails(g: NonNullable<PolicyFile['guardrails']> | undefined): Policy['guardrails'] {
  const d = DEFAULT_GUARDRAILS;
  const builtIn = BUILT_IN_PROTECTED_PRINCIPALS.map((p) => p.pattern);
  return {
    exemptTag: g?.exemptTag ? { key: g.exemptTag.key, value: g.exemptTag.value } : { ...d.exemptTag },
    // Additive: a file cannot drop the built-in protections (service-linked roles must never be contained).
    protectedPrincipals: unique([...builtIn, ...(g?.protectedPrincipals ?? [])]),
    protectedAccounts: unique(g?.protectedAccounts ?? []),
    budget: { perAccountPerHour: g?.budget?.perAccountPerHour ?? d.budget.perAccountPerHour },
    breaker: {
      findings: g?.breaker?.findings ?? d.breaker.findings,
      withinMinutes: g?.breaker?.withinMinutes ?? d.breaker.withinMinutes,
    },
    ignoreSamples: true,
    actOnArchived: g?.actOnArchived ?? d.actOnArchived,
  };
}

function checkRule(r: RuleFile, index: number, defaultMode: Mode, ctx: CheckContext): PolicyRule {
  const base: Segment[] = ['rules', index];
  const warn = (path: Segment[], message: string, key = false): void => {
    ctx.warnings.push({ path: formatPath(path), message, line: lineAt(ctx.doc, ctx.lc, path, { key }) });
  };
  const mode = r.mode ?? defaultMode;
  const m = r.match ?? {};
  const match: RuleMatch = {
    ...(m.type ? { type: m.type } : {}),
    ...(m.severity ? { severity: m.severity } : {}),
    ...(m.subject ? { subject: m.subject as SubjectKind[] } : {}),
    ai: m.ai ?? 'any',
    tags: tagList(m.tags),
    notTags: tagList(m.notTags),
    ...(m.accounts ? { accounts: m.accounts } : {}),
    ...(m.regions ? { regions: m.regions } : {}),
    ...(m.resourceRole ? { resourceRole: m.resourceRole } : {}),
  };

  // Type patterns that match no known type are most likely typos (`CryptoCurreny:EC2/*`).
  (m.type ?? []).forEach((pattern, i) => {
    if (!ctx.findingTypes.some((t) => typeMatches(pattern, t))) {
      warn(
        [...base, 'match', 'type', i],
        `type pattern ${JSON.stringify(pattern)} matches no known GuardDuty finding type (a typo? prefixes must end in "/" or ":")`,
      );
    }
  });

  // Which playbooks can this rule run? Used to validate step ids and to flag rules that can never act.
  const kinds: readonly SubjectKind[] = (m.subject as SubjectKind[] | undefined) ?? (m.type !== undefined ? subjectKindsOfTypes(m.type) : SUBJECT_KINDS);
  let playbooks: string[];
  if (r.playbook !== undefined) {
    const info = ctx.playbooks.find((p) => p.name === r.playbook);
    if (!info) {
      // An error, not a warning: the rule would record only, so a typo would leave what it matches uncontained.
      const names = ctx.playbooks.map((p) => p.name);
      const hint = closestName(r.playbook, names);
      const at = [...base, 'playbook'];
      ctx.errors.push({ path: formatPath(at), message: `unknown playbook ${JSON.stringify(r.playbook)}${hint !== undefined ? ` (did you mean "${hint}"?)` : ''}; known: ${names.join(', ')}`, ...lineOrNothing(lineAt(ctx.doc, ctx.lc, at)) });
    } else if (m.subject) {
      const foreign = kinds.filter((k) => !info.subjectKinds.includes(k));
      if (foreign.length > 0) {
        warn(
          [...base, 'playbook'],
          `playbook ${r.playbook} handles ${info.subjectKinds.join(', ')} subjects only; this rule never applies to ${foreign.join(', ')}`,
        );
      }
    }
    playbooks = [r.playbook];
  } else {
    playbooks = unique(kinds.map((k) => defaultPlaybookIn(ctx.playbooks, k)));
  }
  const options = r.options !== undefined ? checkRuleOptions(r.options, r.playbook, playbooks, base, ctx) : undefined;
  const stepIds = new Set(playbooks.flatMap((p) => ctx.playbooks.find((x) => x.name === p)?.stepIds ?? []));
  const anyUnknownPlaybook = playbooks.some((p) => !ctx.playbooks.some((x) => x.name === p));

  const steps: Record<string, StepOverride> = {};
  for (const [id, override] of Object.entries(r.steps ?? {})) {
    steps[id] = override;
    if (!anyUnknownPlaybook && !stepIds.has(id)) {
      warn(
        [...base, 'steps', id],
        stepIds.size === 0
          ? `step ${JSON.stringify(id)}: playbook ${playbooks.join(', ')} has no steps to override`
          : `unknown step id ${JSON.stringify(id)} for playbook ${playbooks.join(', ')} (known: ${[...stepIds].join(', ')})`,
        true,
      );
    }
    if (override === 'auto-approve' && mode !== 'contain') {
      warn([...base, 'steps', id], `auto-approve has an effect only in contain mode; this rule's mode is ${mode}`);
    }
  }

  if (mode === 'contain') {
    if (playbooks.every((p) => p === 'none')) {
      warn([...base, 'mode'], 'mode contain has no effect here: the playbook is "none" (record and notify only)');
    } else if (!m.type) {
      warn(
        [...base, 'mode'],
        'contain without a "type" criterion: every finding on the matched subjects is contained automatically, and attackers can raise findings on purpose',
      );
    }
  }

  return {
    name: r.name,
    ...(r.description !== undefined ? { description: r.description } : {}),
    ...(lineOrNothing(lineAt(ctx.doc, ctx.lc, base))),
    match,
    ...(r.playbook !== undefined ? { playbook: r.playbook } : {}),
    mode,
    steps,
    ...(options !== undefined ? { options } : {}),
  };
}

/**
 * A rule's `options:`, checked against the options schema of the one playbook the rule runs (the one it names, or
 * the one its subject kinds default to). Problems are errors with the file's lines.
 */
function checkRuleOptions(
  raw: Readonly<Record<string, unknown>>,
  named: string | undefined,
  candidates: readonly string[],
  base: Segment[],
  ctx: CheckContext,
): PolicyRule['options'] {
  const at: Segment[] = [...base, 'options'];
  // Subject kinds without a playbook of their own get `none`, and playbooks without options (root-user …) take none:
  // options are meant for the one playbook that has some.
  const takesOptions = (name: string): boolean => {
    const p = ctx.playbooks.find((x) => x.name === name);
    return name !== NO_PLAYBOOK && (p === undefined || allowedKeysIn(p.options, []).length > 0);
  };
  const withOptions = candidates.filter(takesOptions);
  const runs =
    named !== undefined ? [named] : candidates.length <= 1 ? candidates : withOptions.length > 0 ? withOptions : candidates.filter((p) => p !== NO_PLAYBOOK);
  if (runs.length !== 1) {
    ctx.errors.push({
      path: formatPath(at),
      message: `options belong to one playbook, and this rule can run ${runs.join(', ')}: name it with "playbook:" (or narrow "match.subject")`,
      ...lineOrNothing(lineAt(ctx.doc, ctx.lc, at, { key: true })),
    });
    return undefined;
  }
  const name = runs[0]!;
  const playbook = ctx.playbooks.find((p) => p.name === name);
  if (playbook === undefined) {
    // An unknown playbook is already a warning: its options cannot be checked here.
    ctx.warnings.push({ path: formatPath(at), message: `options of unknown playbook ${JSON.stringify(name)} are not checked`, ...lineOrNothing(lineAt(ctx.doc, ctx.lc, at, { key: true })) });
    return { playbook: name, values: raw as Record<string, Json> };
  }
  if (name === NO_PLAYBOOK && Object.keys(raw).length > 0) {
    ctx.errors.push({
      path: formatPath(at),
      message: `the rule's playbook is ${NO_PLAYBOOK} (record and notify only), which takes no options`,
      ...lineOrNothing(lineAt(ctx.doc, ctx.lc, at, { key: true })),
    });
    return undefined;
  }
  const check = checkPlaybookOptions(playbook, raw);
  if (check.ok) return { playbook: name, values: check.options };
  for (const issue of check.issues) {
    const path = [...at, ...issue.path];
    const line = issue.key !== undefined ? lineAt(ctx.doc, ctx.lc, [...path, issue.key], { key: true }) : lineAt(ctx.doc, ctx.lc, path);
    ctx.errors.push({ path: formatPath(path), message: issue.message, ...lineOrNothing(line) });
  }
  return undefined;
}

/** Rule names identify rules in decisions: they must be unique. Works on the raw data (before the schema). */
function duplicateRuleNames(data: unknown, doc: Document, lc: LineCounter): PolicyIssue[] {
  const rules = data !== null && typeof data === 'object' && Object.hasOwn(data, 'rules') ? (data as { rules: unknown }).rules : undefined;
  if (!Array.isArray(rules)) return [];
  const seen = new Map<string, number>();
  const issues: PolicyIssue[] = [];
  rules.forEach((r: unknown, i) => {
    const name = r !== null && typeof r === 'object' && Object.hasOwn(r, 'name') ? (r as { name: unknown }).name : undefined;
    if (typeof name !== 'string') return;
    const first = seen.get(name);
    if (first === undefined) {
      seen.set(name, i);
      return;
    }
    const path: Segment[] = ['rules', i, 'name'];
    issues.push({
      path: formatPath(path),
      message: `duplicate rule name ${JSON.stringify(name)} (also rules[${first}]); names identify rules in decisions`,
      ...lineOrNothing(lineAt(doc, lc, path)),
    });
  });
  return issues;
}

/**
 * yaml keeps a `__proto__` key as an own property, but zod records drop it silently (and a plain object would set
 * its prototype): reject it wherever it appears.
 */
function protoKeys(data: unknown, path: Segment[], doc: Document, lc: LineCounter): PolicyIssue[] {
  if (data === null || typeof data !== 'object') return [];
  if (Array.isArray(data)) return data.flatMap((v, i) => protoKeys(v, [...path, i], doc, lc));
  return Object.keys(data).flatMap((k) => {
    const here = [...path, k];
    if (k === '__proto__') {
      return [{ path: formatPath(here), message: 'unsupported key "__proto__"', ...lineOrNothing(lineAt(doc, lc, here, { key: true })) }];
    }
    return protoKeys((data as Record<string, unknown>)[k], here, doc, lc);
  });
}

/** Rules after a rule that matches everything can never fire (the first match wins). */
function warnUnreachable(rules: readonly RuleFile[], ctx: CheckContext): void {
  let catchAll: { name: string; index: number } | undefined;
  rules.forEach((r, i) => {
    if (catchAll) {
      ctx.warnings.push({
        path: formatPath(['rules', i]),
        message: `rule ${JSON.stringify(r.name)} is never reached: rule ${JSON.stringify(catchAll.name)} (rules[${catchAll.index}]) matches everything and the first matching rule wins`,
        ...lineOrNothing(lineAt(ctx.doc, ctx.lc, ['rules', i])),
      });
    } else if (isCatchAll(r)) {
      catchAll = { name: r.name, index: i };
    }
  });
}

function isCatchAll(r: RuleFile): boolean {
  const m = r.match;
  if (!m) return true;
  return (
    m.type === undefined &&
    m.severity === undefined &&
    m.subject === undefined &&
    (m.ai === undefined || m.ai === 'any') &&
    (m.tags === undefined || Object.keys(m.tags).length === 0) &&
    (m.notTags === undefined || Object.keys(m.notTags).length === 0) &&
    m.accounts === undefined &&
    m.regions === undefined &&
    m.resourceRole === undefined
  );
}

function tagList(map: Readonly<Record<string, string>> | undefined): TagCriterion[] {
  return Object.entries(map ?? {}).map(([key, value]) => ({ key, value }));
}

function fromZodIssue(issue: ZodIssue, data: unknown, doc: Document, lc: LineCounter): PolicyIssue[] {
  const path = issue.path.filter((s): s is Segment => typeof s === 'string' || typeof s === 'number');
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeysAt(path);
    return issue.keys.map((key) => {
      const hint = closestName(key, allowed);
      return {
        path: formatPath([...path, key]),
        message:
          `unknown key ${JSON.stringify(key)}` +
          (hint ? ` (did you mean "${hint}"?)` : '') +
          (allowed.length > 0 ? `; allowed here: ${allowed.join(', ')}` : ''),
        ...lineOrNothing(lineAt(doc, lc, [...path, key], { key: true })),
      };
    });
  }
  if (issue.code === 'invalid_key') {
    const key = path[path.length - 1];
    return [
      {
        path: formatPath(path),
        message: `${issue.issues[0]?.message ?? issue.message}, received key ${describeValue(key)}`,
        ...lineOrNothing(lineAt(doc, lc, path, { key: true })),
      },
    ];
  }
  const line = lineAt(doc, lc, path);
  if (issue.code === 'custom') return [{ path: formatPath(path), message: issue.message, ...lineOrNothing(line) }];
  const value = valueAt(data, path);
  const message =
    // zod ends its own message with the type received ("…, received number"): the value shown says it better.
    value === undefined ? `missing: ${issue.message}` : `${issue.message.replace(/, received [a-z]+$/, '')}, received ${describeValue(value)}`;
  return [{ path: formatPath(path), message, ...lineOrNothing(line) }];
}

function valueAt(data: unknown, path: readonly Segment[]): unknown {
  let v = data;
  for (const seg of path) {
    if (Array.isArray(v) && typeof seg === 'number') v = v[seg];
    else if (typeof v === 'string' && seg === 0) return v; // a scalar read as a list of one
    else if (v !== null && typeof v === 'object' && Object.hasOwn(v, seg)) v = (v as Record<string, unknown>)[seg];
    else return undefined;
  }
  return v;
}

/** `rules[0].match.type[1]` */
export function formatPath(path: readonly Segment[]): string {
  let s = '';
  for (const seg of path) s += typeof seg === 'number' ? `[${seg}]` : s === '' ? seg : `.${seg}`;
  return s === '' ? '(root)' : s;
}

function sortIssues(issues: PolicyIssue[]): PolicyIssue[] {
  return [...issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

function lineOrNothing(line: number | undefined): { line?: number } {
  return line === undefined ? {} : { line };
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}
