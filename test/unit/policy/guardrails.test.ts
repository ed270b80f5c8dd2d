import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Finding, Subject } from '../../../src/findings/model.js';
import type { Mode } from '../../../src/contracts/plan.js';
import { countsNeeded, evaluateGuardrails, type GuardrailInput } from '../../../src/policy/guardrails.js';
import { builtInPolicy, parsePolicy } from '../../../src/policy/load-policy.js';
import { modeRank } from '../../../src/policy/mode-order.js';
import type { Policy } from '../../../src/policy/policy.js';
import { principalForms, subjectPrincipals } from '../../../src/policy/principals.js';
import { ACCOUNT, ec2Subject, finding, otherSubject, tags } from './fixtures.js';

const policy = parsePolicy(
  [
    'version: 1',
    'guardrails:',
    '  protectedPrincipals: ["arn:aws:iam::*:role/BreakGlass", "arn:aws:iam::*:instance-profile/bastion", "arn:aws:iam::*:user/ci-*"]',
    '  protectedAccounts: ["111122223333"]',
    '  budget: { perAccountPerHour: 3 }',
    '  breaker: { findings: 4, withinMinutes: 15 }',
  ].join('\n'),
  'p.yaml',
);

const RESPONDER = 'arn:aws:sts::123456789012:assumed-role/TourniquetResponder/lambda-session';

function input(over: Partial<GuardrailInput> & { f?: Finding; s?: Subject; mode?: Mode } = {}): GuardrailInput {
  const { f, s, mode, ...rest } = over;
  const subject = s ?? ec2Subject();
  return {
    finding: f ?? finding('CryptoCurrency:EC2/BitcoinTool.B', { subject }),
    subject,
    selection: { mode: mode ?? 'contain' },
    policy,
    responderPrincipalArns: [RESPONDER],
    budget: { used: 0 },
    breakerHits: 1,
    ...rest,
  };
}

const verdict = (r: ReturnType<typeof evaluateGuardrails>, name: string) => r.verdicts.find((v) => v.guardrail === name)!;

describe('evaluateGuardrails', () => {
  it('passes everything for an ordinary finding: the rule decides', () => {
    const r = evaluateGuardrails(input({ selection: { mode: 'contain', rule: policy.rules[0] } }));
    expect(r.effectiveMode).toBe('contain');
    expect(r.decidedBy).toBe('defaults');
    expect(r.notify).toBe(false);
    expect(r.countsPending).toBe(false);
    expect(r.verdicts.map((v) => [v.guardrail, v.outcome])).toEqual([
      ['sample', 'pass'],
      ['archived', 'pass'],
      ['exempt-tag', 'pass'],
      ['responder-self', 'pass'],
      ['protected-principal', 'pass'],
      ['protected-account', 'pass'],
      ['budget', 'pass'],
      ['breaker', 'pass'],
    ]);
  });

  it('sample findings never mutate, and do not page anyone', () => {
    const subject = ec2Subject();
    const r = evaluateGuardrails(input({ s: subject, f: finding('CryptoCurrency:EC2/BitcoinTool.B', { sample: true, subject }) }));
    expect(r.effectiveMode).toBe('observe');
    expect(r.decidedBy).toBe('guardrail:sample');
    expect(verdict(r, 'sample')).toMatchObject({ outcome: 'block', reason: expect.stringContaining('never mutate') });
    expect(r.notify).toBe(false);
  });

  it('archived findings are observed unless actOnArchived', () => {
    const subject = ec2Subject();
    const f = finding('CryptoCurrency:EC2/BitcoinTool.B', { archived: true, subject });
    expect(evaluateGuardrails(input({ s: subject, f })).effectiveMode).toBe('observe');
    const acting = parsePolicy('version: 1\nguardrails: { actOnArchived: true }\n', 'p.yaml');
    expect(evaluateGuardrails(input({ s: subject, f, policy: acting })).effectiveMode).toBe('contain');
  });

  it('honours the exemption tag (value case-insensitive) and notifies that containment was refused', () => {
    const s = ec2Subject({ tags: tags({ 'tourniquet:exempt': 'TRUE' }) });
    const r = evaluateGuardrails(input({ s }));
    expect(r.effectiveMode).toBe('observe');
    expect(r.decidedBy).toBe('guardrail:exempt-tag');
    expect(r.notify).toBe(true);
    expect(evaluateGuardrails(input({ s: ec2Subject({ tags: tags({ 'tourniquet:exempt': 'false' }) }) })).effectiveMode).toBe('contain');
    expect(evaluateGuardrails(input({ s: ec2Subject({ tags: tags({ 'Tourniquet:Exempt': 'true' }) }) })).effectiveMode).toBe('contain');
  });

  it('protects configured principals: an instance by its instance profile', () => {
    const s = ec2Subject({ profileArn: `arn:aws:iam::${ACCOUNT}:instance-profile/bastion` });
    const r = evaluateGuardrails(input({ s }));
    expect(r.effectiveMode).toBe('observe');
    expect(verdict(r, 'protected-principal').reason).toContain('(instance profile) matches protected principal "arn:aws:iam::*:instance-profile/bastion"');
  });

  it('protects an instance whose role the engine resolved to a protected one', () => {
    const r = evaluateGuardrails(input({ subjectPrincipalArns: [`arn:aws:iam::${ACCOUNT}:role/ops/BreakGlass`] }));
    expect(r.effectiveMode).toBe('observe');
    expect(verdict(r, 'protected-principal').reason).toContain('resolved by the engine');
  });

  it('always protects service-linked and Identity Center roles, also when GuardDuty drops the role path', () => {
    const slr = otherSubject('access-key', { details: { userType: 'AssumedRole', userName: 'AWSServiceRoleForAutoScaling', accessKeyId: 'ASIA1' } });
    const r1 = evaluateGuardrails(input({ s: slr, f: finding('UnauthorizedAccess:IAMUser/TorIPCaller', { subject: slr }), policy: builtInPolicy() }));
    expect(r1.effectiveMode).toBe('observe');
    expect(verdict(r1, 'protected-principal').reason).toContain('service-linked role');

    const sso = otherSubject('iam-role-session', {
      arn: `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123abcd`,
    });
    const r2 = evaluateGuardrails(input({ s: sso, f: finding('Discovery:IAMUser/AnomalousBehavior', { subject: sso }), policy: builtInPolicy() }));
    expect(r2.effectiveMode).toBe('observe');
    expect(verdict(r2, 'protected-principal').reason).toContain('Identity Center');

    const session = otherSubject('iam-role-session', { arn: `arn:aws:sts::${ACCOUNT}:assumed-role/OrganizationAccountAccessRole/admin` });
    expect(evaluateGuardrails(input({ s: session, policy: builtInPolicy() })).effectiveMode).toBe('observe');
  });

  it('protects IAM users by pattern, from the access key details', () => {
    const key = otherSubject('access-key', { details: { userType: 'IAMUser', userName: 'ci-deploy', accessKeyId: 'AKIA1' } });
    const r = evaluateGuardrails(input({ s: key }));
    expect(r.effectiveMode).toBe('observe');
    expect(verdict(r, 'protected-principal').reason).toContain(`arn:aws:iam::${ACCOUNT}:user/ci-deploy (access key of IAMUser)`);
    const other = otherSubject('access-key', { details: { userType: 'IAMUser', userName: 'alice' } });
    expect(evaluateGuardrails(input({ s: other })).effectiveMode).toBe('contain');
  });

  it('an iam-user subject (the iam-user playbook) is matched by its user ARN: protected users and a responder running as an IAM user are never contained', () => {
    const ci = otherSubject('iam-user', { details: { userName: 'ci-deploy', accessKeyId: 'AKIA1' } });
    const r = evaluateGuardrails(input({ s: ci }));
    expect(r.effectiveMode).toBe('observe');
    expect(verdict(r, 'protected-principal').reason).toContain(`arn:aws:iam::${ACCOUNT}:user/ci-deploy (IAM user name)`);
    const responderUser = `arn:aws:iam::${ACCOUNT}:user/tourniquet-operator`;
    const self = otherSubject('iam-user', { details: { userName: 'tourniquet-operator' } });
    const r2 = evaluateGuardrails(input({ s: self, responderPrincipalArns: [responderUser] }));
    expect(r2.effectiveMode).toBe('observe');
    expect(r2.decidedBy).toBe('guardrail:responder-self');
    expect(evaluateGuardrails(input({ s: otherSubject('iam-user', { details: { userName: 'alice' } }), responderPrincipalArns: [responderUser] })).effectiveMode).toBe('contain');
  });

  it("never contains the responder's own role, given as its STS session ARN", () => {
    const self = otherSubject('access-key', { details: { userType: 'AssumedRole', userName: 'TourniquetResponder' } });
    const r = evaluateGuardrails(input({ s: self }));
    expect(r.effectiveMode).toBe('observe');
    expect(r.decidedBy).toBe('guardrail:responder-self');
    const selfRole = otherSubject('iam-role-session', { arn: `arn:aws:iam::${ACCOUNT}:role/tourniquet/TourniquetResponder` });
    expect(evaluateGuardrails(input({ s: selfRole })).effectiveMode).toBe('observe');
    expect(evaluateGuardrails(input({ s: selfRole, responderPrincipalArns: [] })).effectiveMode).toBe('contain');
  });

  it('never mutates in protected accounts', () => {
    const s = ec2Subject({ accountId: '111122223333' });
    const r = evaluateGuardrails(input({ s }));
    expect(r.effectiveMode).toBe('observe');
    expect(verdict(r, 'protected-account').reason).toBe('account 111122223333 matches protected account "111122223333"');
  });

  it('budget exhausted → approve and notify', () => {
    const r = evaluateGuardrails(input({ budget: { used: 3 } }));
    expect(r.effectiveMode).toBe('approve');
    expect(r.decidedBy).toBe('guardrail:budget');
    expect(r.notify).toBe(true);
    expect(verdict(r, 'budget').reason).toContain('3 of 3 containments');
    expect(evaluateGuardrails(input({ budget: { used: 2 } })).effectiveMode).toBe('contain');
    // The journal's atomic verdict wins over the count.
    expect(evaluateGuardrails(input({ budget: { used: 3, allowed: true } })).effectiveMode).toBe('contain');
    expect(evaluateGuardrails(input({ budget: { used: 1, allowed: false } })).effectiveMode).toBe('approve');
    const zero = parsePolicy('version: 1\nguardrails: { budget: { perAccountPerHour: 0 } }\n', 'p.yaml');
    expect(verdict(evaluateGuardrails(input({ policy: zero })), 'budget').reason).toContain('automatic containment is disabled');
  });

  it('breaker tripped (hits counting this finding ≥ limit) → approve and notify', () => {
    expect(evaluateGuardrails(input({ breakerHits: 3 })).effectiveMode).toBe('contain');
    const r = evaluateGuardrails(input({ breakerHits: 4 }));
    expect(r.effectiveMode).toBe('approve');
    expect(r.decidedBy).toBe('guardrail:breaker');
    expect(r.notify).toBe(true);
    expect(verdict(r, 'breaker').reason).toContain('4 findings of type "CryptoCurrency:EC2/BitcoinTool.B" within 15 min');
  });

  it('budget and breaker only apply to automatic containment', () => {
    const r = evaluateGuardrails(input({ mode: 'approve', budget: { used: 99 }, breakerHits: 99 }));
    expect(r.effectiveMode).toBe('approve');
    expect(r.decidedBy).toBe('defaults');
    expect(r.notify).toBe(false);
    expect(verdict(r, 'budget').reason).toContain('not applicable');
  });

  it('without counts: pending when the decision would contain, so the engine counts and asks again', () => {
    const base = input({ budget: undefined, breakerHits: undefined });
    const first = evaluateGuardrails(base);
    expect(first.countsPending).toBe(true);
    expect(first.effectiveMode).toBe('contain');
    expect(countsNeeded(base)).toBe(true);
    const exempt = input({ s: ec2Subject({ tags: tags({ 'tourniquet:exempt': 'true' }) }), budget: undefined, breakerHits: undefined });
    expect(countsNeeded(exempt)).toBe(false);
    expect(evaluateGuardrails(exempt).countsPending).toBe(false);
    expect(evaluateGuardrails({ ...base, budget: { used: 0 }, breakerHits: 1 }).countsPending).toBe(false);
  });

  it('several guardrails: the lowest wins, and decidedBy names the first that set it', () => {
    const s = ec2Subject({ accountId: '111122223333', tags: tags({ 'tourniquet:exempt': 'true' }) });
    const r = evaluateGuardrails(input({ s, budget: { used: 99 } }));
    expect(r.effectiveMode).toBe('observe');
    expect(r.decidedBy).toBe('guardrail:exempt-tag');
    expect(verdict(r, 'protected-account').outcome).toBe('block');
  });

  it('only ever lowers the mode (property)', () => {
    const modes: Mode[] = ['observe', 'approve', 'contain'];
    const policies: Policy[] = [policy, builtInPolicy()];
    fc.assert(
      fc.property(
        fc.record({
          mode: fc.constantFrom(...modes),
          sample: fc.boolean(),
          archived: fc.boolean(),
          exempt: fc.boolean(),
          account: fc.constantFrom(ACCOUNT, '111122223333'),
          profile: fc.constantFrom(undefined, 'bastion', 'web'),
          used: fc.option(fc.nat(10), { nil: undefined }),
          hits: fc.option(fc.nat(10), { nil: undefined }),
          p: fc.constantFrom(0, 1),
        }),
        (x) => {
          const s = ec2Subject({
            accountId: x.account,
            tags: x.exempt ? tags({ 'tourniquet:exempt': 'true' }) : [],
            ...(x.profile ? { profileArn: `arn:aws:iam::${x.account}:instance-profile/${x.profile}` } : {}),
          });
          const f = finding('CryptoCurrency:EC2/BitcoinTool.B', { sample: x.sample, archived: x.archived, subject: s });
          const r = evaluateGuardrails({
            finding: f,
            subject: s,
            selection: { mode: x.mode },
            policy: policies[x.p]!,
            responderPrincipalArns: [RESPONDER],
            budget: x.used === undefined ? undefined : { used: x.used },
            breakerHits: x.hits,
          });
          expect(modeRank(r.effectiveMode)).toBeLessThanOrEqual(modeRank(x.mode));
          if (x.sample || x.exempt || (x.p === 0 && x.account === '111122223333')) expect(r.effectiveMode).toBe('observe');
          if (r.effectiveMode !== x.mode) expect(r.decidedBy).toMatch(/^guardrail:/);
          expect(JSON.parse(JSON.stringify(r))).toEqual(r);
        },
      ),
    );
  });
});

describe('principals', () => {
  it('derives the forms an ARN is matched in', () => {
    expect(principalForms('arn:aws:sts::123456789012:assumed-role/R/s')).toEqual([
      'arn:aws:sts::123456789012:assumed-role/R/s',
      'arn:aws:iam::123456789012:role/R',
    ]);
    expect(principalForms('arn:aws-cn:iam::123456789012:role/a/b/R')).toEqual([
      'arn:aws-cn:iam::123456789012:role/a/b/R',
      'arn:aws-cn:iam::123456789012:role/R',
    ]);
    expect(principalForms('arn:aws:iam::123456789012:user/U')).toEqual(['arn:aws:iam::123456789012:user/U']);
  });

  it('reads loosely typed subject details defensively', () => {
    expect(subjectPrincipals(otherSubject('access-key', { details: { userName: 42, userType: {} } as never /* wrong types on purpose */ }), 'aws')).toEqual([]);
    expect(subjectPrincipals(otherSubject('s3-bucket', { arn: 'arn:aws:s3:::bucket' }), 'aws')).toEqual([]);
    expect(subjectPrincipals(otherSubject('access-key', { details: { userType: 'Root' } }), 'aws-us-gov')).toEqual([
      { arn: `arn:aws-us-gov:iam::${ACCOUNT}:root`, source: 'access key of Root' },
    ]);
    expect(subjectPrincipals(otherSubject('iam-user', { name: 'bob' }), 'aws')).toEqual([
      { arn: `arn:aws:iam::${ACCOUNT}:user/bob`, source: 'IAM user name' },
    ]);
  });
});
