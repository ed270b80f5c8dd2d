/**
 * Guardrails (contract): sample findings never mutate; the exemption tag is honoured; the responder's own role,
 * service-linked roles and protected principals/accounts are never contained; a per-account budget and a breaker
 * (a storm of findings of one type) fall back to `approve` and notify a human. Guardrails can only LOWER the mode
 * the rule asked for (observe < approve < contain), never raise it.
 *
 * Pure: the engine reads the budget and breaker counts from the journal and passes them in. The intended flow:
 * call once without counts (`undefined`); when the result has `countsPending` (the decision would contain and a
 * count is missing), count in the journal and call again with the counts. A decision with `countsPending` is not
 * final: the engine must not run contain steps on it.
 */
import type { Finding, Subject } from '../findings/model.js';
import type { Mode } from '../contracts/plan.js';
import { BUILT_IN_PROTECTED_PRINCIPALS } from './built-in-policy.js';
import { globMatch } from './glob.js';
import type { RuleSelection } from './match-rule.js';
import { lowerMode, modeRank } from './mode-order.js';
import type { Policy } from './policy.js';
import { findPrincipalMatch, subjectPrincipals, type PrincipalCandidate } from './principals.js';

export type GuardrailName =
  | 'sample'
  | 'archived'
  | 'exempt-tag'
  | 'protected-principal'
  | 'protected-account'
  | 'budget'
  | 'breaker'
  | 'responder-self';

/** pass: no objection. downgrade: at most `approve`. block: at most `observe` (nothing mutates). */
export type GuardrailOutcome = 'pass' | 'downgrade' | 'block';

export interface GuardrailVerdict {
  readonly guardrail: GuardrailName;
  readonly outcome: GuardrailOutcome;
  readonly reason: string;
}

export interface GuardrailInput {
  readonly finding: Finding;
  readonly subject: Subject;
  readonly selection: Pick<RuleSelection, 'mode' | 'rule'>;
  readonly policy: Policy;
  /** The responder's own principal(s): role ARNs or the STS caller ARN (`…:assumed-role/Role/session`). */
  readonly responderPrincipalArns: readonly string[];
  /**
   * The per-account hourly containment budget. `used`: containments counted in the subject's account this hour.
   * `allowed`: the journal's verdict when it atomically took a unit (wins over `used`); without it, the budget is
   * exhausted when `used` ≥ the limit (`used` then excludes this containment). `undefined`: not counted yet.
   */
  readonly budget: { readonly used: number; readonly allowed?: boolean } | undefined;
  /** Findings of this type within the breaker window, counting this one; tripped when ≥ the limit. `undefined`: not counted yet. */
  readonly breakerHits: number | undefined;
  /** Principals the engine resolved for the subject beyond the finding (e.g. the roles of an instance profile). */
  readonly subjectPrincipalArns?: readonly string[];
}

export interface GuardrailResult {
  readonly effectiveMode: Mode;
  /** One verdict per guardrail, in evaluation order. */
  readonly verdicts: readonly GuardrailVerdict[];
  /** `guardrail:<name>` when a guardrail lowered the mode, else `rule:<name>` or `defaults`. */
  readonly decidedBy: string;
  /** A human must be told: a budget/breaker fallback, or a protection refused what the rule asked for. */
  readonly notify: boolean;
  /** The mode would be contain but the budget or breaker count was not supplied: count, then evaluate again. */
  readonly countsPending: boolean;
}

/** Guardrails that tell a human when they lower the mode. Sample/archived findings are expected noise. */
const NOTIFYING: ReadonlySet<GuardrailName> = new Set<GuardrailName>([
  'exempt-tag',
  'protected-principal',
  'protected-account',
  'responder-self',
  'budget',
  'breaker',
]);

function cap(outcome: GuardrailOutcome): Mode {
  return outcome === 'block' ? 'observe' : outcome === 'downgrade' ? 'approve' : 'contain';
}

const pass = (guardrail: GuardrailName, reason: string): GuardrailVerdict => ({ guardrail, outcome: 'pass', reason });
const block = (guardrail: GuardrailName, reason: string): GuardrailVerdict => ({ guardrail, outcome: 'block', reason });
const downgrade = (guardrail: GuardrailName, reason: string): GuardrailVerdict => ({
  guardrail,
  outcome: 'downgrade',
  reason,
});

/** The verdicts that do not depend on journal counts. */
function staticVerdicts(input: Omit<GuardrailInput, 'budget' | 'breakerHits'>): GuardrailVerdict[] {
  const { finding, subject, policy } = input;
  const g = policy.guardrails;
  const verdicts: GuardrailVerdict[] = [];

  verdicts.push(
    finding.sample
      ? block('sample', 'sample finding (service.additionalInfo.sample): sample findings never mutate anything')
      : pass('sample', 'not a sample finding'),
  );

  if (!finding.archived) verdicts.push(pass('archived', 'finding is not archived'));
  else if (g.actOnArchived) verdicts.push(pass('archived', 'finding is archived, and guardrails.actOnArchived is true'));
  else verdicts.push(block('archived', 'finding is archived (suppressed); set guardrails.actOnArchived to act on it'));

  const exempt = subject.tags.find(
    (t) => t.key === g.exemptTag.key && t.value.toLowerCase() === g.exemptTag.value.toLowerCase(),
  );
  verdicts.push(
    exempt
      ? block('exempt-tag', `subject carries the exemption tag ${g.exemptTag.key}=${JSON.stringify(exempt.value)}`)
      : pass('exempt-tag', `no ${g.exemptTag.key}=${g.exemptTag.value} tag on the subject`),
  );

  const candidates: PrincipalCandidate[] = [
    ...subjectPrincipals(subject, finding.partition),
    ...(input.subjectPrincipalArns ?? []).map((arn) => ({ arn, source: 'resolved by the engine' })),
  ];
  const described = candidates.length === 0 ? 'no IAM principal' : candidates.map((c) => c.arn).join(', ');

  const self = findPrincipalMatch(input.responderPrincipalArns, candidates);
  verdicts.push(
    self
      ? block('responder-self', `${self.candidate.arn} (${self.candidate.source}) is the responder's own principal ${self.pattern}`)
      : pass('responder-self', `subject principal(s): ${described}; not the responder`),
  );

  const prot = findPrincipalMatch(g.protectedPrincipals, candidates);
  if (prot) {
    const builtIn = BUILT_IN_PROTECTED_PRINCIPALS.find((p) => p.pattern === prot.pattern);
    verdicts.push(
      block(
        'protected-principal',
        `${prot.candidate.arn} (${prot.candidate.source}) matches protected principal ${JSON.stringify(prot.pattern)}` +
          (builtIn ? ` — ${builtIn.why}` : ''),
      ),
    );
  } else {
    verdicts.push(pass('protected-principal', `subject principal(s): ${described}; none protected`));
  }

  const accounts = [...new Set([subject.accountId, finding.accountId])];
  const protAccount = accounts
    .flatMap((a) => g.protectedAccounts.filter((p) => globMatch(p, a)).map((p) => ({ a, p })))
    .at(0);
  verdicts.push(
    protAccount
      ? block('protected-account', `account ${protAccount.a} matches protected account ${JSON.stringify(protAccount.p)}`)
      : pass('protected-account', `account ${accounts.join(', ')} is not protected`),
  );
  return verdicts;
}

function lowest(requested: Mode, verdicts: readonly GuardrailVerdict[]): Mode {
  return verdicts.reduce((m, v) => lowerMode(m, cap(v.outcome)), requested);
}

/** Whether the budget/breaker counts matter: only when, after the other guardrails, the decision would contain. */
export function countsNeeded(input: Omit<GuardrailInput, 'budget' | 'breakerHits'>): boolean {
  return lowest(input.selection.mode, staticVerdicts(input)) === 'contain';
}

export function evaluateGuardrails(input: GuardrailInput): GuardrailResult {
  const { policy, subject, finding, selection } = input;
  const requested = selection.mode;
  const verdicts = staticVerdicts(input);
  const beforeCounts = lowest(requested, verdicts);
  const g = policy.guardrails;

  // The budget and breaker only limit automatic containment: in approve/observe a human decides anyway.
  if (beforeCounts !== 'contain') {
    const na = `not applicable: the mode is already ${beforeCounts} (limits automatic containment only)`;
    verdicts.push(pass('budget', na), pass('breaker', na));
  } else {
    const per = g.budget.perAccountPerHour;
    const budget = input.budget;
    if (budget === undefined) {
      verdicts.push(pass('budget', `not counted yet (account ${subject.accountId}, ${per} per hour)`));
    } else if (budget.allowed ?? (budget.used < per)) {
      verdicts.push(pass('budget', `${budget.used} of ${per} containments used in account ${subject.accountId} this hour`));
    } else {
      verdicts.push(
        downgrade(
          'budget',
          per === 0
            ? 'budget is 0 containments per hour: automatic containment is disabled'
            : `budget exhausted: ${budget.used} of ${per} containments already made in account ${subject.accountId} this hour`,
        ),
      );
    }

    const { findings: limit, withinMinutes } = g.breaker;
    if (input.breakerHits === undefined) {
      verdicts.push(pass('breaker', `not counted yet (limit ${limit} findings of one type within ${withinMinutes} min)`));
    } else if (input.breakerHits >= limit) {
      verdicts.push(
        downgrade(
          'breaker',
          `breaker tripped: ${input.breakerHits} findings of type ${JSON.stringify(finding.type.raw)} within ${withinMinutes} min (limit ${limit}); a storm may be attacker-induced`,
        ),
      );
    } else {
      verdicts.push(pass('breaker', `${input.breakerHits} of ${limit} findings of this type within ${withinMinutes} min`));
    }
  }

  const effectiveMode = lowest(requested, verdicts);
  const decider =
    effectiveMode === requested ? undefined : verdicts.find((v) => cap(v.outcome) === effectiveMode);
  const decidedBy = decider
    ? `guardrail:${decider.guardrail}`
    : selection.rule
      ? `rule:${selection.rule.name}`
      : 'defaults';
  // A sample or archived finding is never acted on and is expected noise: no page, whatever else fired.
  const ignored = verdicts.some((v) => (v.guardrail === 'sample' || v.guardrail === 'archived') && v.outcome !== 'pass');
  const notify =
    !ignored &&
    verdicts.some(
      (v) => v.outcome !== 'pass' && NOTIFYING.has(v.guardrail) && modeRank(cap(v.outcome)) < modeRank(requested),
    );
  const countsPending = effectiveMode === 'contain' && (input.budget === undefined || input.breakerHits === undefined);
  return { effectiveMode, verdicts, decidedBy, notify, countsPending };
}
