import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Finding, SubjectDetails, SubjectKind, SubjectOf } from '../../../src/findings/model.js';
import type { AccessKeyDetails, IamRoleSessionDetails } from '../../../src/findings/subject-details.js';
import { parseRecord } from '../../../src/findings/read-input.js';
import { accessKeyFinding } from './finding-fixtures.js';

describe('typed subject details', () => {
  it('narrowing on the kind gives the kind’s details, read without a cast', () => {
    const f = parseRecord(accessKeyFinding({ accessKeyId: 'ASIAEXAMPLE1', userName: 'AppRole', userType: 'AssumedRole', principalId: 'AROA1:i-0abc1234def567890' }), { name: 't' }) as Finding;
    const key = f.subjects.find((s) => s.kind === 'access-key');
    const session = f.subjects.find((s) => s.kind === 'iam-role-session');
    if (key?.kind !== 'access-key' || session?.kind !== 'iam-role-session') throw new Error(`subjects: ${f.subjects.map((s) => s.kind).join(', ')}`);
    expectTypeOf(key.details).toEqualTypeOf<AccessKeyDetails>();
    expectTypeOf(session.details).toEqualTypeOf<IamRoleSessionDetails>();
    expect(key.details).toMatchObject({ accessKeyId: 'ASIAEXAMPLE1', userName: 'AppRole', userType: 'AssumedRole', temporary: true });
    expect(session.details).toMatchObject({ roleName: 'AppRole', roleId: 'AROA1', sessionName: 'i-0abc1234def567890' });
  });

  it('has details for every subject kind', () => {
    expectTypeOf<SubjectOf<'rds-instance'>['details']>().toEqualTypeOf<SubjectDetails['rds-instance']>();
    expectTypeOf<keyof SubjectDetails>().toEqualTypeOf<SubjectKind>();
  });
});
