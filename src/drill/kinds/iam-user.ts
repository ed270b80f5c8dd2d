/**
 * `drill iam-user <user-name>`: a finding about one of the user's real access keys (the first active one, else the
 * first) — an AI Protection finding by default, with the model invoked, as a stolen key used for LLMjacking raises.
 */
import { GetUserCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { UsageError } from '../../errors.js';
import { drillRemoteIp } from '../drill-envelope.js';
import type { DrillKind } from '../drill-kind.js';

export const DRILL_MODEL_ID = 'anthropic.claude-3-5-sonnet-20240620-v1:0';

/** The `service.action` of an API call from outside, to Bedrock when the type is an AI Protection one. */
export function apiCallAction(type: string): Record<string, unknown> {
  const bedrock = type.startsWith('Impact:IAMUser/') || type.includes('Bedrock');
  return {
    actionType: 'AWS_API_CALL',
    awsApiCallAction: {
      api: bedrock ? 'InvokeModel' : 'ListBuckets',
      serviceName: bedrock ? 'bedrock.amazonaws.com' : 's3.amazonaws.com',
      callerType: 'Remote IP',
      remoteIpDetails: drillRemoteIp(),
    },
  };
}

export const iamUserDrill: DrillKind = {
  kind: 'iam-user',
  idHelp: 'an IAM user name',
  defaultType: 'Impact:IAMUser/AnomalousModelInvocation',
  typeResources: ['IAMUser'],
  checkId: (id) => (/^[\w+=,.@-]{1,64}$/.test(id) ? undefined : `expected an IAM user name (1–64 of letters, digits and +=,.@_-), received ${JSON.stringify(id)}`),
  async read(id, ctx) {
    const iam = new IAMClient(ctx.config);
    try {
      const user = (await iam.send(new GetUserCommand({ UserName: id }))).User;
      if (!user) throw new UsageError(`IAM user ${id} not found`);
      const keys = (await iam.send(new ListAccessKeysCommand({ UserName: id }))).AccessKeyMetadata ?? [];
      const key = keys.find((k) => k.Status === 'Active') ?? keys[0];
      if (key?.AccessKeyId === undefined) throw new UsageError(`IAM user ${id} has no access key: a key finding needs one`);
      const ai = ctx.type.startsWith('Impact:IAMUser/');
      return {
        label: `user/${id}`,
        resource: {
          resourceType: 'AccessKey',
          accessKeyDetails: { accessKeyId: key.AccessKeyId, principalId: user.UserId ?? null, userName: id, userType: 'IAMUser' },
          ...(ai ? { modelDetails: [{ modelId: DRILL_MODEL_ID }] } : {}),
        },
        action: apiCallAction(ctx.type),
        resourceRole: 'TARGET',
      };
    } finally {
      iam.destroy();
    }
  },
};
