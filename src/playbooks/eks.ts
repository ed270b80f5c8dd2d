/**
 * The EKS playbook (Kubernetes audit-log, Runtime Monitoring and malware findings on EKS), one incident per cluster,
 * workload and Kubernetes user: the cluster and the finding's workload, pod, user and node facts go into evidence
 * (DescribeCluster). The node instance, when the finding names it (`instanceDetails` of a Runtime finding, an EBS node
 * scan), is a subject of its own that the `ec2-instance` playbook contains. The Kubernetes-API steps (label and
 * isolate the pod, cordon its node, remove a rogue binding) need an identity in the cluster Tourniquet does not
 * have: they are the plan's manual steps, exact kubectl commands for people (eks-manual-steps.ts), shown by `plan`,
 * `respond`, `show` and in the notification.
 * Pure: no I/O; the plan is data the engine journals and runs.
 */
import { z } from 'zod';
import { captureClusterEvidence } from '../actions/eks-capture-cluster-evidence.js';
import type { Ec2InstanceSubject } from '../findings/model.js';
import { definePlaybook } from './define-playbook.js';
import { eksManualSteps } from './eks-manual-steps.js';

export const EKS_PLAYBOOK = 'eks';

export const EKS_STEPS = {
  'capture-evidence': captureClusterEvidence,
} as const;

export const eksPlaybook = definePlaybook({
  name: EKS_PLAYBOOK,
  subjectKinds: ['eks-cluster', 'k8s-workload', 'k8s-user'],
  steps: EKS_STEPS,
  options: z.strictObject({}),
  plan({ finding, subject, step }) {
    const node = finding.subjects.find((s): s is Ec2InstanceSubject => s.kind === 'ec2-instance' && s.derived !== true);
    const clusterName = subject.kind === 'eks-cluster' ? subject.details.clusterName : subject.details.cluster;
    return [
      step('capture-evidence', {
        input: {
          ...(clusterName !== undefined ? { clusterName } : {}),
          ...(node !== undefined
            ? {
                node: {
                  instanceId: node.details.instanceId,
                  ...(node.details.instanceType !== undefined ? { instanceType: node.details.instanceType } : {}),
                  ...(node.details.networkInterfaces[0]?.privateIpAddress !== undefined ? { privateIp: node.details.networkInterfaces[0].privateIpAddress } : {}),
                },
              }
            : {}),
        },
        dependsOn: [],
        description: 'Describe the EKS cluster and keep the finding’s workload, pod, user and node facts in the case',
      }),
    ];
  },
  // The Kubernetes-API steps, as exact kubectl commands for a human (shown with the plan and in the notification).
  manualSteps: ({ finding, subject }) => eksManualSteps(finding, subject),
});
