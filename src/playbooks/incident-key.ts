import type { Subject } from '../findings/model.js';

/** Idempotency contract: an incident is keyed by account / region / subject. */
export function incidentKeyOf(subject: Pick<Subject, 'accountId' | 'region' | 'kind' | 'id'>): string {
  return `${subject.accountId}#${subject.region}#${subject.kind}#${subject.id}`;
}
