/**
 * The `eks` playbook's manual steps: the Kubernetes-API containment a human runs with their own cluster identity, as
 * exact kubectl commands (kubectl-commands.ts builds and quotes them). A step whose names fail Kubernetes' syntax
 * is still listed, with the reason and no command: nothing is dropped silently. Pure: no I/O.
 */
import { createHash } from 'node:crypto';
import type { ManualStep } from '../contracts/plan.js';
import type { Finding, Json, Subject } from '../findings/model.js';
import { incidentKeyOf } from './incident-key.js';
import { cordonNodeStep, isolatePodStep, kubeconfigStep, removeBindingStep, type KubectlStep } from './kubectl-commands.js';

/** What a human must do (the plan contract's ManualStep). */
export type EksManualStep = ManualStep;

const NO_IDENTITY = 'Tourniquet has no identity inside the cluster, so it cannot call the Kubernetes API';

/** The label value that marks this subject's pod: derived from the incident key, so our own text, always valid. */
export function quarantineLabelValue(subject: Pick<Subject, 'accountId' | 'region' | 'kind' | 'id'>): string {
  return `tq-${createHash('sha256').update(incidentKeyOf(subject)).digest('hex').slice(0, 16)}`;
}

function manual(step: KubectlStep, why: string): EksManualStep {
  if (step.commands === undefined) return { id: step.id, title: step.description, why: `${why}. ${step.refused ?? ''}`.trim() };
  return { id: step.id, title: step.description, why: step.refused === undefined ? why : `${why}. ${step.refused}`, commands: step.commands };
}

const obj = (v: Json | undefined): Record<string, Json> | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v : undefined);
const text = (v: Json | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

/** The RBAC binding the finding's API call created, if it is one (`kubernetesApiCallAction` of a create). */
export function createdBinding(finding: Finding): { kind: 'clusterrolebinding' | 'rolebinding'; name: string; namespace?: string } | undefined {
  const call = obj(obj(obj(obj(finding.raw)?.['service'])?.['action'])?.['kubernetesApiCallAction']);
  if (call === undefined || text(call['verb']) !== 'create') return undefined;
  const resource = text(call['resource']);
  const name = text(call['resourceName']);
  if (name === undefined) return undefined;
  if (resource === 'clusterrolebindings') return { kind: 'clusterrolebinding', name };
  if (resource === 'rolebindings') return { kind: 'rolebinding', name, namespace: text(call['namespace']) };
  return undefined;
}

/** The kubectl steps for one EKS subject. */
export function eksManualSteps(finding: Finding, subject: Subject): EksManualStep[] {
  if (subject.kind !== 'k8s-workload' && subject.kind !== 'k8s-user') return [];
  const cluster = subject.details.cluster;
  const out: EksManualStep[] = [];
  if (cluster !== undefined) out.push(manual(kubeconfigStep({ cluster, region: subject.region }), NO_IDENTITY));
  if (subject.kind === 'k8s-workload') {
    const d = subject.details;
    const caseId = quarantineLabelValue(subject);
    if (d.workloadType !== undefined && d.workloadType !== 'Pod') {
      out.push({
        id: 'isolate-pod',
        title: `Label the compromised pods of ${d.workloadType} ${JSON.stringify(d.workloadName ?? '?')} and isolate them`,
        why: `${NO_IDENTITY}. The finding names a ${d.workloadType}, not a pod: find its compromised pods (kubectl -n <namespace> get pods -o wide), then for each run the isolate-pod commands a Pod finding gets (label tourniquet.io/quarantine=${caseId}, deny-all NetworkPolicy)`,
      });
    } else {
      const pod = { namespace: d.namespace, pod: d.workloadName, caseId };
      out.push(manual(isolatePodStep(pod), `${NO_IDENTITY}. Only this pod is selected (not its replicas); without a NetworkPolicy engine the policy is ignored, then isolate the node (its EC2 incident)`));
      out.push(manual(cordonNodeStep(pod), `${NO_IDENTITY}. Cordoning keeps new pods off the node; draining would evict the pod and destroy the evidence`));
    }
  } else {
    out.push(manual(removeBindingStep({ username: subject.details.username, binding: createdBinding(finding) }), `${NO_IDENTITY}. Persistence through new (Cluster)RoleBindings is a documented EKS hijacking path; the binding is saved before it is deleted, so it can be re-created`));
  }
  return out;
}
