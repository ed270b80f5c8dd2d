/**
 * The engine through the fault-injection proxy: moto_server behind a proxy that throttles, resets and fails calls
 * the AWS way. The engine talks to the proxy; seeding and reading the state back go straight to moto, so what is
 * asserted is the emulator's state, not what the engine believes.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DescribeSecurityGroupsCommand, DescribeVolumesCommand } from '@aws-sdk/client-ec2';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy, type FaultRule } from '../../src/drill/fault-proxy.js';
import type { Plan } from '../../src/contracts/plan.js';
import { startHarness, type Harness } from '../support/engine-harness.js';

const MUTATING_SERVICES = ['ec2', 'iam', 'autoscaling', 'elasticloadbalancing'];
const RETRY = { baseDelayMs: 5, maxDelayMs: 50 };
/**
 * The throttling draws are reproducible per seed. Containment does not hinge on this one: seeds 1–13 all contain.
 * (At 30% a step can still, rarely, spend its budget: one call throttled five times in a row.) Another seed:
 * TOURNIQUET_FAULT_SEED=n.
 */
const SEED = Number(process.env.TOURNIQUET_FAULT_SEED ?? 7);
const CONTAIN_STEPS = [
  'tag-instance',
  'preserve-instance',
  'leave-auto-scaling',
  'deregister-targets',
  'isolate-network',
  'deny-instance-session',
  'replace-instance-profile',
  'enforce-imdsv2',
];

let h: Harness;
let proxy: FaultProxy | undefined;
beforeAll(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});
afterAll(async () => {
  await h?.close();
});

interface StepEvidence {
  readonly retries: number;
  readonly calls: ReadonlyArray<{ operation: string; error?: string }>;
}

async function stepEvidence(caseDir: string, stepId: string, file: 'result.json' | 'error.json'): Promise<StepEvidence> {
  return JSON.parse(await readFile(join(caseDir, 'steps', stepId, file), 'utf8')) as StepEvidence;
}

/**
 * Every step that depends on `stepId`, directly or through others (dependsOn, requiresSuccessOf, afterChangeOf; `after`
 * is ordering only, and so is a step named in both `after` and `afterChangeOf`).
 */
function dependentsOf(plan: Plan, stepId: string): string[] {
  const out = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of plan.steps) {
      if (out.has(s.id)) continue;
      const onChange = (s.afterChangeOf ?? []).filter((d) => !(s.after ?? []).includes(d));
      if ([...s.dependsOn, ...(s.requiresSuccessOf ?? []), ...onChange].some((d) => d === stepId || out.has(d))) {
        out.add(s.id);
        grew = true;
      }
    }
  }
  return [...out];
}

describe('EC2 playbook under injected AWS faults', () => {
  it('contains through ~30% throttling of mutating calls, lost answers, resets and 5xx; retries are recorded; containment holds', async () => {
    const fleet = await h.seed('faults');
    const before = await h.state(fleet);
    const once = (operation: string, fault: FaultRule['fault']): FaultRule => ({ name: `${fault.kind}-${operation}`, operations: [operation], first: 1, fault });
    const rules: FaultRule[] = [
      // The first call of these creates is applied, but its answer is lost: a retry must not create a second one.
      once('CreateSnapshots', { kind: 'reset', afterUpstream: true }),
      once('CreateSecurityGroup', { kind: 'reset', afterUpstream: true }),
      once('PutRolePolicy', { kind: 'reset' }),
      once('ModifyInstanceAttribute', { kind: 'server-error' }),
      once('DeregisterTargets', { kind: 'server-error' }),
      once('DisassociateIamInstanceProfile', { kind: 'server-error', status: 503 }),
      { name: 'throttle', services: MUTATING_SERVICES, mutatingOnly: true, probability: 0.3, fault: { kind: 'throttle' } },
    ];
    proxy = await startFaultProxy({ upstream: h.moto.endpoint, seed: SEED, rules });
    const { responder } = await h.engine({ endpoint: proxy.endpoint, retry: RETRY });

    const outcome = (await responder.respond(await h.finding(fleet.targetInstanceId))).outcomes[0]!;
    const status = Object.fromEntries(outcome.steps.map((s) => [s.stepId, s.status]));
    expect(status).toMatchObject({
      'capture-evidence': 'done',
      'snapshot-volumes': 'done',
      ...Object.fromEntries(CONTAIN_STEPS.map((id) => [id, 'done'])),
      'revoke-role-sessions': 'awaiting-approval',
      'nacl-cut': 'awaiting-approval',
      'stop-instance': 'awaiting-approval',
    });
    expect(outcome.status).toBe('contained');

    // The faults really happened, of every kind.
    const stats = proxy.stats();
    expect(stats.injected).toMatchObject({ reset: 3, 'server-error': 3 });
    expect(stats.injected.throttle).toBeGreaterThanOrEqual(3);

    // The evidence records the retries and the failed attempts, with the AWS error codes the proxy answered.
    const caseDir = (await responder.getIncident(outcome.incidentId)).evidenceLocation!.replace(/^file:\/\//, '');
    let retries = 0;
    const errors = new Set<string>();
    for (const id of ['snapshot-volumes', ...CONTAIN_STEPS]) {
      const ev = await stepEvidence(caseDir, id, 'result.json');
      retries += ev.retries;
      for (const c of ev.calls) if (c.error !== undefined) errors.add(c.error);
    }
    expect(retries).toBeGreaterThan(0);
    expect([...errors].some((e) => e === 'RequestLimitExceeded' || e === 'Throttling')).toBe(true);

    // Containment holds, read back from moto directly.
    const after = await h.state(fleet, outcome.incidentId);
    const groups = Object.values(after.groupsByEni);
    expect(groups).toHaveLength(2);
    const isolation = groups[0]![0]!;
    for (const g of groups) expect(g).toEqual([isolation]);
    expect(isolation).not.toBe(fleet.appSecurityGroupId);
    expect(after.ruleCounts[isolation]).toBe(0);
    expect(after.autoScaling?.lifecycleState).toBe('Standby');
    expect(after.targetGroups).toEqual([]);
    expect(after.instanceProfileArn).toBeUndefined();
    expect(after.roleInlinePolicies.some((p) => p.includes(fleet.targetInstanceId))).toBe(true);
    expect(after.httpTokens).toBe('required');
    expect(after.terminationProtection).toBe(true);
    expect(after.tags['tourniquet:case']).toBe(outcome.incidentId);
    // One snapshot per volume and one group per role: the creates whose answers were lost were not repeated.
    const volumes = await h.clients.ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [fleet.targetInstanceId] }] }));
    expect(volumes.Volumes?.length).toBeGreaterThan(0);
    expect(after.caseSnapshots).toHaveLength(volumes.Volumes!.length);
    const ours = await h.clients.ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [fleet.vpcId] }, { Name: 'tag-key', Values: ['tourniquet:role'] }] }),
    );
    expect(ours.SecurityGroups?.map((g) => g.Tags?.find((t) => t.Key === 'tourniquet:role')?.Value).sort()).toEqual(['isolation', 'untrack']);

    // Release, through the same faults, restores every pre-image.
    const released = await responder.release(outcome.incidentId, { by: 'alice', reason: 'drill' });
    expect(released.failed).toEqual([]);
    const restored = await h.state(fleet, outcome.incidentId);
    expect(restored.groupsByEni).toEqual(before.groupsByEni);
    expect(restored.autoScaling?.lifecycleState).toBe('InService');
    expect(restored.targetGroups).toEqual([fleet.targetGroupArn]);
    expect(restored.instanceProfileArn).toBe(before.instanceProfileArn);
    expect(restored.roleInlinePolicies).toEqual(before.roleInlinePolicies);
    expect(restored.httpTokens).toBe(before.httpTokens);
  });

  it('an operation throttled past the retry budget fails its step as transient; its dependents are skipped, never done', async () => {
    const fleet = await h.seed('budget');
    const before = await h.state(fleet);
    proxy = await startFaultProxy({
      upstream: h.moto.endpoint,
      rules: [{ name: 'standby-throttled', services: ['autoscaling'], operations: ['EnterStandby'], fault: { kind: 'throttle' } }],
    });
    const { responder } = await h.engine({ endpoint: proxy.endpoint, retry: RETRY });

    const outcome = (await responder.respond(await h.finding(fleet.targetInstanceId))).outcomes[0]!;
    const byId = new Map(outcome.steps.map((s) => [s.stepId, s]));
    const failed = byId.get('leave-auto-scaling')!;
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({ name: 'Throttling', transient: true });
    expect(outcome.status).toBe('partial');

    const incident = await responder.getIncident(outcome.incidentId);
    const dependents = dependentsOf(incident.plan, 'leave-auto-scaling');
    expect(dependents.sort()).toEqual(['deregister-targets', 'isolate-network', 'nacl-cut', 'stop-instance']);
    for (const id of dependents) {
      expect(byId.get(id)?.status, id).toBe('skipped');
      expect(byId.get(id)?.error?.name, id).toBe('DependencyNotSatisfied');
    }
    // Credentials are cut even though the network could not be: they do not depend on the fleet steps.
    for (const id of ['capture-evidence', 'snapshot-volumes', 'tag-instance', 'preserve-instance', 'deny-instance-session', 'replace-instance-profile', 'enforce-imdsv2']) {
      expect(byId.get(id)?.status, id).toBe('done');
    }

    // The default budget (5 attempts) was spent on EnterStandby, and the evidence shows every attempt.
    const standby = proxy.stats().byOperation.find((o) => o.operation === 'EnterStandby')!;
    expect(standby).toMatchObject({ requests: 5, throttle: 5, forwarded: 0 });
    const caseDir = incident.evidenceLocation!.replace(/^file:\/\//, '');
    const ev = await stepEvidence(caseDir, 'leave-auto-scaling', 'error.json');
    expect(ev.retries).toBe(4);
    expect(ev.calls.filter((c) => c.operation === 'EnterStandby').map((c) => c.error)).toEqual(Array(5).fill('Throttling'));

    // Still in its fleet, so the network was not cut (health checks would get it replaced and the evidence lost).
    const after = await h.state(fleet, outcome.incidentId);
    expect(after.autoScaling?.lifecycleState).toBe('InService');
    expect(after.groupsByEni).toEqual(before.groupsByEni);
    expect(after.targetGroups).toEqual([fleet.targetGroupArn]);
    expect(after.instanceProfileArn).toBeUndefined();
    expect(after.roleInlinePolicies.some((p) => p.includes(fleet.targetInstanceId))).toBe(true);
    expect(after.terminationProtection).toBe(true);
  });
});
