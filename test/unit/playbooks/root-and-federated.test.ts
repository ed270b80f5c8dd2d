/** The root-user and federated-user playbooks: no step ever, loud manual steps with the exact commands. */
import { describe, expect, it } from 'vitest';
import { FEDERATED_USER_PLAYBOOK, federatedUserPlaybook } from '../../../src/playbooks/federated-user.js';
import { defaultPlaybookFor } from '../../../src/playbooks/registry.js';
import { ROOT_USER_PLAYBOOK, rootUserPlaybook } from '../../../src/playbooks/root-user.js';
import { finding, otherSubject } from '../policy/fixtures.js';

const f = finding('Policy:IAMUser/RootCredentialUsage', { firstSeen: '2026-12-03T07:00:00.000Z' });

describe('root-user playbook', () => {
  const root = (accessKeyId: string) => otherSubject('root', { id: '123456789012', details: { principalId: '123456789012', accessKeyId } });

  it('is the default for root subjects and plans no step', () => {
    expect(defaultPlaybookFor(root('AKIAIOSFODNN7EXAMPLE'))).toBe(ROOT_USER_PLAYBOOK);
    expect(rootUserPlaybook.plan(f, root('AKIAIOSFODNN7EXAMPLE')).steps).toEqual([]);
  });

  it('a long-term root key: password and MFA, deactivate then delete the key, SCP, review', () => {
    const m = rootUserPlaybook.plan(f, root('AKIAIOSFODNN7EXAMPLE')).manualSteps!;
    expect(m.map((s) => s.id)).toEqual(['root-change-password-and-mfa', 'root-access-keys', 'root-deny-scp', 'root-review-changes']);
    expect(m[1]!.commands![0]).toBe('aws iam update-access-key --access-key-id AKIAIOSFODNN7EXAMPLE --status Inactive   # signed as the root user (no --user-name)');
    expect(m[2]!.commands![0]).toContain(`"Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::123456789012:root"}}`);
    expect(m[3]!.commands![0]).toBe('aws cloudtrail lookup-events --region us-east-1 --lookup-attributes AttributeKey=Username,AttributeValue=root --start-time 2026-12-03T07:00:00.000Z');
  });

  it('a temporary key (ASIA): says it cannot be deactivated instead of a command that would fail', () => {
    const m = rootUserPlaybook.plan(f, root('ASIAJZ3DXJKMP7MG3EKA')).manualSteps!;
    expect(m[1]!.id).toBe('root-temporary-credentials');
    expect(JSON.stringify(m)).not.toContain('update-access-key');
  });
});

describe('federated-user playbook', () => {
  const fed = (userName: string | undefined, principalId: string) =>
    otherSubject('federated-user', { id: principalId, details: { userName, principalId, accessKeyId: 'ASIA3XFRBF23EXAMPLE9' } });

  it('is the default for federated users, plans no step, and denies account:name on the issuing user', () => {
    const s = fed('data-scientist-alice', '123456789012:data-scientist-alice');
    expect(defaultPlaybookFor(s)).toBe(FEDERATED_USER_PLAYBOOK);
    const p = federatedUserPlaybook.plan(f, s);
    expect(p.steps).toEqual([]);
    expect(p.manualSteps!.map((m) => m.id)).toEqual(['find-issuing-user', 'deny-federated-session', 'contain-issuing-user', 'review-federated-activity']);
    expect(p.manualSteps![1]!.commands![0]).toBe(
      `aws iam put-user-policy --user-name <issuing-user> --policy-name tourniquet-deny-federated-data-scientist-alice --policy-document '{"Version":"2012-10-17","Statement":[{"Sid":"TourniquetDenyFederatedSession","Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringLike":{"aws:userid":"123456789012:data-scientist-alice"}}}]}'`,
    );
  });

  it('takes the name from the principal id when the finding has no user name, and never a hostile one', () => {
    expect(JSON.stringify(federatedUserPlaybook.plan(f, fed(undefined, '123456789012:bob')).manualSteps)).toContain('"aws:userid\\":\\"123456789012:bob');
    const hostile = JSON.stringify(federatedUserPlaybook.plan(f, fed("x' ; rm -rf ~", '123456789012:x')).manualSteps);
    expect(hostile).not.toContain('rm -rf');
    expect(hostile).toContain('<federated-name>');
  });
});
