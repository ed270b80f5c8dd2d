/**
 * `eks.capture-cluster-evidence`: the cluster as EKS describes it (DescribeCluster: version, endpoint access and its
 * public CIDRs, VPC, security groups, logging, access config) and the finding's Kubernetes facts about the subject
 * (workload / pod, user, and the node instance when the finding names one) into the case evidence. Reads only;
 * fails when EKS does not know the cluster. The Kubernetes API itself is not read: Tourniquet has no identity in the
 * cluster (the Kubernetes steps are given to people as kubectl commands).
 */
import { z } from 'zod';
import { describeValue } from '../errors.js';
import type { Json } from '../findings/model.js';
import { isAwsError } from './action-support.js';
import { defineAction } from './define-action.js';
import { loadEks } from './eks-sdk.js';

const EKS_CLUSTER = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;

const InputSchema = z.strictObject({
  // Default: the subject's cluster.
  clusterName: z.string().optional(),
  // The node the finding names (its EC2 instance), for the record.
  node: z.strictObject({ instanceId: z.string(), instanceType: z.string().optional(), privateIp: z.string().optional() }).optional(),
});

export type CaptureClusterEvidencePreImage = { clusterName: string };
export type CaptureClusterEvidenceOutput = {
  clusterName: string;
  status: string | null;
  version: string | null;
  endpointPublicAccess: boolean | null;
  publicAccessCidrs: string[];
  vpcId: string | null;
  evidence: string[];
};

const asEvidence = (api: string, request: unknown, response: unknown): Json => JSON.parse(JSON.stringify({ api, request, response })) as Json;

export const captureClusterEvidence = defineAction({
  name: 'eks.capture-cluster-evidence',
  effect: 'read',
  input: InputSchema,
  description: 'Store the EKS cluster (DescribeCluster: version, endpoint access, VPC, security groups, logging) and the finding’s workload, pod, user and node facts as case evidence. Reads only.',
  permissions: [{ actions: ['eks:DescribeCluster'], resources: ['arn:${Partition}:eks:${Region}:${Account}:cluster/*'], why: 'Read the cluster the finding is about, as evidence' }],

  async capture(input, ctx): Promise<CaptureClusterEvidencePreImage> {
    const s = ctx.subject;
    const fromSubject = s.kind === 'eks-cluster' ? s.details.clusterName : s.kind === 'k8s-workload' || s.kind === 'k8s-user' ? s.details.cluster : undefined;
    const clusterName = input.clusterName ?? fromSubject;
    if (clusterName === undefined) throw ctx.fail(`no EKS cluster to describe: the subject is ${describeValue(s.kind)} and names none`);
    if (!EKS_CLUSTER.test(clusterName)) throw ctx.fail(`not an EKS cluster name: ${describeValue(clusterName)}`);
    return { clusterName };
  },

  async apply(input, pre, ctx): Promise<CaptureClusterEvidenceOutput> {
    const sdk = await loadEks();
    const written: string[] = [];
    const put = async (name: string, content: Json): Promise<void> => {
      const full = `eks/${pre.clusterName}/${name}.json`;
      await ctx.evidence.put(full, content);
      written.push(full);
    };
    let cluster;
    try {
      cluster = (await ctx.aws(sdk.EKSClient).send(new sdk.DescribeClusterCommand({ name: pre.clusterName }))).cluster;
    } catch (err) {
      if (isAwsError(err, 'ResourceNotFoundException')) throw ctx.fail(`cluster ${pre.clusterName} is not known to EKS in ${ctx.clients.region}`, err);
      throw err;
    }
    await put('describe-cluster', asEvidence('eks:DescribeCluster', { name: pre.clusterName }, cluster));
    const s = ctx.subject;
    await put(`subject-${s.kind}`, JSON.parse(JSON.stringify({ kind: s.kind, id: s.id, details: s.details, ...(input.node !== undefined ? { node: input.node } : {}) })) as Json);
    const vpc = cluster?.resourcesVpcConfig;
    return {
      clusterName: pre.clusterName,
      status: cluster?.status ?? null,
      version: cluster?.version ?? null,
      endpointPublicAccess: vpc?.endpointPublicAccess ?? null,
      publicAccessCidrs: vpc?.publicAccessCidrs ?? [],
      vpcId: vpc?.vpcId ?? null,
      evidence: written,
    };
  },
});
