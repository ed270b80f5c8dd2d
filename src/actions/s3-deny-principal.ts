/**
 * `s3.deny-principal`: a Deny statement for the finding's acting principal (or, failing that, its source address)
 * merged into the bucket policy under its own Sid (`TourniquetDeny<case>`). The bucket's own statements are kept
 * exactly; release removes only that statement, and deletes the policy when the bucket had none. The statement is
 * `Principal: "*"` narrowed by a condition on the attacker only (see s3-deny-principal-statement.ts), and the step
 * refuses to deny the identity it runs as, so the responder never locks itself out.
 */
import { DeleteBucketPolicyCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { z } from 'zod';
import { describeValue } from '../errors.js';
import type { Json } from '../findings/model.js';
import type { BoundActionContext, VerifyResult } from './action.js';
import { defineAction } from './define-action.js';
import { readBucketPolicy, resolveBucket, S3_ARN, s3Of, type BucketRef } from './s3-bucket-state.js';
import { DenyTargetSchema, denySid, denyStatement, hasStatement, mergeStatement, removeStatement, type DenyTarget } from './s3-deny-principal-statement.js';

const InputSchema = z.strictObject({
  bucket: z.string().optional(),
  target: DenyTargetSchema,
});

/** S3's bucket-policy size limit. */
const MAX_POLICY_BYTES = 20 * 1024;

export type DenyPrincipalPreImage = { bucket: string; policy: string | null };

function partitionOf(ctx: BoundActionContext): string {
  const arn = ctx.subject.arn;
  return arn?.startsWith('arn:') ? (arn.split(':')[1] ?? 'aws') : 'aws';
}

async function putPolicy(ctx: BoundActionContext, ref: BucketRef, policy: string | null): Promise<void> {
  if (policy === null) {
    await s3Of(ctx).send(new DeleteBucketPolicyCommand({ Bucket: ref.bucket, ExpectedBucketOwner: ref.owner }));
    return;
  }
  await s3Of(ctx).send(new PutBucketPolicyCommand({ Bucket: ref.bucket, ExpectedBucketOwner: ref.owner, Policy: policy }));
}

/** Refuses a target that is the responder's own identity. */
async function refuseSelf(ctx: BoundActionContext, target: DenyTarget): Promise<void> {
  const me = await ctx.aws(STSClient).send(new GetCallerIdentityCommand({}));
  const self = (target.kind === 'userid' && target.value === me.UserId) || (target.kind === 'principal-arn' && target.value === me.Arn);
  if (self) throw ctx.fail(`refusing to deny the responder's own identity ${describeValue(target.value)} on the bucket`);
}

export const denyPrincipal = defineAction({
  name: 's3.deny-principal',
  effect: 'contain',
  input: InputSchema,
  description: 'Merge a Deny statement for the acting principal (aws:userid, principal ARN, or source IP) into the bucket policy. Release removes exactly that statement.',
  permissions: [
    {
      // s3:PutBucketPolicy does not authorise DeleteBucketPolicy: release needs it when the bucket had no policy.
      actions: ['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy'],
      resources: [S3_ARN.bucket],
      why: 'Merge the deny statement into the bucket policy and remove it on release',
    },
  ],

  async capture(input, ctx): Promise<DenyPrincipalPreImage> {
    const ref = resolveBucket(input, ctx);
    return { bucket: ref.bucket, policy: await readBucketPolicy(ctx, ref) };
  },

  async apply(input, _pre, ctx): Promise<Json> {
    const ref = resolveBucket(input, ctx);
    const statement = denyStatement(ref.bucket, partitionOf(ctx), ctx.caseId, input.target);
    const now = await readBucketPolicy(ctx, ref);
    if (hasStatement(now, statement)) return { changed: false, sid: statement['Sid'] as string };
    await refuseSelf(ctx, input.target);
    const merged = mergeStatement(now, statement);
    if (Buffer.byteLength(merged, 'utf8') > MAX_POLICY_BYTES) {
      throw ctx.fail(`the bucket policy with the deny statement would be ${Buffer.byteLength(merged, 'utf8')} bytes, over S3's 20 KB limit; nothing was changed`);
    }
    await putPolicy(ctx, ref, merged);
    return { changed: true, sid: statement['Sid'] as string };
  },

  async release(input, pre, _output, ctx): Promise<Json> {
    const ref = resolveBucket(input, ctx);
    const sid = denySid(ctx.caseId);
    const next = removeStatement(await readBucketPolicy(ctx, ref), sid, pre.policy);
    if (next === 'unchanged') return { action: 'none', sid };
    await putPolicy(ctx, ref, next);
    return { action: next === null ? 'policy-deleted' : 'statement-removed', sid };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const ref = resolveBucket(input, ctx);
    const statement = denyStatement(ref.bucket, partitionOf(ctx), ctx.caseId, input.target);
    const holds = hasStatement(await readBucketPolicy(ctx, ref), statement);
    return { holds, detail: `${ref.bucket}: statement ${statement['Sid'] as string} ${holds ? 'present' : 'absent'} (${input.target.kind} ${input.target.value})` };
  },
});
