/**
 * Builds Finding and Subject objects directly (no parser), so policy tests only depend on the model.
 */
import type { Ec2InstanceSubject, Finding, OtherSubject, SeverityBand, Subject, SubjectDetails, SubjectOf, Tag } from '../../../src/findings/model.js';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

export function bandOf(severity: number): SeverityBand {
  if (severity >= 9) return 'Critical';
  if (severity >= 7) return 'High';
  if (severity >= 4) return 'Medium';
  return 'Low';
}

export function ec2Subject(
  over: Partial<Omit<Ec2InstanceSubject, 'details' | 'ai'>> & { profileArn?: string; ai?: boolean } = {},
): Ec2InstanceSubject {
  const { profileArn, ai, ...rest } = over;
  return {
    kind: 'ec2-instance',
    id: 'i-0abc1234def567890',
    accountId: ACCOUNT,
    region: REGION,
    tags: [],
    ai:
      ai === false
        ? { isAi: false, reasons: [] }
        : { isAi: true, reasons: [{ code: 'accelerator-instance', detail: 'instance type p4d.24xlarge (family p4d)' }] },
    ...rest,
    details: {
      instanceId: 'i-0abc1234def567890',
      instanceType: 'p4d.24xlarge',
      networkInterfaces: [],
      ...(profileArn ? { iamInstanceProfile: { arn: profileArn } } : {}),
    },
  } as Ec2InstanceSubject;
}

/** A subject of `kind` whose details hold only what `over` gives (the code under test reads them defensively). */
export function otherSubject<K extends OtherSubject['kind']>(
  kind: K,
  over: Partial<Omit<SubjectOf<K>, 'details'>> & { details?: Partial<SubjectDetails[K]> } = {},
): SubjectOf<K> {
  return {
    kind,
    id: 'AKIAEXAMPLE',
    accountId: ACCOUNT,
    region: REGION,
    tags: [],
    ai: { isAi: false, reasons: [] },
    details: {},
    ...over,
  } as SubjectOf<K>;
}

export function finding(type: string, over: Partial<Finding> & { subject?: Subject } = {}): Finding {
  const { subject, ...rest } = over;
  const severity = rest.severity ?? 8;
  const m = /^([^:]+):([^/]+)\/([^.!]+)(?:\.([^!]+))?(?:!(.+))?$/.exec(type);
  return {
    kind: 'finding',
    source: { name: 'test' },
    id: 'f-1',
    arn: `arn:aws:guardduty:${REGION}:${ACCOUNT}:detector/d/finding/f-1`,
    accountId: ACCOUNT,
    region: REGION,
    partition: 'aws',
    type: {
      raw: type,
      threatPurpose: m?.[1] ?? '',
      resourceTypeAffected: m?.[2] ?? '',
      family: m?.[3] ?? '',
      ...(m?.[4] ? { mechanism: m[4] } : {}),
      ...(m?.[5] ? { artifact: m[5] } : {}),
      custom: m?.[4] === 'Custom',
    },
    severity,
    band: bandOf(severity),
    createdAt: '2026-11-28T10:00:00.000Z',
    updatedAt: '2026-11-28T10:00:00.000Z',
    count: 1,
    sample: false,
    archived: false,
    resourceType: 'Instance',
    subjects: [subject ?? ec2Subject()],
    raw: {},
    ...rest,
  };
}

export function tags(map: Record<string, string>): Tag[] {
  return Object.entries(map).map(([key, value]) => ({ key, value }));
}
