import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allActions } from '../../../src/actions/registry.js';
import { topologicalOrder } from '../../../src/engine/step-graph.js';
import { EC2_INSTANCE_STEP_IDS, planEc2Instance } from '../../../src/playbooks/ec2-instance.js';
import { PLAYBOOKS } from '../../../src/playbooks/playbook-list.js';
import { parsePolicy } from '../../../src/policy/load-policy.js';
import type { Ec2InstanceSubject, Finding } from '../../../src/findings/model.js';

const subject: Ec2InstanceSubject = {
  kind: 'ec2-instance',
  id: 'i-0abc',
  accountId: '123456789012',
  region: 'us-east-1',
  tags: [],
  ai: { isAi: true, reasons: [{ code: 'accelerator-instance', detail: 'p4d' }] },
  details: {
    instanceId: 'i-0abc',
    instanceType: 'p4d.24xlarge',
    iamInstanceProfile: { arn: 'arn:aws:iam::123456789012:instance-profile/node' },
    networkInterfaces: [],
  },
};
const finding = { id: 'f1', type: { raw: 'CryptoCurrency:EC2/BitcoinTool.B!DNS' } } as unknown as Finding;

/** The step ids as the README documents them (its playbook table), in plan order: policy files are written against these. */
const DOCUMENTED_STEP_IDS = [
  'capture-evidence',
  'snapshot-volumes',
  'tag-instance',
  'preserve-instance',
  'leave-auto-scaling',
  'deregister-targets',
  'prepare-isolation',
  'isolate-network',
  'deny-instance-session',
  'replace-instance-profile',
  'enforce-imdsv2',
  'revoke-role-sessions',
  'nacl-cut',
  'stop-instance',
  'block-remote-ip',
];

/** The first column of the README's table under "What the EC2 instance playbook does". */
function readmeStepIds(): string[] {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('What the EC2 instance playbook does'));
  if (section === undefined) throw new Error('README has no "What the EC2 instance playbook does" section');
  return [...section.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]!);
}

/** The warnings the policy validator gives for a rule that sets `steps` on the ec2-instance playbook. */
function stepWarnings(stepIds: readonly string[]): string[] {
  const steps = stepIds.map((id) => `      ${id}: require-approval`).join('\n');
  const text = `version: 1\nrules:\n  - name: r\n    match: { subject: [ec2-instance] }\n    playbook: ec2-instance\n    steps:\n${steps}\n`;
  return parsePolicy(text, 'steps.yaml').warnings.map((w) => w.message);
}

describe('EC2 instance playbook', () => {
  const plan = planEc2Instance(finding, subject, { isolationSettleSeconds: 3 });
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  const position = new Map(topologicalOrder(plan.steps).map((s, i) => [s.id, i]));

  it('has the documented step ids, the ones the policy validates against', () => {
    // block-remote-ip is optional: planned only with a blocklist and a public remote IPv4 address (below).
    expect(plan.steps.map((s) => s.id)).toEqual(DOCUMENTED_STEP_IDS.filter((id) => id !== 'block-remote-ip'));
    expect(EC2_INSTANCE_STEP_IDS).toEqual(DOCUMENTED_STEP_IDS);
    expect(readmeStepIds()).toEqual(DOCUMENTED_STEP_IDS);
    // The policy validator knows every one of them, and only them.
    expect(stepWarnings(DOCUMENTED_STEP_IDS)).toEqual([]);
    expect(stepWarnings(['isolate-netwrok'])).toEqual([expect.stringContaining('isolate-netwrok')]);
    expect(PLAYBOOKS.find((p) => p.name === 'ec2-instance')?.stepIds).toEqual(DOCUMENTED_STEP_IDS);
    expect(plan.incidentKey).toBe('123456789012#us-east-1#ec2-instance#i-0abc');
  });
  it('every step names a registered action and carries its effect and reversibility', () => {
    const actions = new Map(allActions().map((a) => [a.name, a]));
    for (const s of plan.steps) {
      const a = actions.get(s.action);
      expect(a, s.action).toBeDefined();
      expect(s.effect, `${s.id} (${s.action})`).toBe(a!.effect);
      expect(s.reversible, `${s.id} (${s.action})`).toBe(a!.reversible);
    }
  });
  it('takes the instance out of the fleet before cutting its network, and only if that worked', () => {
    expect(position.get('leave-auto-scaling')!).toBeLessThan(position.get('isolate-network')!);
    expect(position.get('deregister-targets')!).toBeLessThan(position.get('isolate-network')!);
    expect(byId.get('isolate-network')!.requiresSuccessOf).toEqual(['leave-auto-scaling', 'deregister-targets']);
    expect(byId.get('isolate-network')!.input).toMatchObject({ settleSeconds: 3 });
  });
  it('never stops after a failed evidence capture; destructive steps are marked destructive', () => {
    expect(byId.get('stop-instance')!.requiresSuccessOf).toEqual(['capture-evidence', 'snapshot-volumes']);
    for (const id of ['stop-instance', 'nacl-cut', 'revoke-role-sessions']) expect(byId.get(id)!.effect).toBe('destructive');
    expect(byId.get('revoke-role-sessions')!.requiresSuccessOf).toEqual(['replace-instance-profile']);
  });
  it('preserves and snapshots before isolating, and cuts credentials after', () => {
    expect(position.get('preserve-instance')!).toBeLessThan(position.get('isolate-network')!);
    expect(position.get('snapshot-volumes')!).toBeLessThan(position.get('isolate-network')!);
    expect(position.get('isolate-network')!).toBeLessThan(position.get('replace-instance-profile')!);
  });
});

describe('EC2 instance playbook: block-remote-ip', () => {
  const blocklist = { bucket: 'findings-bucket', key: 'lists/responder-blocklist.txt', detectorId: 'det1', threatIntelSetId: 'set1' };
  const withIp = (remoteIp: string | undefined) => ({ ...finding, ...(remoteIp !== undefined ? { actor: { remoteIp } } : {}) }) as unknown as Finding;

  it('is planned after isolation, with the address and the list, when both are there', () => {
    const plan = planEc2Instance(withIp('198.51.99.7'), subject, { blocklist });
    expect(plan.steps.map((s) => s.id)).toEqual([...EC2_INSTANCE_STEP_IDS]);
    const step = plan.steps.find((s) => s.id === 'block-remote-ip')!;
    expect(step).toMatchObject({
      action: 'guardduty.block-remote-ip',
      dependsOn: ['isolate-network'],
      effect: 'contain',
      reversible: true,
      input: { ip: '198.51.99.7', ...blocklist },
    });
    expect(allActions().find((a) => a.name === step.action)?.effect).toBe('contain');
  });

  it('is absent without a blocklist, without a remote address, or when the address is not a public IPv4 one', () => {
    const ids = (f: Finding, o = { blocklist }) => planEc2Instance(f, subject, o).steps.map((s) => s.id);
    expect(ids(withIp('198.51.99.7'), {} as { blocklist: typeof blocklist })).not.toContain('block-remote-ip');
    for (const ip of [undefined, '10.1.2.3', '192.0.2.1', '2001:db8::1', '__proto__']) expect(ids(withIp(ip)), String(ip)).not.toContain('block-remote-ip');
  });

  it('is planned only for subjects in the account and Region of the list, when those are given', () => {
    const ids = (accountId: string, region: string) =>
      planEc2Instance(withIp('198.51.99.7'), subject, { blocklist: { ...blocklist, accountId, region } }).steps.map((s) => s.id);
    expect(ids('123456789012', 'us-east-1')).toContain('block-remote-ip');
    expect(ids('210987654321', 'us-east-1')).not.toContain('block-remote-ip');
    expect(ids('123456789012', 'eu-west-1')).not.toContain('block-remote-ip');
  });
});
