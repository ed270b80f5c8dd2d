/**
 * Faults (issue 12, "Reliability suites"): three findings on three instances handled at once through the fault proxy
 * at the mix — 20% throttling, 5% 5xx, 2% connection resets on every AWS call the engine makes. Each incident
 * must end contained or explicitly failed (`partial`, every failed step carrying its reason), and what the journal says was done
 * must hold in moto (read straight from moto, not through the proxy): no second snapshot, IMDSv2 enforced, the
 * application group gone from every ENI. Slow (about 45 s on 2 busy cores): only in `npm run test:reliability`.
 */
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../../../src/drill/fault-proxy.js';
import { startHarness, type Harness } from '../../support/engine-harness.js';

const SEED = Number(process.env.TOURNIQUET_FAULT_SEED ?? 12);

let h: Harness;
let proxy: FaultProxy | undefined;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await proxy?.close();
  await h?.close();
});

describe('three findings under 20% throttling, 5% 5xx and 2% resets', () => {
  it('every incident ends contained or failed with its reason, and the journal agrees with moto', async () => {
    const fleets = await Promise.all(['fa', 'fb', 'fc'].map((n) => h.seed(n)));
    proxy = await startFaultProxy({
      upstream: h.moto.endpoint,
      seed: SEED,
      rules: [
        { name: 'throttle', probability: 0.2, fault: { kind: 'throttle' } },
        { name: '5xx', probability: 0.05, fault: { kind: 'server-error' } },
        { name: 'reset', probability: 0.02, fault: { kind: 'reset' } },
      ],
    });
    const { responder } = await h.engine({ endpoint: proxy.endpoint, retry: { baseDelayMs: 5, maxDelayMs: 50 } });
    const findings = await Promise.all(fleets.map((f) => h.finding(f.targetInstanceId)));
    const results = await Promise.all(findings.map((f) => responder.respond(f)));

    const stats = proxy.stats();
    expect(stats.injected.throttle + stats.injected['server-error'] + stats.injected.reset).toBeGreaterThan(10);
    for (const [i, r] of results.entries()) {
      const o = r.outcomes[0]!;
      // Ends settled: contained, or partial with the failed steps named and each carrying its reason; nothing left running.
      expect(['contained', 'partial'], `${o.incidentId}: ${o.status}`).toContain(o.status);
      expect(o.steps.filter((x) => x.status === 'running').map((x) => x.stepId)).toEqual([]);
      const failed = o.steps.filter((x) => x.status === 'failed');
      if (o.status === 'partial') expect(failed.length).toBeGreaterThan(0);
      for (const s of failed) expect(s.error?.message, s.stepId).toMatch(/\S/);
      const done = new Set(o.steps.filter((s) => s.status === 'done').map((s) => s.stepId));
      const fleet = fleets[i]!;
      const state = await h.state(fleet, o.incidentId);
      // A snapshot taken is never taken twice, whatever answers were lost.
      const d = await h.clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [fleet.targetInstanceId] }));
      const volumes = (d.Reservations?.[0]?.Instances?.[0]?.BlockDeviceMappings ?? []).filter((m) => m.Ebs?.VolumeId).length;
      expect(state.caseSnapshots.length).toBeLessThanOrEqual(volumes);
      if (done.has('snapshot-volumes')) expect(state.caseSnapshots).toHaveLength(volumes);
      if (done.has('enforce-imdsv2')) expect(state.httpTokens).toBe('required');
      if (done.has('isolate-network')) for (const g of Object.values(state.groupsByEni)) expect(g).not.toContain(fleet.appSecurityGroupId);
      if (o.status === 'contained') expect([...done]).toEqual(expect.arrayContaining(['snapshot-volumes', 'isolate-network', 'enforce-imdsv2']));
    }
  });
});
