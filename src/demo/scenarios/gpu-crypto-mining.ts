/**
 * The default demo (`npm start`): a GPU inference fleet in moto_server, a crypto-mining finding for one instance
 * built from its real ids, the engine containing it, the state read back from the emulator to prove containment
 * holds, a re-delivery that changes nothing, a release, and the restored state read back (24 checks).
 */
import { join } from 'node:path';
import { EC2Client, DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { parseRecord } from '../../findings/read-input.js';
import type { Finding } from '../../findings/model.js';
import { renderText } from '../../notify/notification.js';
import { verifyManifest } from '../../evidence/verify-manifest.js';
import { formatDecision, formatPlan, formatTimeline } from '../../cli/print-incident.js';
import { buildEc2DrillFinding } from '../../drill/ec2-finding.js';
import { readInstanceState, type InstanceState } from '../../drill/read-instance-state.js';
import { seedGpuFleet, type SeededFleet } from '../../drill/seed-gpu-fleet.js';
import type { DemoScenario, ScenarioContext } from '../scenario.js';

export const gpuCryptoMiningScenario: DemoScenario = {
  name: 'gpu-crypto-mining',
  summary: 'contain a crypto-mining GPU instance (p4d in an Auto Scaling group behind a target group), prove it, release it',
  run,
};

async function run({ log, check, accountId, region, clientConfig: cfg, runtime, notifier, evidenceDir }: ScenarioContext): Promise<void> {
  const c = { ec2: new EC2Client(cfg), autoScaling: new AutoScalingClient(cfg), elbv2: new ElasticLoadBalancingV2Client(cfg), iam: new IAMClient(cfg) };
  log('2. Seeding a GPU inference fleet: VPC, 2 subnets, instance role, Auto Scaling group of p4d.24xlarge behind a target group…');
  const fleet = await seedGpuFleet(c);
  log(`   ASG ${fleet.autoScalingGroupName}: ${fleet.instanceIds.join(', ')}; target ${fleet.targetInstanceId} has 2 ENIs`);
  const readState = (caseId?: string): Promise<InstanceState> =>
    readInstanceState(c, fleet.targetInstanceId, { targetGroupArns: [fleet.targetGroupArn], roleName: fleet.roleName, caseId });
  const before = await readState();

  log('3. GuardDuty reports crypto-mining on one instance (a drill finding built from its real ids)…');
  const finding = await drillFinding(c.ec2, fleet, accountId, region);
  log(`   ${finding.type.raw} severity ${finding.severity} on ${fleet.targetInstanceId}; AI: ${finding.subjects[0]?.ai.reasons.map((r) => r.detail).join('; ') ?? '-'}`);

  log('4. The engine responds (policy examples/tourniquet.yaml: contain for AI crypto-mining)…');
  const result = await runtime.responder.respond(finding);
  const outcome = result.outcomes.find((o) => o.subject.kind === 'ec2-instance');
  if (!outcome) throw new Error('the engine opened no incident for the instance');
  const incidentId = outcome.incidentId;
  const incident = await runtime.responder.getIncident(incidentId);
  for (const l of formatDecision(outcome.decision)) log(l);
  log('   steps:');
  for (const l of formatPlan(incident.plan, outcome.steps)) log(l);
  log('   timeline:');
  for (const l of formatTimeline(await runtime.journal.listEvents(incidentId))) log(l);
  for (const n of notifier.sent) log(renderText(n).replace(/^/gm, '   │ '));

  log('5. Reading the state back from the emulator…');
  const after = await readState(incidentId);
  const isolationGroups = new Set(Object.values(after.groupsByEni).flat());
  check('every ENI isolated', Object.keys(after.groupsByEni).length === 2 && Object.values(after.groupsByEni).every((g) => g.length === 1) && isolationGroups.size === 1, JSON.stringify(after.groupsByEni));
  const iso = [...isolationGroups][0];
  check('isolation group has no rules', iso !== undefined && after.ruleCounts[iso] === 0, `${iso ?? '-'}: ${iso ? after.ruleCounts[iso] : '-'} rules`);
  check('app security group untouched', !isolationGroups.has(fleet.appSecurityGroupId), fleet.appSecurityGroupId);
  check('out of the Auto Scaling group (Standby)', after.autoScaling?.lifecycleState === 'Standby', after.autoScaling?.lifecycleState ?? 'not in a group');
  check('out of the target group', after.targetGroups.length === 0, after.targetGroups.join(',') || 'deregistered');
  check('instance profile removed', after.instanceProfileArn === undefined, after.instanceProfileArn ?? 'none');
  check('session deny on the role', after.roleInlinePolicies.some((p) => p.includes(fleet.targetInstanceId)), after.roleInlinePolicies.join(','));
  check('IMDSv2 required', after.httpTokens === 'required', after.httpTokens ?? '-');
  check('termination protection on', after.terminationProtection === true, String(after.terminationProtection));
  check('shutdown behaviour = stop', after.shutdownBehavior === 'stop', after.shutdownBehavior ?? '-');
  check('tagged with the case id', after.tags['tourniquet:case'] === incidentId, after.tags['tourniquet:case'] ?? '-');
  check('volumes snapshotted for the case', after.caseSnapshots.length > 0, after.caseSnapshots.join(','));
  check('still running (stop waits for approval)', after.state === 'running' && outcome.steps.some((s) => s.stepId === 'stop-instance' && s.status === 'awaiting-approval'), after.state ?? '-');

  log('6. GuardDuty re-delivers the same finding (at-least-once delivery)…');
  const again = await runtime.responder.respond(finding);
  check('re-delivery is a no-op', again.outcomes.every((o) => o.duplicate), again.outcomes.map((o) => (o.duplicate ? 'duplicate' : 'processed')).join(','));

  log('7. Releasing the incident…');
  const released = await runtime.responder.release(incidentId, { by: 'demo', reason: 'false positive: benchmark job' });
  log(`   restored: ${released.released.join(', ')}`);
  const restored = await readState(incidentId);
  check('release succeeded', released.failed.length === 0 && released.incident.status === 'released', released.incident.status);
  check('groups restored per ENI', JSON.stringify(restored.groupsByEni) === JSON.stringify(before.groupsByEni), JSON.stringify(restored.groupsByEni));
  check('back in service in the Auto Scaling group', restored.autoScaling?.lifecycleState === 'InService', restored.autoScaling?.lifecycleState ?? '-');
  check('back in the target group', restored.targetGroups.length === 1, restored.targetGroups.join(','));
  check('instance profile restored', restored.instanceProfileArn === before.instanceProfileArn, restored.instanceProfileArn ?? 'none');
  check('role policies restored', JSON.stringify(restored.roleInlinePolicies) === JSON.stringify(before.roleInlinePolicies), restored.roleInlinePolicies.join(',') || '(none)');
  check('metadata options restored', restored.httpTokens === before.httpTokens, restored.httpTokens ?? '-');
  check('attributes restored', restored.terminationProtection === before.terminationProtection && restored.shutdownBehavior === before.shutdownBehavior, `${restored.terminationProtection}/${restored.shutdownBehavior}`);
  check('snapshots kept as evidence', restored.caseSnapshots.length === after.caseSnapshots.length, restored.caseSnapshots.join(','));

  log('8. Verifying the evidence manifest (SHA-256, chained)…');
  const verdict = await verifyManifest(incident.evidenceLocation ?? join(evidenceDir, incidentId));
  check('evidence chain intact', verdict.ok, `${verdict.entries} entries at ${incident.evidenceLocation ?? '-'}`);
}

async function drillFinding(ec2: EC2Client, fleet: SeededFleet, accountId: string, region: string): Promise<Finding> {
  const d = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [fleet.targetInstanceId] }));
  const instance = d.Reservations?.[0]?.Instances?.[0];
  if (!instance) throw new Error(`instance ${fleet.targetInstanceId} not found`);
  const raw = buildEc2DrillFinding(instance, { accountId, region, type: 'CryptoCurrency:EC2/BitcoinTool.B!DNS', severity: 8 });
  const record = parseRecord(raw, { name: 'drill' });
  if (record.kind !== 'finding') throw new Error('drill finding did not parse as a finding');
  return record;
}
