/**
 * `drill eks <cluster>[/<namespace>/<pod>]`: a Kubernetes audit-log finding (exec into a pod by default) about a
 * real EKS cluster (name, ARN, VPC, tags from EKS), with the pod named in the id (default `kube-system/drill-pod`).
 */
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { UsageError } from '../../errors.js';
import { drillRemoteIp } from '../drill-envelope.js';
import type { DrillKind } from '../drill-kind.js';

export const eksDrill: DrillKind = {
  kind: 'eks',
  idHelp: '<cluster>[/<namespace>/<pod>]',
  defaultType: 'Execution:Kubernetes/ExecInKubeSystemPod',
  typeResources: ['Kubernetes', 'Runtime'],
  checkId: (id) =>
    /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}(?:\/[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-.a-z0-9]*[a-z0-9])?)?$/.test(id)
      ? undefined
      : `expected <cluster>[/<namespace>/<pod>] with Kubernetes names, received ${JSON.stringify(id)}`,
  async read(id, ctx) {
    const [cluster = '', namespace = 'kube-system', pod = 'drill-pod'] = id.split('/');
    const eks = new EKSClient(ctx.config);
    try {
      const c = (await eks.send(new DescribeClusterCommand({ name: cluster }))).cluster;
      if (c?.arn === undefined) throw new UsageError(`EKS cluster ${cluster} not found in ${ctx.region}`);
      return {
        label: `${cluster}/${namespace}/${pod}`,
        resource: {
          resourceType: 'EKSCluster',
          eksClusterDetails: {
            name: c.name ?? cluster,
            arn: c.arn,
            vpcId: c.resourcesVpcConfig?.vpcId ?? null,
            status: c.status ?? null,
            createdAt: c.createdAt === undefined ? null : new Date(c.createdAt).getTime() / 1000,
            tags: Object.entries(c.tags ?? {}).map(([key, value]) => ({ key, value })),
          },
          kubernetesDetails: {
            kubernetesWorkloadDetails: { name: pod, namespace, type: 'pods' },
            kubernetesUserDetails: { username: 'tourniquet-drill-user', uid: 'tourniquet-drill-uid', groups: ['system:authenticated'] },
          },
        },
        action: {
          actionType: 'KUBERNETES_API_CALL',
          kubernetesApiCallAction: { requestUri: `/api/v1/namespaces/${namespace}/pods/${pod}/exec`, verb: 'create', sourceIPs: ['198.51.100.77'], remoteIpDetails: drillRemoteIp(), statusCode: 101 },
        },
        resourceRole: 'TARGET',
      };
    } finally {
      eks.destroy();
    }
  },
};
