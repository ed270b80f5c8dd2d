/**
 * `drill notebook <notebook-instance-name>`: a credential-exfiltration finding about a real SageMaker notebook
 * instance's execution role session (SageMaker names every notebook's session `SageMaker`), with the notebook as
 * the resource the API call acted on — what the sagemaker-notebook playbook handles.
 */
import { DescribeNotebookInstanceCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { createHash } from 'node:crypto';
import { UsageError } from '../../errors.js';
import { drillRemoteIp } from '../drill-envelope.js';
import type { DrillKind } from '../drill-kind.js';

export const sagemakerNotebookDrill: DrillKind = {
  kind: 'notebook',
  idHelp: 'a SageMaker notebook instance name',
  defaultType: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
  typeResources: ['IAMUser'],
  checkId: (id) => (/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/.test(id) ? undefined : `expected a notebook instance name, received ${JSON.stringify(id)}`),
  async read(id, ctx) {
    const sagemaker = new SageMakerClient(ctx.config);
    const iam = new IAMClient(ctx.config);
    try {
      const nb = await sagemaker.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: id }));
      const roleName = nb.RoleArn?.split('/').pop();
      if (nb.NotebookInstanceArn === undefined || roleName === undefined) throw new UsageError(`notebook instance ${id} not found in ${ctx.region}`);
      const role = (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role;
      if (role?.RoleId === undefined) throw new UsageError(`the execution role ${roleName} of notebook instance ${id} was not found`);
      const key = `ASIA${createHash('sha256').update(`${role.RoleId}:SageMaker:${id}`).digest('hex').slice(0, 16).toUpperCase()}`;
      return {
        label: `notebook/${id}`,
        resource: { resourceType: 'AccessKey', accessKeyDetails: { accessKeyId: key, principalId: `${role.RoleId}:SageMaker`, userName: roleName, userType: 'AssumedRole' } },
        action: {
          actionType: 'AWS_API_CALL',
          awsApiCallAction: {
            api: 'CreatePresignedNotebookInstanceUrl',
            serviceName: 'sagemaker.amazonaws.com',
            callerType: 'Remote IP',
            remoteIpDetails: drillRemoteIp(),
            affectedResources: { 'AWS::SageMaker::NotebookInstance': id },
          },
        },
        resourceRole: 'TARGET',
      };
    } finally {
      sagemaker.destroy();
      iam.destroy();
    }
  },
};
