/**
 * Which playbook handles which subject, and building its plan. `none` records the incident and notifies, without
 * steps. The playbook must have been loaded (`loadPlaybook`) before its plan is built.
 */
import type { Plan } from '../contracts/plan.js';
import { NO_PLAYBOOK, defaultPlaybookIn } from '../contracts/playbook-info.js';
import type { Finding, Subject } from '../findings/model.js';
import type { GuardrailVerdict } from '../policy/guardrails.js';
import { incidentKeyOf } from './incident-key.js';
import { loadPlaybook, playbookForPlan } from './loaded-playbooks.js';
import { PLAYBOOK_CATALOG } from './playbook-catalog.js';
import { mergePlaybookOptions, type PlaybookOptions, type PlaybookOptionsSource } from './playbook-options.js';

export { NO_PLAYBOOK, loadPlaybook };
export type { PlaybookOptions, PlaybookOptionsSource };

/** The playbook that handles a subject kind by default. */
export function defaultPlaybookFor(subject: Subject): string {
  return defaultPlaybookIn(PLAYBOOK_CATALOG, subject.kind);
}

/**
 * Builds the plan of `playbook` for `subject` with the responder's options for it and the matching rule's `options:`
 * over them, seeing the decision's guardrail verdicts. A playbook that does not fit the subject kind yields no steps.
 */
export function buildPlan(
  playbook: string,
  finding: Finding,
  subject: Subject,
  options: PlaybookOptionsSource = {},
  ruleOptions?: { readonly [key: string]: unknown },
  guardrails: readonly GuardrailVerdict[] = [],
): Plan {
  const found = playbookForPlan(playbook);
  if (found === undefined || !found.subjectKinds.includes(subject.kind)) {
    return { playbook: NO_PLAYBOOK, incidentKey: incidentKeyOf(subject), steps: [] };
  }
  const responderOptions = typeof options === 'function' ? options(found) : options[playbook];
  return found.plan(finding, subject, mergePlaybookOptions(responderOptions, ruleOptions), guardrails);
}
