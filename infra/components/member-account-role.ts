/**
 * The role the central responder assumes in a member account (one stack per member account, `memberAccountMode`).
 * Trusts only the central responder's role ARN (optionally requiring an sts:ExternalId), carries the same
 * generated action permissions (with `${Account}` = this account), and denies changes to itself and to the
 * configured break-glass principals.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { IamPermission } from '../../src/actions/action.js';
import { packPolicyDocuments, selfProtectionStatements } from '../iam/generate-policy.js';
import { rolePermissionStatements } from '../iam/target-scope.js';
import type { PolicyDocument } from '../iam/generate-policy.js';
import { withTags } from './common.js';
import type { ArnContext, Tags } from './common.js';

export interface MemberAccountRoleArgs {
  readonly ctx: ArnContext;
  /** Role name the central responder assumes (`TourniquetResponder` by default). */
  readonly roleName: string;
  /** The central responder's role ARN: the only principal trusted. */
  readonly responderRoleArn: string;
  readonly externalId?: string;
  readonly actionPermissions: readonly IamPermission[];
  readonly regions: readonly string[];
  readonly protectedPrincipalArns: readonly string[];
  readonly tags: Tags;
}

/** Trust policy: only the central responder role may assume, with the external id when one is configured. */
export function memberTrustPolicy(responderRoleArn: string, externalId?: string): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'TrustTourniquetResponder',
        Effect: 'Allow',
        Principal: { AWS: responderRoleArn },
        Action: 'sts:AssumeRole',
        ...(externalId !== undefined ? { Condition: { StringEquals: { 'sts:ExternalId': externalId } } } : {}),
      },
    ],
  };
}

export class MemberAccountRole extends pulumi.ComponentResource {
  readonly role: aws.iam.Role;
  readonly roleArn: pulumi.Output<string>;
  readonly policies: aws.iam.Policy[];
  readonly policyDocuments: PolicyDocument[];

  constructor(name: string, args: MemberAccountRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super('tourniquet:infra:MemberAccountRole', name, {}, opts);
    const tags = withTags(args.tags);
    const ownArn = `arn:${args.ctx.partition}:iam::${args.ctx.accountId}:role/${args.roleName}`;
    this.role = new aws.iam.Role(
      `${name}`,
      {
        name: args.roleName,
        description: 'Tourniquet: assumed by the central responder to contain resources in this account',
        assumeRolePolicy: JSON.stringify(memberTrustPolicy(args.responderRoleArn, args.externalId)),
        maxSessionDuration: 3600,
        tags,
      },
      { parent: this },
    );
    this.roleArn = this.role.arn;

    const statements = [
      ...selfProtectionStatements({ roleArns: [ownArn], protectedPrincipalArns: args.protectedPrincipalArns }),
      ...rolePermissionStatements(args.actionPermissions, { partition: args.ctx.partition, regions: args.regions, accounts: [args.ctx.accountId] }),
    ];
    this.policyDocuments = packPolicyDocuments(statements, { label: 'member role permissions' });
    this.policies = this.policyDocuments.map((doc, index) => {
      const policy = new aws.iam.Policy(
        `${name}-policy-${index + 1}`,
        {
          namePrefix: `tourniquet-member-${index + 1}-`,
          description: `Tourniquet member role permissions (${index + 1}/${this.policyDocuments.length})`,
          policy: JSON.stringify(doc),
          tags,
        },
        { parent: this },
      );
      new aws.iam.RolePolicyAttachment(`${name}-attach-${index + 1}`, { role: this.role.name, policyArn: policy.arn }, { parent: this });
      return policy;
    });
    this.registerOutputs({ roleArn: this.roleArn });
  }
}
