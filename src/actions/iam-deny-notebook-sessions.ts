/**
 * `iam.deny-notebook-sessions`: cut the credentials a SageMaker notebook instance got from its execution role,
 * stolen copies included, with an inline deny on that role.
 *
 * What can be singled out: SageMaker names the execution-role session of EVERY notebook instance `SageMaker`
 * (CloudTrail shows `assumed-role/<role>/SageMaker`, principal id `<RoleId>:SageMaker`; AWS Knowledge Center,
 * "determine which SageMaker notebook instance made a particular API call"), and no documented condition key names
 * the notebook instance a request's credentials came from (EC2's `ec2:SourceInstanceARN` has no SageMaker
 * counterpart; `aws:SourceIdentity` is only set when the caller asks for it). So the tightest deny available is
 * `aws:userid` = `<RoleId>:SageMaker` AND `aws:TokenIssueTime` before now: every SageMaker-issued session of the
 * role issued before the cut-off — the other notebook instances, training and processing jobs sharing the role
 * included, until their credentials are next refreshed. Sessions issued later (after the notebook is stopped, so
 * not this notebook's) work. Hence `destructive`: it needs a human, and works best with per-notebook roles.
 *
 * Release deletes the policy (or puts back a prior one of the same name); unexpired tokens issued before the
 * cut-off — stolen ones included — are valid again.
 */
import { z } from 'zod';
import { IAMClient } from '@aws-sdk/client-iam';
import type { Json } from '../findings/model.js';
import type { VerifyResult } from './action.js';
import { ARN } from './action-support.js';
import { defineAction } from './define-action.js';
import { releaseRevocationPolicy, revocationCutoff } from './iam-revoke-role-sessions.js';
import { getRole, readRolePolicy } from './iam-role-lookup.js';
import { putRolePolicy } from './role-inline-policy.js';
import { NOTEBOOK_INSTANCE_NAME, checkNotebookName, requireNotebook } from './sagemaker-notebook-lookup.js';

/** The session name SageMaker gives notebook-instance (and job) execution-role sessions. */
export const SAGEMAKER_SESSION_NAME = 'SageMaker';
const SID = 'TourniquetDenySageMakerSessions';

const InputSchema = z.strictObject({
  notebookInstanceName: z.string().regex(NOTEBOOK_INSTANCE_NAME, { error: 'a SageMaker notebook instance name' }),
});

/** Input of `iam.deny-notebook-sessions`. */
export type DenyNotebookSessionsInput = z.infer<typeof InputSchema>;

export type DenyNotebookSessionsPreImage =
  | { notebookInstanceName: string; role: null; reason: string }
  | { notebookInstanceName: string; role: { roleName: string; roleId: string; roleArn: string }; policyName: string; prior: Json | null };

export type DenyNotebookSessionsOutput = { applied: boolean; roleName: string | null; cutoff: string | null; reason?: string };

/** One policy per case, so two incidents on one role each keep and release their own. */
export function notebookDenyPolicyName(caseId: string): string {
  return `tourniquet-sagemaker-${caseId.replace(/[^\w+=,.@-]/g, '-')}`.slice(0, 128);
}

export function denyNotebookSessionsDocument(roleId: string, cutoff: string): Json {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: SID,
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: {
          StringEquals: { 'aws:userid': `${roleId}:${SAGEMAKER_SESSION_NAME}` },
          DateLessThan: { 'aws:TokenIssueTime': cutoff },
        },
      },
    ],
  };
}

function cutoffOf(doc: Json | null): string | null {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return null;
  const list = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  for (const s of list) {
    if (s === null || typeof s !== 'object' || Array.isArray(s) || s.Sid !== SID) continue;
    const c = s.Condition;
    const dl = c !== null && typeof c === 'object' && !Array.isArray(c) ? c.DateLessThan : undefined;
    const t = dl !== null && typeof dl === 'object' && !Array.isArray(dl) ? dl['aws:TokenIssueTime'] : undefined;
    if (typeof t === 'string') return t;
  }
  return null;
}

/** `arn:aws:iam::1:role/service-role/Name` → `Name`. */
function roleNameOf(roleArn: string): string {
  return roleArn.slice(roleArn.lastIndexOf('/') + 1);
}

export const denyNotebookSessions = defineAction({
  name: 'iam.deny-notebook-sessions',
  effect: 'destructive',
  input: InputSchema,
  description:
    'Deny every action to the notebook execution role\'s SageMaker sessions issued before now (aws:userid = ' +
    'RoleId:SageMaker, aws:TokenIssueTime): stolen copies of the notebook\'s credentials stop working, and so do the ' +
    'current sessions of every notebook and job sharing the role until they are refreshed (SageMaker names them all ' +
    '"SageMaker": one notebook cannot be singled out). Release deletes the deny.',
  permissions: [
    {
      actions: ['sagemaker:DescribeNotebookInstance'],
      resources: ['arn:${Partition}:sagemaker:${Region}:${Account}:notebook-instance/*'],
      why: 'Find the notebook instance\'s execution role',
    },
    {
      actions: ['iam:GetRole', 'iam:GetRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy'],
      resources: [ARN.iamRole],
      why: 'Read the role id, record and put the session deny, remove it on release',
    },
  ],

  async capture(input, ctx): Promise<DenyNotebookSessionsPreImage> {
    const name = checkNotebookName(ctx, input.notebookInstanceName);
    const state = await requireNotebook(ctx, name);
    if (state.roleArn === null) return { notebookInstanceName: name, role: null, reason: 'the notebook instance reports no execution role' };
    const iam = ctx.aws(IAMClient);
    const role = await getRole(iam, roleNameOf(state.roleArn));
    if (role.roleId === '') throw ctx.fail(`role ${role.roleName} has no role id`);
    const policyName = notebookDenyPolicyName(ctx.caseId);
    return { notebookInstanceName: name, role, policyName, prior: await readRolePolicy(iam, role.roleName, policyName) };
  },

  async apply(_input, pre, ctx): Promise<DenyNotebookSessionsOutput> {
    if (pre.role === null) return { applied: false, roleName: null, cutoff: null, reason: pre.reason };
    const iam = ctx.aws(IAMClient);
    const existing = cutoffOf(await readRolePolicy(iam, pre.role.roleName, pre.policyName));
    // A re-run keeps the first cut-off: a later one would also cut sessions legitimately issued since.
    if (existing !== null) return { applied: true, roleName: pre.role.roleName, cutoff: existing };
    const cutoff = revocationCutoff(ctx.now());
    await putRolePolicy(iam, pre.role.roleName, pre.policyName, denyNotebookSessionsDocument(pre.role.roleId, cutoff));
    return { applied: true, roleName: pre.role.roleName, cutoff };
  },

  release: (_input, pre, _output, ctx) => releaseRevocationPolicy(pre, ctx),

  async verify(input, ctx): Promise<VerifyResult> {
    const state = await requireNotebook(ctx, checkNotebookName(ctx, input.notebookInstanceName));
    if (state.roleArn === null) return { holds: true, detail: `notebook instance ${state.name} reports no execution role` };
    const roleName = roleNameOf(state.roleArn);
    const doc = await readRolePolicy(ctx.aws(IAMClient), roleName, notebookDenyPolicyName(ctx.caseId));
    const cutoff = cutoffOf(doc);
    return {
      holds: cutoff !== null,
      detail: cutoff === null ? `role ${roleName} has no SageMaker session deny` : `role ${roleName} denies its SageMaker sessions issued before ${cutoff}`,
    };
  },
});
