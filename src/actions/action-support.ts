/**
 * Small helpers shared by the actions: input validation, AWS error codes, and resolving
 * the EC2 instance an action works on.
 */
import type { z } from 'zod';
import { AwsCallError, StepError, describeValue } from '../errors.js';
import type { ActionContext, BoundActionContext } from './action.js';

/** Validates an action input against its schema; a bad input is a StepError naming the field and the value received. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, ctx: ActionContext, actionName: string): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues
    .map((i) => {
      const path = i.path.length > 0 ? i.path.map(String).join('.') : '(input)';
      return `${path}: ${i.message}`;
    })
    .join('; ');
  throw new StepError(ctx.stepId ?? actionName, `${actionName}: invalid input (${describeValue(input)}): ${issues}`, { cause: result.error });
}

/**
 * The AWS error code of an SDK v3 service exception (its `name`), also when a client wrapper turned it into an
 * AwsCallError; undefined for anything else.
 */
export function awsErrorCode(err: unknown): string | undefined {
  if (err instanceof AwsCallError) return err.awsCode;
  if (typeof err !== 'object' || err === null) return undefined;
  const meta = (err as { $metadata?: unknown }).$metadata;
  const name = (err as { name?: unknown }).name;
  if (meta === undefined || typeof name !== 'string') return undefined;
  return name;
}

export function httpStatusOf(err: unknown): number | undefined {
  if (err instanceof AwsCallError) return httpStatusOf(err.cause);
  if (typeof err !== 'object' || err === null) return undefined;
  const meta = (err as { $metadata?: { httpStatusCode?: unknown } }).$metadata;
  return typeof meta?.httpStatusCode === 'number' ? meta.httpStatusCode : undefined;
}

export function isAwsError(err: unknown, ...codes: string[]): boolean {
  const code = awsErrorCode(err);
  return code !== undefined && codes.includes(code);
}

const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

/**
 * The instance an action works on: `input.instanceId` when given, else the subject's instance id. The id is checked
 * against the EC2 id format so a malformed value never reaches an API call or an IAM policy document.
 */
export function resolveInstanceId(input: { instanceId?: string | undefined }, ctx: BoundActionContext): string {
  const fromSubject = ctx.subject.kind === 'ec2-instance' ? ctx.subject.details.instanceId : undefined;
  const id = input.instanceId ?? fromSubject;
  if (id === undefined) {
    throw ctx.fail(`no instance to act on: the subject is ${describeValue(ctx.subject.kind)} and the input has no instanceId`);
  }
  if (!INSTANCE_ID.test(id)) throw ctx.fail(`not an EC2 instance id: ${describeValue(id)}`);
  return id;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Deterministic JSON for comparing documents (object keys sorted, recursively). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** AWS resource ARN patterns for `IamPermission.resources` (placeholders are filled in by the infra generator). */
export const ARN = {
  ec2Instance: 'arn:${Partition}:ec2:${Region}:${Account}:instance/*',
  ec2Volume: 'arn:${Partition}:ec2:${Region}:${Account}:volume/*',
  // Snapshot ARNs have no account field.
  ec2Snapshot: 'arn:${Partition}:ec2:${Region}::snapshot/*',
  ec2SecurityGroup: 'arn:${Partition}:ec2:${Region}:${Account}:security-group/*',
  ec2NetworkInterface: 'arn:${Partition}:ec2:${Region}:${Account}:network-interface/*',
  ec2NetworkAcl: 'arn:${Partition}:ec2:${Region}:${Account}:network-acl/*',
  ec2Subnet: 'arn:${Partition}:ec2:${Region}:${Account}:subnet/*',
  ec2Vpc: 'arn:${Partition}:ec2:${Region}:${Account}:vpc/*',
  autoScalingGroup: 'arn:${Partition}:autoscaling:${Region}:${Account}:autoScalingGroup:*:autoScalingGroupName/*',
  targetGroup: 'arn:${Partition}:elasticloadbalancing:${Region}:${Account}:targetgroup/*/*',
  iamRole: 'arn:${Partition}:iam::${Account}:role/*',
  iamInstanceProfile: 'arn:${Partition}:iam::${Account}:instance-profile/*',
} as const;

/** Tag keys Tourniquet writes. */
export const TAG = {
  case: 'tourniquet:case',
  incident: 'tourniquet:incident',
  role: 'tourniquet:role',
  vpc: 'tourniquet:vpc',
  status: 'tourniquet:status',
  findingType: 'tourniquet:finding-type',
  containedAt: 'tourniquet:contained-at',
  managedBy: 'tourniquet:managed-by',
} as const;

/** EC2 tag values are at most 256 characters. */
export function tagValue(value: string): string {
  return value.length > 256 ? value.slice(0, 256) : value;
}
