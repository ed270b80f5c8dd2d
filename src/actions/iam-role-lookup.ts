/**
 * IAM lookups shared by the credential actions: the instance-profile association of an instance, the role inside
 * a profile, and reading/writing an inline role policy (GetRolePolicy returns the document URL-encoded).
 */
import {
  DescribeIamInstanceProfileAssociationsCommand,
  type DescribeIamInstanceProfileAssociationsCommandOutput,
  EC2Client,
  type IamInstanceProfileAssociation,
} from '@aws-sdk/client-ec2';
import { GetInstanceProfileCommand, GetRoleCommand, GetRolePolicyCommand, IAMClient, type GetInstanceProfileCommandOutput } from '@aws-sdk/client-iam';
import type { Json } from '../findings/model.js';
import { sharedRead, type BoundActionContext, type ReadContext } from './action.js';
import { isAwsError } from './action-support.js';

export const INSTANCE_PROFILE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:instance-profile\/[\w+=,.@/-]+$/;
export const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/** The DescribeIamInstanceProfileAssociations request for one instance. */
export function profileAssociationsRequest(instanceId: string): { Filters: Array<{ Name: string; Values: string[] }> } {
  return { Filters: [{ Name: 'instance-id', Values: [instanceId] }] };
}

/** The active (associated or associating) profile association of the instance, if any. */
export async function activeProfileAssociation(ec2: EC2Client, instanceId: string): Promise<IamInstanceProfileAssociation | undefined> {
  return activeIn(await ec2.send(new DescribeIamInstanceProfileAssociationsCommand(profileAssociationsRequest(instanceId))));
}

function activeIn(out: DescribeIamInstanceProfileAssociationsCommandOutput): IamInstanceProfileAssociation | undefined {
  return (out.IamInstanceProfileAssociations ?? []).find((a) => a.State === 'associated' || a.State === 'associating');
}

/** The run's shared answer (evidence, pre-images, identity; see ActionContext.reads). */
export function sharedProfileAssociations(ctx: ReadContext, instanceId: string): Promise<DescribeIamInstanceProfileAssociationsCommandOutput> {
  return sharedRead(ctx, `ec2:DescribeIamInstanceProfileAssociations:${instanceId}`, () =>
    ctx.aws(EC2Client).send(new DescribeIamInstanceProfileAssociationsCommand(profileAssociationsRequest(instanceId))),
  );
}

/** The active association from the run's shared answer. */
export async function sharedActiveProfileAssociation(ctx: ReadContext, instanceId: string): Promise<IamInstanceProfileAssociation | undefined> {
  return activeIn(await sharedProfileAssociations(ctx, instanceId));
}

/** The shared-reads key of a profile's roles (the responder seeds it with the read it makes for protected principals). */
export function profileRolesKey(profileArn: string): string {
  return `iam:GetInstanceProfile:${profileNameFromArn(profileArn)}`;
}

/** The roles of a profile from the run's shared answer (identity). */
export function sharedRolesOfProfile(ctx: ReadContext, profileArn: string): Promise<RoleRef[]> {
  return sharedRead(ctx, profileRolesKey(profileArn), () => rolesOfProfile(ctx.aws(IAMClient), profileArn));
}

/** `arn:…:instance-profile/path/name` → `name` (GetInstanceProfile takes the name without the path). */
export function profileNameFromArn(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

export type RoleRef = { roleName: string; roleId: string; roleArn: string };

/** The roles in an instance profile (IAM allows at most one). */
export async function rolesOfProfile(iam: IAMClient, profileArn: string): Promise<RoleRef[]> {
  return roleRefsOf(await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: profileNameFromArn(profileArn) })));
}

/** The roles of a GetInstanceProfile answer. */
export function roleRefsOf(out: GetInstanceProfileCommandOutput): RoleRef[] {
  return (out.InstanceProfile?.Roles ?? []).flatMap((r) =>
    r.RoleName && r.RoleId && r.Arn ? [{ roleName: r.RoleName, roleId: r.RoleId, roleArn: r.Arn }] : [],
  );
}

export async function getRole(iam: IAMClient, roleName: string): Promise<RoleRef> {
  const out = await iam.send(new GetRoleCommand({ RoleName: roleName }));
  const r = out.Role;
  return { roleName, roleId: r?.RoleId ?? '', roleArn: r?.Arn ?? '' };
}

/** The partition of an ARN (`arn:<partition>:…`). */
export function partitionOfArn(arn: string): string {
  return arn.split(':')[1] ?? 'aws';
}

export type RoleTarget = {
  /** Where the role came from: `input`, `input-profile`, `subject-profile` or `association`. */
  source: string;
  profileArn: string | null;
  role: RoleRef;
};

/**
 * The role whose credentials an instance uses. Order: `input.roleName`, `input.instanceProfileArn`, the profile
 * recorded in the finding (the instance's profile when GuardDuty saw it — a profile step may already have removed
 * or replaced it), then the instance's current association. undefined when the instance has no profile at all.
 */
export async function resolveInstanceRole(
  ctx: BoundActionContext,
  input: { roleName?: string | undefined; instanceProfileArn?: string | undefined },
  instanceId: string | undefined,
): Promise<RoleTarget | undefined> {
  const iam = ctx.aws(IAMClient);
  if (input.roleName !== undefined) {
    if (!ROLE_NAME.test(input.roleName)) throw ctx.fail(`not an IAM role name: ${JSON.stringify(input.roleName.slice(0, 80))}`);
    return { source: 'input', profileArn: input.instanceProfileArn ?? null, role: await getRole(iam, input.roleName) };
  }
  const fromSubject =
    instanceId !== undefined && ctx.subject.kind === 'ec2-instance' && ctx.subject.details.instanceId === instanceId
      ? ctx.subject.details.iamInstanceProfile?.arn
      : undefined;
  const candidates: Array<{ source: string; arn: string | undefined }> = [
    { source: 'input-profile', arn: input.instanceProfileArn },
    { source: 'subject-profile', arn: fromSubject },
  ];
  for (const c of candidates) {
    if (c.arn === undefined) continue;
    if (!INSTANCE_PROFILE_ARN.test(c.arn)) throw ctx.fail(`not an instance-profile ARN (${c.source}): ${JSON.stringify(c.arn.slice(0, 120))}`);
    // GetInstanceProfile answers with the role's name, id and ARN: no GetRole needed.
    const roles = await sharedRolesOfProfile(ctx, c.arn);
    const role = roles[0];
    if (role === undefined) throw ctx.fail(`instance profile ${c.arn} has no role`);
    return { source: c.source, profileArn: c.arn, role };
  }
  if (instanceId === undefined) return undefined;
  const assoc = await sharedActiveProfileAssociation(ctx, instanceId);
  const arn = assoc?.IamInstanceProfile?.Arn;
  if (arn === undefined) return undefined;
  const role = (await sharedRolesOfProfile(ctx, arn))[0];
  if (role === undefined) throw ctx.fail(`instance profile ${arn} has no role`);
  return { source: 'association', profileArn: arn, role };
}

/**
 * An inline role policy from the run's shared answer: for a pre-image (read before anything of the run changes it,
 * possibly by a prefetch), never for a read-back — a read-back must see the state after the change (readRolePolicy).
 */
export function sharedRolePolicy(ctx: ReadContext, roleName: string, policyName: string): Promise<Json | null> {
  return sharedRead(ctx, `iam:GetRolePolicy:${roleName}:${policyName}`, () => readRolePolicy(ctx.aws(IAMClient), roleName, policyName));
}

/** An inline role policy's document, or null when the role has no policy of that name. */
export async function readRolePolicy(iam: IAMClient, roleName: string, policyName: string): Promise<Json | null> {
  try {
    const out = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }));
    const raw = out.PolicyDocument ?? '';
    let text: string;
    try {
      text = decodeURIComponent(raw); // IAM returns the document URL-encoded (RFC 3986)
    } catch {
      text = raw;
    }
    return JSON.parse(text) as Json;
  } catch (err) {
    if (isAwsError(err, 'NoSuchEntity', 'NoSuchEntityException')) return null;
    throw err;
  }
}
