/** `drill ecs-task <cluster>/<task-id>`: a Runtime Monitoring crypto-miner finding about a real task. */
import { DescribeClustersCommand, DescribeTasksCommand, ECSClient } from '@aws-sdk/client-ecs';
import { UsageError } from '../../errors.js';
import type { DrillKind } from '../drill-kind.js';

const epoch = (d: Date | undefined): number | null => (d === undefined ? null : new Date(d).getTime() / 1000);

export const ecsTaskDrill: DrillKind = {
  kind: 'ecs-task',
  idHelp: '<cluster>/<task id or ARN>',
  defaultType: 'Impact:Runtime/CryptoMinerExecuted',
  typeResources: ['Runtime', 'ECS'],
  checkId: (id) => (/^[\w-]{1,255}\/[\w:/.-]+$/.test(id) ? undefined : `expected <cluster>/<task id>, received ${JSON.stringify(id)}`),
  async read(id, ctx) {
    const slash = id.indexOf('/');
    const cluster = id.slice(0, slash);
    const task = id.slice(slash + 1);
    const ecs = new ECSClient(ctx.config);
    try {
      const [clusters, tasks] = await Promise.all([
        ecs.send(new DescribeClustersCommand({ clusters: [cluster], include: ['TAGS'] })),
        ecs.send(new DescribeTasksCommand({ cluster, tasks: [task], include: ['TAGS'] })),
      ]);
      const c = clusters.clusters?.[0];
      const t = tasks.tasks?.[0];
      if (c?.clusterArn === undefined) throw new UsageError(`ECS cluster ${cluster} not found in ${ctx.region}`);
      if (t?.taskArn === undefined) throw new UsageError(`ECS task ${task} not found in cluster ${cluster}`);
      return {
        label: t.taskArn,
        resource: {
          resourceType: 'ECSCluster',
          ecsClusterDetails: {
            name: c.clusterName ?? cluster,
            arn: c.clusterArn,
            status: c.status ?? null,
            tags: (c.tags ?? []).map((x) => ({ key: x.key, value: x.value })),
            taskDetails: {
              arn: t.taskArn,
              definitionArn: t.taskDefinitionArn ?? null,
              version: t.version === undefined ? null : String(t.version),
              createdAt: epoch(t.createdAt),
              startedAt: epoch(t.startedAt),
              startedBy: t.startedBy ?? null,
              group: t.group ?? null,
              launchType: t.launchType ?? null,
              tags: (t.tags ?? []).map((x) => ({ key: x.key, value: x.value })),
              containers: (t.containers ?? []).map((x) => ({ name: x.name ?? null, image: x.image ?? null })),
            },
          },
        },
        featureName: 'RuntimeMonitoring',
        resourceRole: 'TARGET',
      };
    } finally {
      ecs.destroy();
    }
  },
};
