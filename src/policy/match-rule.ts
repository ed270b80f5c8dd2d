/**
 * Routing: which rule of the policy applies to one subject of one finding. The first matching rule wins; when none
 * matches, `defaults.mode` applies with the playbook of the subject's kind. Every decision says why — which rule
 * matched and, for each earlier rule, which criteria failed — because "why did/didn't it fire" is the first
 * question after an incident.
 */
import type { Finding, Json, Subject } from '../findings/model.js';
import type { Mode } from '../contracts/plan.js';
import { defaultPlaybookIn, type PlaybookKinds } from '../contracts/playbook-info.js';
import { PLAYBOOK_CATALOG } from '../playbooks/playbook-catalog.js';
import { globMatch, typeMatches } from './glob.js';
import type { Policy, PolicyRule, StepOverride, TagCriterion } from './policy.js';

export interface RuleSelection {
  /** The matching rule; absent when the defaults applied. */
  readonly rule?: PolicyRule;
  readonly playbook: string;
  /** The mode the rule (or defaults) asks for, before guardrails. */
  readonly mode: Mode;
  readonly stepOverrides: Readonly<Record<string, StepOverride>>;
  /** The rule's playbook options, when it has some for the selected playbook. */
  readonly options?: Readonly<Record<string, Json>>;
  readonly why: readonly string[];
}

export interface RuleEvaluation {
  readonly matched: boolean;
  /** When matched: the criteria that held. Otherwise: every criterion that failed. */
  readonly reasons: readonly string[];
}

export function selectRule(
  policy: Policy,
  finding: Finding,
  subject: Subject,
  playbooks: readonly PlaybookKinds[] = PLAYBOOK_CATALOG,
): RuleSelection {
  const why: string[] = [];
  for (const [index, rule] of policy.rules.entries()) {
    const evaluation = evaluateRule(rule, finding, subject, playbooks);
    if (!evaluation.matched) {
      why.push(`${ruleLabel(rule)}: no match: ${evaluation.reasons.join('; ')}`);
      continue;
    }
    const playbook = rule.playbook ?? defaultPlaybookIn(playbooks, subject.kind);
    const later = policy.rules.length - index - 1;
    why.push(`${ruleLabel(rule)}: matched: ${evaluation.reasons.join('; ')}`);
    why.push(
      `→ playbook ${playbook}, mode ${rule.mode}` +
        (later > 0 ? ` (first match wins; ${later} later rule(s) not evaluated)` : ''),
    );
    const options = rule.options !== undefined && rule.options.playbook === playbook ? { options: rule.options.values } : {};
    return { rule, playbook, mode: rule.mode, stepOverrides: { ...rule.steps }, ...options, why };
  }
  const playbook = defaultPlaybookIn(playbooks, subject.kind);
  why.push(
    `${policy.rules.length === 0 ? 'no rules' : 'no rule matched'} → defaults: mode ${policy.defaults.mode}, ` +
      (playbook === 'none'
        ? `playbook none (no playbook for subject kind ${subject.kind} yet: record and notify only)`
        : `playbook ${playbook} for subject kind ${subject.kind}`),
  );
  return { playbook, mode: policy.defaults.mode, stepOverrides: {}, why };
}

export function ruleLabel(rule: PolicyRule): string {
  return `rule ${JSON.stringify(rule.name)}${rule.line !== undefined ? ` (line ${rule.line})` : ''}`;
}

/** Evaluates every criterion of one rule (not only the first failing one), for explanations. */
export function evaluateRule(
  rule: PolicyRule,
  finding: Finding,
  subject: Subject,
  playbooks: readonly PlaybookKinds[] = PLAYBOOK_CATALOG,
): RuleEvaluation {
  const m = rule.match;
  const pass: string[] = [];
  const fail: string[] = [];
  const check = (ok: boolean, yes: string, no: string): void => {
    (ok ? pass : fail).push(ok ? yes : no);
  };

  if (m.subject) {
    check(
      m.subject.includes(subject.kind),
      `subject kind ${subject.kind}`,
      `subject kind ${subject.kind} is not one of ${m.subject.join(', ')}`,
    );
  }
  if (m.type) {
    const hit = m.type.find((p) => typeMatches(p, finding.type.raw));
    check(
      hit !== undefined,
      `type ${q(finding.type.raw)} matches ${q(hit ?? '')}`,
      `type ${q(finding.type.raw)} matches none of ${m.type.map(q).join(', ')}`,
    );
  }
  if (m.severity) {
    const s = m.severity;
    const sev = finding.severity;
    if (s.min !== undefined) check(sev >= s.min, `severity ${sev} ≥ ${s.min}`, `severity ${sev} is below min ${s.min}`);
    if (s.max !== undefined) check(sev <= s.max, `severity ${sev} ≤ ${s.max}`, `severity ${sev} is above max ${s.max}`);
    if (s.band) {
      check(
        s.band.includes(finding.band),
        `severity band ${finding.band}`,
        `severity band ${finding.band} is not one of ${s.band.join(', ')}`,
      );
    }
  }
  if (m.ai !== 'any') {
    const reasons = subject.ai.reasons.map((r) => `${r.code}: ${r.detail}`).join(', ');
    if (m.ai) {
      check(subject.ai.isAi, `AI workload (${reasons})`, 'subject is not an AI workload (rule requires ai: true)');
    } else {
      check(!subject.ai.isAi, 'not an AI workload', `subject is an AI workload (${reasons}); rule requires ai: false`);
    }
  }
  if (m.accounts) {
    const hit = m.accounts.find((p) => globMatch(p, subject.accountId));
    check(
      hit !== undefined,
      `account ${subject.accountId} matches ${q(hit ?? '')}`,
      `account ${subject.accountId} matches none of ${m.accounts.map(q).join(', ')}`,
    );
  }
  if (m.regions) {
    const hit = m.regions.find((p) => globMatch(p, subject.region));
    check(
      hit !== undefined,
      `region ${subject.region} matches ${q(hit ?? '')}`,
      `region ${q(subject.region)} matches none of ${m.regions.map(q).join(', ')}`,
    );
  }
  if (m.resourceRole) {
    const role = (subject.role ?? 'TARGET').toUpperCase();
    check(
      (m.resourceRole as readonly string[]).includes(role),
      `resource role ${role}`,
      `resource role ${q(role)} is not one of ${m.resourceRole.join(', ')}`,
    );
  }
  for (const t of m.tags) {
    const values = tagValues(subject, t.key);
    const hit = values.find((v) => globMatch(t.value, v));
    if (hit !== undefined) pass.push(`tag ${q(t.key)}=${q(hit)} matches ${q(t.value)}`);
    else if (values.length === 0) fail.push(`tag ${q(t.key)} is absent`);
    else fail.push(`tag ${q(t.key)}=${q(values[0]!)} does not match ${q(t.value)}`);
  }
  for (const t of m.notTags) {
    const hit = excludedTag(subject, t);
    check(
      hit === undefined,
      `no tag ${q(t.key)} matching ${q(t.value)}`,
      `tag ${q(t.key)}=${q(hit ?? '')} matches excluded ${q(t.value)}`,
    );
  }
  if (rule.playbook !== undefined) {
    const handles = playbooks.find((p) => p.name === rule.playbook)?.subjectKinds;
    if (handles) {
      check(
        handles.includes(subject.kind),
        `playbook ${rule.playbook} handles ${subject.kind}`,
        `playbook ${rule.playbook} does not handle subject kind ${subject.kind}`,
      );
    }
  }
  if (fail.length > 0) return { matched: false, reasons: fail };
  return { matched: true, reasons: pass.length > 0 ? pass : ['the rule has no criteria (matches everything)'] };
}

function tagValues(subject: Subject, key: string): string[] {
  return subject.tags.filter((t) => t.key === key).map((t) => t.value);
}

function excludedTag(subject: Subject, t: TagCriterion): string | undefined {
  return tagValues(subject, t.key).find((v) => globMatch(t.value, v));
}

/** Quotes a value that may come from an attacker (tags, types): JSON-escaped and cut. */
function q(s: string): string {
  const cut = s.length > 120 ? `${s.slice(0, 120)}…` : s;
  return JSON.stringify(cut);
}
