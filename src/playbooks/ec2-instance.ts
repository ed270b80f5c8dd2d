/**
 * The EC2 instance playbook (GPU crypto-mining, C2, backdoors …): the order follows the containment reference —
 * evidence and preservation first, out of the fleet before the network is cut (otherwise failed health checks get
 * the instance replaced and the evidence terminated), every ENI isolated with the two-step swap, then credentials.
 * Everything that may start at once does: the evidence reads, the snapshots, the tags, the preservation, leaving
 * the Auto Scaling group and readying the isolation groups all start with the finding (their pre-images come from
 * one shared DescribeInstances; the target registrations the deregistration needs are read by the evidence then),
 * so the network is cut a handful of round trips after the decision. The evidence is read before anything changes (its reads are the run's first); only writing
 * it to the case may finish after the isolation.
 * The credential steps start once the ENIs' swap is made (its read-back goes on alongside). The session deny precedes
 * the profile removal (which starts once the deny is written): it matches the session name refreshed credentials
 * keep, so there is no window, and the role is still resolvable from the live association; the role-wide revocation
 * (whose cut-off refreshed credentials would escape) waits until the profile's removal is read back.
 * Pure: no I/O; the plan is data the engine journals and runs.
 */
import { z } from 'zod';
import { leaveGroup } from '../actions/autoscaling-leave-group.js';
import { captureInstanceEvidence } from '../actions/ec2-capture-instance-evidence.js';
import { enforceImdsv2 } from '../actions/ec2-enforce-imdsv2.js';
import { isolateNetworkInterfaces } from '../actions/ec2-isolate-network-interfaces.js';
import { naclCut } from '../actions/ec2-nacl-cut.js';
import { prepareIsolationGroups } from '../actions/ec2-prepare-isolation-groups.js';
import { preserveInstance } from '../actions/ec2-preserve-instance.js';
import { replaceInstanceProfile } from '../actions/ec2-replace-instance-profile.js';
import { snapshotVolumes } from '../actions/ec2-snapshot-volumes.js';
import { stopInstance } from '../actions/ec2-stop-instance.js';
import { tagInstance } from '../actions/ec2-tag-instance.js';
import { deregisterTargets } from '../actions/elbv2-deregister-targets.js';
import { BlocklistLocationSchema, blockRemoteIp } from '../actions/guardduty-block-remote-ip.js';
import { denyInstanceSession } from '../actions/iam-deny-instance-session.js';
import { revokeRoleSessions } from '../actions/iam-revoke-role-sessions.js';
import { INSTANCE_PROFILE_ARN } from '../actions/iam-role-lookup.js';
import type { Plan, PlanStep } from '../contracts/plan.js';
import type { Ec2InstanceSubject, Finding } from '../findings/model.js';
import { parsePublicIpv4 } from '../lists/threat-list-text.js';
import { definePlaybook, type PlanArgs } from './define-playbook.js';

export const EC2_INSTANCE_PLAYBOOK = 'ec2-instance';

const Ec2PlaybookOptionsSchema = z.strictObject({
  // Seconds between the untrack and the isolation group (no AWS doc states how long is enough; default 0).
  isolationSettleSeconds: z
    .number({ error: 'a number of seconds from 0 to 600' })
    .min(0, { error: 'a number of seconds from 0 to 600' })
    .max(600, { error: 'a number of seconds from 0 to 600' })
    .optional(),
  // Instance profile to swap in instead of disassociating (e.g. a forensic profile with SSM only).
  replacementProfileArn: z.string().regex(INSTANCE_PROFILE_ARN, { error: 'an instance-profile ARN' }).optional(),
  // Auto Scaling: `standby` (default, AWS's recommended troubleshooting state) or `detach`.
  autoScalingMethod: z.enum(['standby', 'detach'], { error: '"standby" or "detach"' }).optional(),
  // The responder-managed GuardDuty threat list: when set, the finding's remote IPv4 address is put on it.
  blocklist: BlocklistLocationSchema.extend({
    // The account and Region the list, detector and set belong to, when known. The step acts with the finding's
    // account and Region clients, so it is planned only for subjects there (the administrator's lists cover its
    // members in GuardDuty, but the member role cannot edit them).
    accountId: z.string().regex(/^\d{12}$/, { error: 'a 12-digit account id' }).optional(),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, { error: 'an AWS Region such as eu-west-1' }).optional(),
  }).optional(),
});

export type Ec2PlaybookOptions = z.input<typeof Ec2PlaybookOptionsSchema>;
export type Ec2BlocklistOptions = NonNullable<Ec2PlaybookOptions['blocklist']>;

/** The steps, in plan order: step id → the action it runs. */
export const EC2_INSTANCE_STEPS = {
  'capture-evidence': captureInstanceEvidence,
  'snapshot-volumes': snapshotVolumes,
  'tag-instance': tagInstance,
  'preserve-instance': preserveInstance,
  'leave-auto-scaling': leaveGroup,
  'deregister-targets': deregisterTargets,
  'prepare-isolation': prepareIsolationGroups,
  'isolate-network': isolateNetworkInterfaces,
  'deny-instance-session': denyInstanceSession,
  'replace-instance-profile': replaceInstanceProfile,
  'enforce-imdsv2': enforceImdsv2,
  'revoke-role-sessions': revokeRoleSessions,
  'nacl-cut': naclCut,
  'stop-instance': stopInstance,
  // Only when the responder has a blocklist and the finding a public remote IPv4 address.
  'block-remote-ip': blockRemoteIp,
} as const;

/** The finding's remote address when it is one public IPv4 address (the only kind a GuardDuty IP list takes). */
function blockableRemoteIp(finding: Finding): string | undefined {
  const ip = finding.actor?.remoteIp;
  if (ip === undefined) return undefined;
  try {
    return parsePublicIpv4(ip).address;
  } catch {
    // Private, reserved, IPv6 or malformed: nothing a threat list could hold, so no step (not a failure).
    return undefined;
  }
}

function planSteps({ finding, subject, options, step }: PlanArgs<'ec2-instance', typeof EC2_INSTANCE_STEPS, typeof Ec2PlaybookOptionsSchema>): PlanStep[] {
  const instanceId = subject.details.instanceId;
  const base = { instanceId };
  const profileArn = subject.details.iamInstanceProfile?.arn;
  const steps: PlanStep[] = [
    step('capture-evidence', {
      input: base,
      dependsOn: [],
      description: 'Describe the instance, its ENIs, volumes, profile and attributes, and its console output, into the case',
    }),
    step('snapshot-volumes', {
      input: base,
      dependsOn: [],
      description: 'Crash-consistent snapshots of every attached volume, tagged with the case id (kept on release)',
    }),
    step('tag-instance', {
      input: { ...base, status: 'contained', findingType: finding.type.raw, findingId: finding.id },
      dependsOn: [],
      description: 'Tag the instance with the case id and status so operators see the investigation',
    }),
    step('preserve-instance', {
      input: base,
      dependsOn: [],
      description: 'Termination protection, shutdown behaviour = stop, volumes kept on termination',
    }),
    step('leave-auto-scaling', {
      input: { ...base, method: options.autoScalingMethod ?? 'standby' },
      // Alongside the preservation, not after it: termination protection does not bind Auto Scaling, so waiting
      // for it would keep the instance in its fleet longer for nothing.
      dependsOn: [],
      description: 'Take the instance out of its Auto Scaling group (capacity kept) so isolation does not get it replaced',
    }),
    step('deregister-targets', {
      input: base,
      // After the group, never before (the group's ELB health check could replace an InService instance taken out of
      // its target group): once Auto Scaling has accepted the instance's leaving, not after reading it back (the
      // isolation waits for that read-back). Its pre-image comes from the evidence's read at the start.
      dependsOn: [],
      afterChangeOf: ['leave-auto-scaling'],
      description: 'Deregister the instance from every load-balancer target group',
    }),
    step('prepare-isolation', {
      input: base,
      dependsOn: [],
      description: 'Find or create the VPC’s untrack and isolation security groups, in shape, before the swap (kept on release)',
    }),
    step('isolate-network', {
      input: { ...base, settleSeconds: options.isolationSettleSeconds ?? 0 },
      dependsOn: [],
      // Snapshots are started and the instance tagged first, but their failure must not keep a miner on the network.
      // The groups are readied first; without them (a failed preparation) the isolation readies them itself.
      after: ['snapshot-volumes', 'tag-instance', 'prepare-isolation'],
      // Never cut the network of an instance still in its fleet: health checks would get it terminated.
      requiresSuccessOf: ['leave-auto-scaling', 'deregister-targets'],
      description: 'Every ENI: untrack group (all open) then isolation group (no rules); the instance’s own groups untouched',
    }),
    step('deny-instance-session', {
      input: { ...base, ...(profileArn ? { instanceProfileArn: profileArn } : {}) },
      dependsOn: ['capture-evidence'],
      // Credentials are cut after the network: once the ENIs' swap is made (not read back), and also when isolation
      // could not happen (it needs the fleet steps).
      after: ['isolate-network'],
      afterChangeOf: ['isolate-network'],
      description: 'Deny this instance’s role session only (aws:userid / ec2:SourceInstanceARN), stolen copies included',
    }),
    step('replace-instance-profile', {
      input: { ...base, ...(options.replacementProfileArn ? { replacementProfileArn: options.replacementProfileArn } : {}) },
      dependsOn: ['capture-evidence'],
      // Once the deny is written (not read back), and also when it could not be: the deny matches the session name
      // refreshed credentials keep, so removing the profile after it leaves no window.
      after: ['deny-instance-session'],
      afterChangeOf: ['deny-instance-session'],
      description: options.replacementProfileArn
        ? 'Replace the instance profile with the forensic profile'
        : 'Disassociate the instance profile so the instance gets no new role credentials',
    }),
    step('enforce-imdsv2', {
      input: base,
      dependsOn: ['capture-evidence'],
      after: ['isolate-network'],
      afterChangeOf: ['isolate-network'],
      description: 'Require IMDSv2 session tokens',
    }),
    step('revoke-role-sessions', {
      input: { ...base, ...(profileArn ? { instanceProfileArn: profileArn } : {}) },
      dependsOn: ['replace-instance-profile'],
      requiresSuccessOf: ['replace-instance-profile'],
      description: 'Revoke every session of the role issued before now: hits the whole fleet sharing the role',
    }),
    step('nacl-cut', {
      input: base,
      dependsOn: ['isolate-network'],
      description: 'Deny-all network ACL on the instance’s subnets: cuts tracked connections, and the whole subnet',
    }),
    step('stop-instance', {
      input: { ...base, requireSnapshotsFromStep: 'snapshot-volumes' },
      dependsOn: ['isolate-network'],
      // Stopping loses memory; never after a failed evidence capture.
      requiresSuccessOf: ['capture-evidence', 'snapshot-volumes'],
      description: 'Stop the instance (memory is lost; volumes and snapshots kept)',
    }),
  ];
  const blocklist = options.blocklist;
  const remoteIp = blockableRemoteIp(finding);
  if (
    blocklist !== undefined &&
    remoteIp !== undefined &&
    (blocklist.accountId === undefined || blocklist.accountId === subject.accountId) &&
    (blocklist.region === undefined || blocklist.region === subject.region)
  ) {
    steps.push(
      step('block-remote-ip', {
        input: {
          ip: remoteIp,
          bucket: blocklist.bucket,
          key: blocklist.key,
          detectorId: blocklist.detectorId,
          threatIntelSetId: blocklist.threatIntelSetId,
        },
        dependsOn: ['isolate-network'],
        description: `Put ${remoteIp} on the responder's GuardDuty threat list so every other resource talking to it raises a finding`,
      }),
    );
  }
  return steps;
}

export const ec2InstancePlaybook = definePlaybook({
  name: EC2_INSTANCE_PLAYBOOK,
  subjectKinds: ['ec2-instance'],
  steps: EC2_INSTANCE_STEPS,
  options: Ec2PlaybookOptionsSchema,
  plan: planSteps,
});

export const EC2_INSTANCE_STEP_IDS: readonly string[] = ec2InstancePlaybook.stepIds;

/** The plan for one instance (the options are validated: a PlanError when they are not valid). */
export function planEc2Instance(finding: Finding, subject: Ec2InstanceSubject, options: Ec2PlaybookOptions = {}): Plan {
  return ec2InstancePlaybook.plan(finding, subject, options);
}
