/** `drill lambda <function-name>`: a crypto-mining finding about a real function (configuration and tags from Lambda). */
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { UsageError } from '../../errors.js';
import { drillRemoteIp } from '../drill-envelope.js';
import type { DrillKind } from '../drill-kind.js';

export const lambdaDrill: DrillKind = {
  kind: 'lambda',
  idHelp: 'a function name',
  defaultType: 'CryptoCurrency:Lambda/BitcoinTool.B',
  typeResources: ['Lambda'],
  checkId: (id) => (/^[\w-]{1,64}$/.test(id) ? undefined : `expected a function name, received ${JSON.stringify(id)}`),
  async read(id, ctx) {
    const lambda = new LambdaClient(ctx.config);
    try {
      const out = await lambda.send(new GetFunctionCommand({ FunctionName: id }));
      const c = out.Configuration;
      if (c?.FunctionArn === undefined) throw new UsageError(`Lambda function ${id} not found in ${ctx.region}`);
      return {
        label: `function/${id}`,
        resource: {
          resourceType: 'Lambda',
          lambdaDetails: {
            functionArn: c.FunctionArn,
            functionName: c.FunctionName ?? id,
            description: c.Description ?? null,
            functionVersion: c.Version ?? '$LATEST',
            revisionId: c.RevisionId ?? null,
            role: c.Role ?? null,
            ...(c.VpcConfig?.VpcId ? { vpcConfig: { subnetIds: c.VpcConfig.SubnetIds ?? [], vpcId: c.VpcConfig.VpcId, securityGroups: (c.VpcConfig.SecurityGroupIds ?? []).map((g) => ({ groupId: g })) } } : {}),
            tags: Object.entries(out.Tags ?? {}).map(([key, value]) => ({ key, value })),
          },
        },
        action: { actionType: 'NETWORK_CONNECTION', networkConnectionAction: { connectionDirection: 'OUTBOUND', protocol: 'TCP', blocked: false, remoteIpDetails: drillRemoteIp(), remotePortDetails: { port: 3333, portName: 'Unknown' } } },
        resourceRole: 'ACTOR',
      };
    } finally {
      lambda.destroy();
    }
  },
};
