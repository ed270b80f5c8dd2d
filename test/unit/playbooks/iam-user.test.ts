/**
 * The iam-user playbook's plan: a GuardDuty sample (UnauthorizedAccess:IAMUser/TorIPCaller) parsed → the user gets
 * the iam-user plan, its access key stays record-only; the steps, their order, effects and the MFA window; the
 * README documents the same step ids.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allActions } from '../../../src/actions/registry.js';
import { topologicalOrder } from '../../../src/engine/step-graph.js';
import { PlanError } from '../../../src/errors.js';
import type { Finding, Subject } from '../../../src/findings/model.js';
import { parseRecord } from '../../../src/findings/read-input.js';
import { IAM_USER_PLAYBOOK, iamUserPlaybook, mfaWindowStart, planIamUser } from '../../../src/playbooks/iam-user.js';
import { PLAYBOOKS } from '../../../src/playbooks/playbook-list.js';
import { buildPlan, NO_PLAYBOOK } from '../../../src/playbooks/registry.js';
import { builtInPolicy, parsePolicy } from '../../../src/policy/load-policy.js';
import { selectRule } from '../../../src/policy/match-rule.js';

const STEP_IDS = [
  'capture-evidence',
  'deny-ai-actions',
  'attach-quarantine-policy',
  'deactivate-access-keys',
  'deactivate-bedrock-keys',
  'remove-console-access',
  'deactivate-mfa-devices',
  'lookup-ai-activity',
  'stop-bedrock-resources',
  'stop-sagemaker-jobs',
  'delete-sagemaker-endpoints',
  'ensure-invocation-logging',
];

function sampleFinding(): Finding {
  const raw = JSON.parse(readFileSync(new URL('../../../samples/events/UnauthorizedAccess-IAMUser-TorIPCaller.eventbridge.json', import.meta.url), 'utf8')) as unknown;
  const rec = parseRecord(raw, { name: 'tor-sample' });
  if (rec.kind !== 'finding') throw new Error('not a finding');
  return rec;
}

function readmeStepIds(): string[] {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('What the IAM user playbook does'));
  if (section === undefined) throw new Error('README has no "What the IAM user playbook does" section');
  return [...section.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]!);
}

describe('IAM user playbook', () => {
  const finding = sampleFinding();
  const user = finding.subjects.find((s) => s.kind === 'iam-user') as Subject;
  const key = finding.subjects.find((s) => s.kind === 'access-key') as Subject;

  it('a sample UnauthorizedAccess:IAMUser finding: the user gets the iam-user plan, the access key stays record-only', () => {
    expect(finding.type.raw).toBe('UnauthorizedAccess:IAMUser/TorIPCaller');
    const policy = builtInPolicy();
    expect(selectRule(policy, finding, user).playbook).toBe(IAM_USER_PLAYBOOK);
    expect(selectRule(policy, finding, key).playbook).toBe(NO_PLAYBOOK);
    const plan = buildPlan(IAM_USER_PLAYBOOK, finding, user);
    expect(plan.playbook).toBe('iam-user');
    expect(plan.incidentKey).toBe('973743533182#us-east-2#iam-user#GeneratedFindingUserName');
    // A Tor caller is not an AI subject, nor about Bedrock logging: no AI-activity steps (ai-activity-steps.test.ts
    // covers them) and no invocation-logging check.
    expect(plan.steps.map((s) => s.id)).toEqual(STEP_IDS.slice(0, 7));
    for (const s of plan.steps) expect(s.input, s.id).toMatchObject({ userName: 'GeneratedFindingUserName' });
    expect(buildPlan(IAM_USER_PLAYBOOK, finding, key).steps).toEqual([]);
  });

  it('step ids: the plan, the playbook list, the policy validator and the README agree', () => {
    expect(iamUserPlaybook.stepIds).toEqual(STEP_IDS);
    expect(PLAYBOOKS.find((p) => p.name === 'iam-user')?.subjectKinds).toEqual(['iam-user']);
    expect(readmeStepIds()).toEqual(STEP_IDS);
    const steps = STEP_IDS.map((id) => `      ${id}: require-approval`).join('\n');
    const text = `version: 1\nrules:\n  - name: r\n    match: { subject: [iam-user] }\n    playbook: iam-user\n    steps:\n${steps}\n      deactivate-keys: skip\n`;
    expect(parsePolicy(text, 'steps.yaml').warnings.map((w) => w.message)).toEqual([expect.stringContaining('deactivate-keys')]);
  });

  it('every step names a registered action and carries its effect; only the MFA step is destructive', () => {
    const plan = buildPlan(IAM_USER_PLAYBOOK, finding, user);
    const actions = new Map(allActions().map((a) => [a.name, a]));
    for (const s of plan.steps) {
      const a = actions.get(s.action)!;
      expect(a, s.action).toBeDefined();
      expect(s.effect, s.id).toBe(a.effect);
      expect(s.reversible, s.id).toBe(a.reversible);
    }
    expect(Object.fromEntries(plan.steps.map((s) => [s.id, s.effect]))).toEqual({
      'capture-evidence': 'read',
      'deny-ai-actions': 'contain',
      'attach-quarantine-policy': 'contain',
      'deactivate-access-keys': 'contain',
      'deactivate-bedrock-keys': 'contain',
      'remove-console-access': 'contain',
      'deactivate-mfa-devices': 'destructive',
    });
  });

  it('order: the deny starts at once; the rest follows the evidence without waiting on its success; MFA needs it', () => {
    const plan = buildPlan(IAM_USER_PLAYBOOK, finding, user);
    const byId = new Map(plan.steps.map((s) => [s.id, s]));
    expect(byId.get('deny-ai-actions')).toMatchObject({ dependsOn: [] });
    expect(byId.get('deny-ai-actions')!.after).toBeUndefined();
    for (const id of ['attach-quarantine-policy', 'deactivate-access-keys', 'deactivate-bedrock-keys', 'remove-console-access']) {
      expect(byId.get(id), id).toMatchObject({ dependsOn: [], after: ['capture-evidence'] });
      expect(byId.get(id)!.requiresSuccessOf, id).toBeUndefined();
    }
    expect(byId.get('deactivate-mfa-devices')).toMatchObject({ dependsOn: ['capture-evidence'], requiresSuccessOf: ['capture-evidence'] });
    expect(topologicalOrder(plan.steps)[0]!.id).toBe('capture-evidence');
  });

  it('the MFA window starts at the first activity minus the margin (default 24 h, an option)', () => {
    expect(finding.firstSeen).toBe('2022-01-12T19:22:44.000Z');
    const input = (options: unknown) => buildPlan(IAM_USER_PLAYBOOK, finding, user, { 'iam-user': options as never }).steps.find((s) => s.id === 'deactivate-mfa-devices')!.input;
    expect(input({})).toMatchObject({ enabledSince: '2022-01-11T19:22:44.000Z' });
    expect(input({ mfaWindowMarginHours: 0 })).toMatchObject({ enabledSince: '2022-01-12T19:22:44.000Z' });
    expect(mfaWindowStart({ createdAt: '2026-11-28T10:00:00.000Z' } as Finding, 2)).toBe('2026-11-28T08:00:00.000Z');
    expect(() => planIamUser(finding, user as never, { mfaWindowMarginHours: -1 })).toThrow(PlanError);
    expect(() => planIamUser(finding, user as never, { mfaWindowMarginHours: -1 })).toThrow(/mfaWindowMarginHours: a number of hours from 0 to 2160/);
  });

  it('a user the finding names only by principal id: the steps carry no userName (the actions then fail with one clear line: test/unit/actions/iam-user-actions.test.ts)', () => {
    const byId = { ...user, id: 'AIDAEXAMPLE', details: { principalId: 'AIDAEXAMPLE' } } as unknown as Subject;
    const plan = buildPlan(IAM_USER_PLAYBOOK, finding, byId);
    for (const s of plan.steps) expect(s.input, s.id).not.toHaveProperty('userName');
  });
});
