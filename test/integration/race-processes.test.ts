/**
 * Two separate `tourniquet respond` processes racing on one finding, sharing one journal table: the embedded
 * emulator (dynalite) served to both, and moto_server's DynamoDB. One incident, one decided occurrence, every step
 * run once by one of them, one snapshot per volume, one group of each kind; both end with the incident contained.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeInstancesCommand, DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../../src/drill/fault-proxy.js';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../src/journal/embedded-dynamo.js';
import { openJournal } from '../../src/journal/open-journal.js';
import { CONTAIN_POLICY, startHarness, type Harness } from '../support/engine-harness.js';
import { spawnCli } from '../support/cli-process.js';

let h: Harness;
let dir: string;
let policyFile: string;
let dynalite: EmbeddedDynamo;
let serialized: FaultProxy;
beforeAll(async () => {
  h = await startHarness();
  dir = await mkdtemp(join(tmpdir(), 'tourniquet-race-'));
  policyFile = join(dir, 'policy.yaml');
  await writeFile(policyFile, CONTAIN_POLICY);
  dynalite = await startEmbeddedDynamo();
  // moto's DynamoDB does not make a conditional write atomic under concurrent requests (two racing writers can both
  // pass the condition); DynamoDB does. Serialized in front of moto, each condition holds as it would on AWS.
  serialized = await startFaultProxy({ upstream: h.moto.endpoint, serialize: true });
});
afterAll(async () => {
  await serialized?.close();
  await dynalite?.close();
  await h?.close();
});

describe.each([
  ['the embedded emulator (dynalite) shared by both', () => dynalite.endpoint],
  ["moto_server's DynamoDB", () => serialized.endpoint],
] as const)('two processes, one finding, journal on %s', (_name, journalEndpoint) => {
  it('open one incident and run each step once; containment holds', async () => {
    const name = `race-${Math.random().toString(36).slice(2, 8)}`;
    const fleet = await h.seed(name);
    const findingFile = join(dir, `${name}.json`);
    await writeFile(findingFile, JSON.stringify((await h.finding(fleet.targetInstanceId)).raw));
    const table = `journal-${name}`;
    const args = (n: number): string[] => [
      'respond', findingFile, '--json', '--policy', policyFile,
      '--journal-table', table, '--journal-endpoint', journalEndpoint(),
      '--evidence-dir', join(dir, name, `cases-${n}`), '--endpoint', h.moto.endpoint,
    ];
    const [a, b] = await Promise.all([spawnCli(args(1)).exited, spawnCli(args(2)).exited]);
    expect([a.err, b.err]).toEqual(['', '']);
    expect([a.code, b.code]).toEqual([0, 0]);
    const outcomes = [a, b].map((r) => (JSON.parse(r.out) as Array<{ outcomes: Array<{ incidentId: string; handling: string; status: string }> }>)[0]!.outcomes[0]!);
    expect(outcomes[0]!.incidentId).toBe(outcomes[1]!.incidentId);
    expect(outcomes.map((o) => o.handling).sort()).toEqual(expect.arrayContaining(['created']));
    expect(outcomes.filter((o) => o.handling === 'created')).toHaveLength(1);
    expect(outcomes.map((o) => o.status)).toEqual(['contained', 'contained']);

    const journal = await openJournal({ tableName: table, endpoint: journalEndpoint() });
    try {
      const incidents = (await journal.listIncidents()).filter((i) => i.subjectId === fleet.targetInstanceId);
      expect(incidents).toHaveLength(1);
      const incidentId = incidents[0]!.incidentId;
      expect(incidents[0]!.occurrences).toBe(1);
      expect((await journal.listOccurrences(incidentId)).map((o) => o.status)).toEqual(['merged']);
      const steps = await journal.getSteps(incidentId);
      const done = steps.filter((s) => s.status === 'done');
      expect(done.length).toBeGreaterThanOrEqual(10);
      for (const s of done) expect(s.attempts, s.stepId).toBe(1);
      const events = await journal.listEvents(incidentId);
      expect(events.filter((e) => e.type === 'decision')).toHaveLength(1);
      expect(events.filter((e) => e.type === 'step.done')).toHaveLength(done.length);
      expect(events.filter((e) => e.type === 'step.taken-over')).toEqual([]);

      const state = await h.state(fleet, incidentId);
      const { Reservations } = await h.clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [fleet.targetInstanceId] }));
      const volumes = (Reservations?.[0]?.Instances?.[0]?.BlockDeviceMappings ?? []).filter((m) => m.Ebs?.VolumeId).length;
      expect(state.caseSnapshots).toHaveLength(volumes);
      const groups = await h.clients.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [fleet.vpcId] }, { Name: 'tag-key', Values: ['tourniquet:role'] }] }));
      expect(groups.SecurityGroups?.map((g) => g.Tags?.find((t) => t.Key === 'tourniquet:role')?.Value).sort()).toEqual(['isolation', 'untrack']);
      for (const g of Object.values(state.groupsByEni)) expect(g).not.toContain(fleet.appSecurityGroupId);
      expect(state.httpTokens).toBe('required');
    } finally {
      await journal.close();
    }
  });
});
