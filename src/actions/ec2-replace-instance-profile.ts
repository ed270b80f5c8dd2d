/**
 * `ec2.replace-instance-profile`: stop the instance from obtaining fresh role credentials from IMDS by
 * disassociating its instance profile, or replacing it with `replacementProfileArn` (e.g. a forensic profile with
 * SSM only). Do this BEFORE revoking sessions: IMDS hands a running instance refreshed credentials otherwise.
 * Credentials already issued stay valid until they expire — pair with `iam.deny-instance-session`.
 * Release re-associates the original profile. No profile → no-op.
 */
import {
  AssociateIamInstanceProfileCommand,
  DisassociateIamInstanceProfileCommand,
  ReplaceIamInstanceProfileAssociationCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { z } from 'zod';
import type { Json } from '../findings/model.js';
import type { VerifyResult } from './action.js';
import { ARN, resolveInstanceId } from './action-support.js';
import { defineAction } from './define-action.js';
import { requireSharedInstance } from './ec2-lookup.js';
import { INSTANCE_PROFILE_ARN, activeProfileAssociation, sharedActiveProfileAssociation, sharedRolesOfProfile, type RoleRef } from './iam-role-lookup.js';

const InputSchema = z.strictObject({
  // Defaults to the subject's instance id.
  instanceId: z.string().optional(),
  // Associate this profile instead of leaving the instance without one.
  replacementProfileArn: z.string().regex(INSTANCE_PROFILE_ARN, 'must be an instance-profile ARN').optional(),
});

/** Input of `ec2.replace-instance-profile`. */
export type ReplaceInstanceProfileInput = z.infer<typeof InputSchema>;

export type ReplaceInstanceProfilePreImage = {
  instanceId: string;
  association: { associationId: string; profileArn: string; profileId: string | null } | null;
  roles: RoleRef[];
};

export type ReplaceInstanceProfileOutput = {
  action: 'none' | 'disassociated' | 'replaced' | 'associated';
  previousProfileArn: string | null;
  currentProfileArn: string | null;
};

export const replaceInstanceProfile = defineAction({
  name: 'ec2.replace-instance-profile',
  effect: 'contain',
  input: InputSchema,
  description:
    'Remove the instance profile (or replace it with a given forensic profile) so the instance stops receiving ' +
    'role credentials from IMDS. Already-issued credentials stay valid until they expire. Release re-associates ' +
    'the original profile.',
  permissions: [
    {
      actions: ['ec2:DescribeInstances', 'ec2:DescribeIamInstanceProfileAssociations'],
      resources: ['*'],
      why: 'Describe calls do not support resource-level permissions',
    },
    {
      actions: ['ec2:DisassociateIamInstanceProfile', 'ec2:ReplaceIamInstanceProfileAssociation', 'ec2:AssociateIamInstanceProfile'],
      resources: [ARN.ec2Instance],
      why: 'Remove or replace the profile, and re-associate the original on release',
    },
    {
      actions: ['iam:GetInstanceProfile'],
      resources: [ARN.iamInstanceProfile],
      why: 'Record the role(s) in the original profile',
    },
    {
      actions: ['iam:PassRole'],
      resources: [ARN.iamRole],
      conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
      why: 'Associating a profile passes its role to EC2 (the replacement now, the original role on release)',
    },
  ],

  async capture(input, ctx): Promise<ReplaceInstanceProfilePreImage> {
    const instanceId = resolveInstanceId(input, ctx);
    const [, assoc] = await Promise.all([requireSharedInstance(ctx, instanceId), sharedActiveProfileAssociation(ctx, instanceId)]);
    const arn = assoc?.IamInstanceProfile?.Arn;
    if (assoc?.AssociationId === undefined || arn === undefined) return { instanceId, association: null, roles: [] };
    return {
      instanceId,
      association: { associationId: assoc.AssociationId, profileArn: arn, profileId: assoc.IamInstanceProfile?.Id ?? null },
      roles: await sharedRolesOfProfile(ctx, arn),
    };
  },

  async apply(input, pre, ctx): Promise<ReplaceInstanceProfileOutput> {
    const replacement = input.replacementProfileArn;
    const previous = pre.association?.profileArn ?? null;
    if (pre.association === null) return { action: 'none', previousProfileArn: null, currentProfileArn: null };
    const ec2 = ctx.aws(EC2Client);
    // A fresh pre-image is the current association; else it is read again.
    const current =
      ctx.preImageFresh === true
        ? { AssociationId: pre.association.associationId, IamInstanceProfile: { Arn: pre.association.profileArn } }
        : await activeProfileAssociation(ec2, pre.instanceId);
    const currentArn = current?.IamInstanceProfile?.Arn ?? null;
    if (replacement === undefined) {
      if (current?.AssociationId === undefined) return { action: 'none', previousProfileArn: previous, currentProfileArn: null };
      await ec2.send(new DisassociateIamInstanceProfileCommand({ AssociationId: current.AssociationId }));
      return { action: 'disassociated', previousProfileArn: previous, currentProfileArn: null };
    }
    if (currentArn === replacement) return { action: 'none', previousProfileArn: previous, currentProfileArn: replacement };
    if (current?.AssociationId !== undefined) {
      await ec2.send(new ReplaceIamInstanceProfileAssociationCommand({ AssociationId: current.AssociationId, IamInstanceProfile: { Arn: replacement } }));
      return { action: 'replaced', previousProfileArn: previous, currentProfileArn: replacement };
    }
    await ec2.send(new AssociateIamInstanceProfileCommand({ InstanceId: pre.instanceId, IamInstanceProfile: { Arn: replacement } }));
    return { action: 'associated', previousProfileArn: previous, currentProfileArn: replacement };
  },

  async release(_input, pre, _output, ctx): Promise<Json> {
    if (pre.association === null) return { action: 'none', reason: 'the instance had no profile' };
    const ec2 = ctx.aws(EC2Client);
    const original = pre.association.profileArn;
    const current = await activeProfileAssociation(ec2, pre.instanceId);
    if (current?.IamInstanceProfile?.Arn === original) return { action: 'none', profileArn: original };
    if (current?.AssociationId !== undefined) {
      await ec2.send(new ReplaceIamInstanceProfileAssociationCommand({ AssociationId: current.AssociationId, IamInstanceProfile: { Arn: original } }));
      return { action: 'replaced', profileArn: original };
    }
    await ec2.send(new AssociateIamInstanceProfileCommand({ InstanceId: pre.instanceId, IamInstanceProfile: { Arn: original } }));
    return { action: 'associated', profileArn: original };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const instanceId = resolveInstanceId(input, ctx);
    const current = await activeProfileAssociation(ctx.aws(EC2Client), instanceId);
    const arn = current?.IamInstanceProfile?.Arn;
    const want = input.replacementProfileArn;
    const holds = want === undefined ? arn === undefined : arn === want;
    return { holds, detail: `${instanceId} profile: ${arn ?? 'none'}${want !== undefined ? ` (expected ${want})` : ''}` };
  },
});
