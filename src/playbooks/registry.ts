/**
 * Which playbook handles which subject, and building its plan. `none` records the incident and notifies, without
 * steps.
 */
import type { Plan } from '../contracts/plan.js';
import { NO_PLAYBOOK, defaultPlaybookIn } from '../contracts/playbook-info.js';
import type { Finding, Subject } from '../findings/model.js';
import { incidentKeyOf } from './incident-key.js';
import { PLAYBOOKS, findPlaybook } from './playbook-list.js';

export { NO_PLAYBOOK };

/** Options per playbook name (`{ "ec2-instance": { isolationSettleSeconds: 5 } }`), validated at the edges. */
export type PlaybookOptions = { readonly [playbook: string]: { readonly [key: string]: unknown } | undefined };

/** The playbook that handles a subject kind by default. */
export function defaultPlaybookFor(subject: Subject): string {
  return defaultPlaybookIn(PLAYBOOKS, subject.kind);
}

/** Builds the plan of `playbook` for `subject`. A playbook that does not fit the subject kind yields no steps. */
export function buildPlan(playbook: string, finding: Finding, subject: Subject, options: PlaybookOptions = {}): Plan {
  const found = findPlaybook(playbook);
  if (found === undefined || !found.subjectKinds.includes(subject.kind)) {
    return { playbook: NO_PLAYBOOK, incidentKey: incidentKeyOf(subject), steps: [] };
  }
  return found.plan(finding, subject, options[playbook] ?? {});
}
