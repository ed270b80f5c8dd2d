/**
 * Which playbook handles which subject. `none` records the incident and notifies, without steps.
 */
import type { Finding, Subject } from '../findings/model.js';
import { EC2_INSTANCE_PLAYBOOK, NO_PLAYBOOK, defaultPlaybookForKind } from '../policy/known-ids.js';
import { planEc2Instance, type Ec2PlaybookOptions } from './ec2-instance.js';
import { incidentKeyOf } from './incident-key.js';
import type { Plan } from '../contracts/plan.js';

export { NO_PLAYBOOK };

export interface PlaybookOptions {
  readonly ec2?: Ec2PlaybookOptions;
}

/** The playbook that handles a subject kind by default. */
export function defaultPlaybookFor(subject: Subject): string {
  return defaultPlaybookForKind(subject.kind);
}

/** Builds the plan of `playbook` for `subject`. A playbook that does not fit the subject kind yields no steps. */
export function buildPlan(playbook: string, finding: Finding, subject: Subject, options: PlaybookOptions = {}): Plan {
  if (playbook === EC2_INSTANCE_PLAYBOOK && subject.kind === 'ec2-instance') {
    return planEc2Instance(finding, subject, options.ec2);
  }
  return { playbook: NO_PLAYBOOK, incidentKey: incidentKeyOf(subject), steps: [] };
}
