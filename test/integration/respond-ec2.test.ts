/**
 * The whole path against moto_server: finding → decision → plan → journal → containment → evidence → release,
 * with the state read back from the emulator (not call counts).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DescribeInstancesCommand, DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorChanges, emulatorState } from '../support/emulator-state.js';
import { ACCOUNT, isReadOnlyOperation, startHarness, type Harness } from '../support/engine-harness.js';
import { verifyManifest } from '../../src/evidence/verify-manifest.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('EC2 instance playbook end to end', () => {
  it('contains a multi-ENI GPU instance, keeps evidence, and release restores every pre-image', async () => {
    const fleet = await h.seed('contain-e2e');
    const before = await h.state(fleet);
    expect(Object.keys(before.groupsByEni)).toHaveLength(2);
    const finding = await h.finding(fleet.targetInstanceId);
    expect(finding.subjects[0]?.ai.isAi).toBe(true);

    const { responder, journal } = await h.engine();
    const result = await responder.respond(finding);
    const outcome = result.outcomes.find((o) => o.subject.kind === 'ec2-instance')!;
    expect(outcome.created).toBe(true);
    expect(outcome.decision.effectiveMode).toBe('contain');
    const status = Object.fromEntries(outcome.steps.map((s) => [s.stepId, s.status]));
    expect(status).toMatchObject({
      'capture-evidence': 'done',
      'snapshot-volumes': 'done',
      'tag-instance': 'done',
      'preserve-instance': 'done',
      'leave-auto-scaling': 'done',
      'deregister-targets': 'done',
      'isolate-network': 'done',
      'deny-instance-session': 'done',
      'replace-instance-profile': 'done',
      'enforce-imdsv2': 'done',
      'revoke-role-sessions': 'awaiting-approval',
      'nacl-cut': 'awaiting-approval',
      'stop-instance': 'awaiting-approval',
    });
    expect(outcome.status).toBe('contained');

    // Containment holds, read back from the emulator.
    const after = await h.state(fleet, outcome.incidentId);
    const groups = Object.values(after.groupsByEni);
    expect(groups).toHaveLength(2);
    const isolation = groups[0]![0]!;
    for (const g of groups) expect(g).toEqual([isolation]);
    expect(after.ruleCounts[isolation]).toBe(0);
    expect(isolation).not.toBe(fleet.appSecurityGroupId);
    expect(after.autoScaling?.lifecycleState).toBe('Standby');
    expect(after.targetGroups).toEqual([]);
    expect(after.instanceProfileArn).toBeUndefined();
    expect(after.roleInlinePolicies.some((p) => p.includes(fleet.targetInstanceId))).toBe(true);
    expect(after.httpTokens).toBe('required');
    expect(after.terminationProtection).toBe(true);
    expect(after.shutdownBehavior).toBe('stop');
    expect(after.tags['tourniquet:case']).toBe(outcome.incidentId);
    expect(after.caseSnapshots.length).toBeGreaterThan(0);
    expect(after.state).toBe('running');

    // Every mutating step journaled its pre-image.
    const steps = await journal.getSteps(outcome.incidentId);
    for (const s of steps.filter((x) => x.status === 'done' && x.stepId !== 'capture-evidence')) {
      expect(s.preImage, `pre-image of ${s.stepId}`).toBeDefined();
    }
    // Evidence: finding, pre-images, results with request ids; the chain verifies.
    const incident = await responder.getIncident(outcome.incidentId);
    const caseDir = incident.evidenceLocation!.replace(/^file:\/\//, '');
    const verdict = await verifyManifest(incident.evidenceLocation!);
    expect(verdict.ok).toBe(true);
    const isolate = JSON.parse(await readFile(join(caseDir, 'steps', 'isolate-network', 'result.json'), 'utf8')) as { calls: Array<{ operation: string; requestId?: string }> };
    expect(isolate.calls.some((c) => c.operation.startsWith('ModifyNetworkInterfaceAttribute') && c.requestId)).toBe(true);

    // Release restores everything from the pre-images and records who and why.
    const released = await responder.release(outcome.incidentId, { by: 'alice', reason: 'false positive' });
    expect(released.failed).toEqual([]);
    expect(released.incident.status).toBe('released');
    expect(released.incident.releasedBy).toBe('alice');
    expect(released.cancelled.sort()).toEqual(['nacl-cut', 'revoke-role-sessions', 'stop-instance']);
    const restored = await h.state(fleet, outcome.incidentId);
    // Everything read back is as it was before containment (groups, fleet, targets, profile, role policies,
    // metadata options, attributes, tags, state); only the evidence snapshots are kept, on purpose.
    expect(restored.caseSnapshots).toEqual(after.caseSnapshots);
    expect({ ...restored, caseSnapshots: [] }).toEqual(before);
    expect(restored.autoScaling?.lifecycleState).toBe('InService');
    expect(restored.targetGroups).toEqual([fleet.targetGroupArn]);
  });

  it('re-delivery is a no-op; a newer occurrence is appended without re-running containment', async () => {
    const fleet = await h.seed('idempotent');
    const first = await h.finding(fleet.targetInstanceId, { now: new Date('2026-11-28T10:00:00Z') });
    const { responder, journal, calls } = await h.engine();
    const r1 = await responder.respond(first);
    const incidentId = r1.outcomes[0]!.incidentId;
    const callsAfterFirst = calls.length;

    const again = await responder.respond(first);
    expect(again.outcomes[0]!.duplicate).toBe(true);
    expect(again.outcomes[0]!.incidentId).toBe(incidentId);
    // The live reads, nothing else: the exemption tag (DescribeInstances) and the profile's roles (GetInstanceProfile)
    // are read before the journal says it is a duplicate (issue 7 item 5); no other AWS call.
    expect(calls.slice(callsAfterFirst).map((c) => c.operation).sort()).toEqual(['DescribeInstances', 'GetInstanceProfile']);

    const newer = await h.finding(fleet.targetInstanceId, { now: new Date('2026-11-28T10:15:00Z'), count: 7 });
    expect(newer.id).toBe(first.id);
    const r3 = await responder.respond(newer);
    expect(r3.outcomes[0]!.created).toBe(false);
    expect(r3.outcomes[0]!.duplicate).toBe(false);
    expect(r3.outcomes[0]!.incidentId).toBe(incidentId);
    expect(calls.slice(callsAfterFirst).filter((c) => !isReadOnlyOperation(c.operation))).toEqual([]);
    const incident = await responder.getIncident(incidentId);
    expect(incident.occurrences).toBe(2);
    const events = await journal.listEvents(incidentId);
    expect(events.some((e) => e.type === 'occurrence' && e.message.includes('count 7'))).toBe(true);
    const steps = await journal.getSteps(incidentId);
    expect(steps.filter((s) => s.status === 'done').every((s) => s.attempts === 1)).toBe(true);
  });

  it('two responders racing on one finding open one incident and run each step once', async () => {
    const fleet = await h.seed('race');
    const finding = await h.finding(fleet.targetInstanceId);
    const a = await h.engine({ runnerId: 'responder-a' });
    const b = await h.engine({ journal: a.journal, runnerId: 'responder-b' });
    const [ra, rb] = await Promise.all([a.responder.respond(finding), b.responder.respond(finding)]);
    expect(ra.outcomes[0]!.incidentId).toBe(rb.outcomes[0]!.incidentId);
    expect([ra.outcomes[0]!.created, rb.outcomes[0]!.created].filter(Boolean)).toHaveLength(1);
    const steps = await a.journal.getSteps(ra.outcomes[0]!.incidentId);
    for (const s of steps.filter((x) => x.status === 'done')) expect(s.attempts, s.stepId).toBe(1);
    const snapshots = [...a.calls, ...b.calls].filter((c) => c.operation.startsWith('CreateSnapshot'));
    expect(snapshots.filter((c) => !c.error)).toHaveLength(1);
    expect([ra.outcomes[0]!.status, rb.outcomes[0]!.status]).toContain('contained');

    // Read back from the emulator: contained once, not twice, and not half.
    const incidentId = ra.outcomes[0]!.incidentId;
    const after = await h.state(fleet, incidentId);
    const groups = Object.values(after.groupsByEni);
    expect(groups).toHaveLength(2);
    const isolation = groups[0]![0]!;
    expect(isolation).not.toBe(fleet.appSecurityGroupId);
    for (const g of groups) expect(g).toEqual([isolation]);
    expect(after.ruleCounts[isolation]).toBe(0);
    expect(after.autoScaling?.lifecycleState).toBe('Standby');
    expect(after.targetGroups).toEqual([]);
    expect(after.instanceProfileArn).toBeUndefined();
    // One snapshot per volume, one session deny, one untrack and one isolation group in the VPC.
    const instance = (await h.clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [fleet.targetInstanceId] }))).Reservations![0]!.Instances![0]!;
    const volumes = (instance.BlockDeviceMappings ?? []).map((m) => m.Ebs!.VolumeId!);
    expect(volumes.length).toBeGreaterThan(0);
    expect(after.caseSnapshots).toHaveLength(volumes.length);
    expect(after.roleInlinePolicies.filter((p) => p.includes(fleet.targetInstanceId))).toHaveLength(1);
    const ours = await h.clients.ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [fleet.vpcId] }, { Name: 'tag-key', Values: ['tourniquet:role'] }] }),
    );
    const roles = (ours.SecurityGroups ?? []).map((g) => g.Tags!.find((t) => t.Key === 'tourniquet:role')!.Value).sort();
    expect(roles).toEqual(['isolation', 'untrack']);
  });

  it('approve mode: evidence runs, one approval contains, destructive steps need their own approval', async () => {
    const fleet = await h.seed('approve-mode');
    const before = await h.state(fleet);
    const { responder } = await h.engine();
    const o = (await responder.respond(await h.finding(fleet.targetInstanceId), 'approve')).outcomes[0]!;
    const st = (id: string, steps = o.steps): string | undefined => steps.find((s) => s.stepId === id)?.status;
    expect(st('capture-evidence')).toBe('done');
    expect(st('snapshot-volumes')).toBe('done');
    expect(st('tag-instance')).toBe('awaiting-approval');
    expect(st('isolate-network')).toBe('planned');
    expect(o.status).toBe('awaiting-approval');
    expect((await h.state(fleet, o.incidentId)).groupsByEni).toEqual(before.groupsByEni);

    const approved = await responder.approve(o.incidentId, { by: 'dana' });
    expect(approved.approved).toContain('isolate-network');
    expect(st('isolate-network', approved.steps), JSON.stringify(approved.steps.map((s) => [s.stepId, s.status, s.error?.message]))).toBe('done');
    expect(st('stop-instance', approved.steps)).toBe('awaiting-approval');
    expect(approved.status).toBe('contained');
    expect((await h.state(fleet)).state).toBe('running');

    await expect(responder.approve(o.incidentId, { by: 'dana' })).rejects.toThrow(/only destructive steps wait.*stop-instance/);
    const stopped = await responder.approve(o.incidentId, { by: 'dana', stepId: 'stop-instance' });
    expect(st('stop-instance', stopped.steps)).toBe('done');
    expect((await h.state(fleet)).state).toMatch(/stopp/);
    const denied = await responder.deny(o.incidentId, { by: 'dana', reason: 'subnet shared' });
    expect(denied.denied.sort()).toEqual(['nacl-cut', 'revoke-role-sessions']);
  });

  it('observe mode plans and journals but makes zero mutating calls', async () => {
    const fleet = await h.seed('observe');
    const finding = await h.finding(fleet.targetInstanceId);
    const before = await h.state(fleet);
    const everything = await emulatorState(h.moto.endpoint);
    const { responder, calls, notifier, journal } = await h.engine();
    const result = await responder.respond(finding, 'observe');
    const o = result.outcomes[0]!;
    expect(o.status).toBe('observed');
    expect(o.steps.every((s) => s.status === 'planned')).toBe(true);
    expect(calls.filter((c) => !isReadOnlyOperation(c.operation))).toEqual([]);
    expect(await h.state(fleet)).toEqual(before);
    expect(emulatorChanges(everything, await emulatorState(h.moto.endpoint))).toEqual([]);
    expect(ACCOUNT).toBe(o.subject.accountId);
    // Nothing leaves in observe mode: the notification is on the timeline only.
    expect(notifier.sent).toEqual([]);
    expect((await journal.listEvents(o.incidentId)).some((e) => e.type === 'notify.suppressed')).toBe(true);
  });
});
