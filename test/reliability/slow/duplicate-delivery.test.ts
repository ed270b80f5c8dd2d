/**
 * Duplicate and out-of-order delivery (issue 12, "Reliability suites"): the same GuardDuty finding arrives as an
 * EventBridge event, as a line of the S3 export, and re-published later with a higher count — the newest first,
 * then the older copies, then all three at once. One incident; each containment step runs once (one attempt, one
 * mutating call per operation it owns); the instance is contained (read back from moto).
 */
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/findings/model.js';
import { parseRecord } from '../../../src/findings/read-input.js';
import { buildEc2DrillFinding } from '../../../src/drill/ec2-finding.js';
import { ACCOUNT, REGION, isReadOnlyOperation, startHarness, type Harness } from '../../support/engine-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

function asFinding(value: unknown, source: { name: string; line?: number }): Finding {
  const rec = parseRecord(value, source);
  if (rec.kind !== 'finding') throw new Error(`not a finding: ${source.name}`);
  return rec;
}

describe('the same finding delivered three ways, out of order', () => {
  it('opens one incident and runs each containment step once', async () => {
    const fleet = await h.seed('dup');
    const d = await h.clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [fleet.targetInstanceId] }));
    const instance = d.Reservations![0]!.Instances![0]!;
    const first = new Date(Date.now() - 60_000);
    const raw = buildEc2DrillFinding(instance, { accountId: ACCOUNT, region: REGION, now: first, count: 1 });
    const later = { ...buildEc2DrillFinding(instance, { accountId: ACCOUNT, region: REGION, now: new Date(), count: 7 }), id: raw['id'] };
    const event = { version: '0', id: 'e-dup-1', 'detail-type': 'GuardDuty Finding', source: 'aws.guardduty', account: ACCOUNT, time: raw['updatedAt'], region: REGION, resources: [], detail: raw };

    const viaEvent = asFinding(event, { name: 'eventbridge' });
    const viaExport = asFinding(raw, { name: 's3://exports/AWSLogs/123456789012/GuardDuty/us-east-1/export.jsonl.gz', line: 3 });
    const republished = asFinding(later, { name: 'eventbridge' });
    expect([viaEvent.id, viaExport.id]).toEqual([republished.id, republished.id]);
    expect(republished.count).toBeGreaterThan(viaEvent.count);

    const { responder, journal, calls } = await h.engine();
    const results = [await responder.respond(republished), await responder.respond(viaEvent), await responder.respond(viaExport)];
    results.push(...(await Promise.all([viaExport, republished, viaEvent].map((f) => responder.respond(f)))));
    const outcomes = results.map((r) => r.outcomes[0]!);
    expect(new Set(outcomes.map((o) => o.incidentId)).size).toBe(1);
    expect(outcomes[0]!.status).toBe('contained');

    const incidentId = outcomes[0]!.incidentId;
    const incidents = (await journal.listIncidents()).filter((i) => i.subjectId === fleet.targetInstanceId);
    expect(incidents).toHaveLength(1);
    const steps = await journal.getSteps(incidentId);
    const done = steps.filter((s) => s.status === 'done');
    expect(done.length).toBeGreaterThanOrEqual(10);
    for (const s of done) expect(s.attempts, s.stepId).toBe(1);
    const events = await journal.listEvents(incidentId);
    expect(events.filter((e) => e.type === 'step.done')).toHaveLength(done.length);
    expect(events.filter((e) => e.type === 'step.taken-over')).toEqual([]);

    // Mutations that create something happen once whatever the deliveries: one snapshot per volume, one of each group.
    const mutating = calls.filter((c) => !isReadOnlyOperation(c.operation) && !c.error);
    const volumes = (instance.BlockDeviceMappings ?? []).filter((m) => m.Ebs?.VolumeId).length;
    expect(mutating.filter((c) => /^CreateSnapshot/.test(c.operation))).toHaveLength(volumes);
    expect(mutating.filter((c) => /^CreateSecurityGroup/.test(c.operation)).length).toBeLessThanOrEqual(2);
    const state = await h.state(fleet, incidentId);
    expect(state.caseSnapshots).toHaveLength(volumes);
    for (const g of Object.values(state.groupsByEni)) expect(g).not.toContain(fleet.appSecurityGroupId);
    expect(state.httpTokens).toBe('required');
  });
});
