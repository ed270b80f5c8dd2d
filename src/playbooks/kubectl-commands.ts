/**
 * The Kubernetes-API containment steps Tourniquet cannot take itself (it has no Kubernetes identity in the cluster),
 * written out as exact shell commands for a human: label the pod and isolate it with a deny-all NetworkPolicy, cordon
 * its node (never drain: draining evicts the pod and destroys the evidence), remove a ClusterRoleBinding the attacker
 * created. Pure: no I/O.
 *
 * Every name in them comes from the finding, so from the attacker. Each is checked against Kubernetes' own syntax
 * (DNS-1123 label for namespaces, DNS-1123 subdomain for pods and nodes, a path segment for RBAC objects, EKS's
 * cluster-name pattern) and, valid or not, only ever reaches the shell single-quoted. A name that fails its check
 * yields no command but a line saying why, so nothing is dropped silently.
 */

/** The label the quarantine NetworkPolicy selects: put on the compromised pod only, not on its replicas. */
export const QUARANTINE_LABEL = 'tourniquet.io/quarantine';

export interface KubectlStep {
  /** Stable id, e.g. `isolate-pod`. */
  readonly id: string;
  /** One line for people: what this does and why. */
  readonly description: string;
  /** The exact commands, one line each, in order; undefined when a name was refused. */
  readonly commands?: readonly string[];
  /** Why no command was built (a name that is not valid Kubernetes syntax). */
  readonly refused?: string;
}

/** `'…'` with every `'` closed, escaped and reopened: nothing inside is expanded by a POSIX shell. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const EKS_CLUSTER = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
// Characters a terminal or a shell treats specially even inside quotes when pasted (newlines, escapes, controls).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** Kubernetes' own name checks (apimachinery validation), by the kind of object named. */
export const kubernetesName = {
  namespace: (s: string): boolean => s.length <= 63 && DNS1123_LABEL.test(s),
  pod: (s: string): boolean => s.length <= 253 && DNS1123_SUBDOMAIN.test(s),
  node: (s: string): boolean => s.length <= 253 && DNS1123_SUBDOMAIN.test(s),
  /** RBAC objects: any path segment name (not `.`/`..`, no `/` or `%`); also no control characters here. */
  rbac: (s: string): boolean => s.length > 0 && s.length <= 253 && s !== '.' && s !== '..' && !/[/%]/.test(s) && !CONTROL.test(s),
  labelValue: (s: string): boolean => s.length <= 63 && LABEL_VALUE.test(s),
  /** A user name as the API server reports it (an IAM ARN, `system:…`): any text without control characters. */
  user: (s: string): boolean => s.length > 0 && s.length <= 1024 && !CONTROL.test(s),
} as const;

function refused(id: string, description: string, what: string, value: string | undefined, rule: string): KubectlStep {
  const shown = value === undefined ? 'missing' : JSON.stringify(value.length > 120 ? `${value.slice(0, 120)}…` : value);
  return { id, description, refused: `${what} ${shown} is not ${rule}: no command built; act on it by hand after checking the cluster` };
}

export interface ClusterRef {
  readonly cluster: string;
  readonly region: string;
}

/** `aws eks update-kubeconfig` for the cluster, or a refusal line. */
export function kubeconfigStep(c: ClusterRef): KubectlStep {
  const id = 'kubeconfig';
  const description = 'Point kubectl at the cluster (your own cluster-admin identity; Tourniquet has none in it)';
  if (!EKS_CLUSTER.test(c.cluster)) return refused(id, description, 'cluster name', c.cluster, 'an EKS cluster name');
  if (!REGION.test(c.region)) return refused(id, description, 'Region', c.region, 'an AWS Region');
  return { id, description, commands: [`aws eks update-kubeconfig --name ${shellQuote(c.cluster)} --region ${shellQuote(c.region)}`] };
}

export interface PodRef {
  readonly namespace: string | undefined;
  readonly pod: string | undefined;
  readonly caseId: string;
}

/**
 * Label the pod with the case id and apply a deny-all (ingress and egress) NetworkPolicy selecting that label only.
 * Needs a NetworkPolicy engine (VPC CNI network-policy mode, Calico, Cilium): without one the object is ignored.
 */
export function isolatePodStep(p: PodRef): KubectlStep {
  const id = 'isolate-pod';
  const description = `Label the pod ${QUARANTINE_LABEL}=<case> and apply a deny-all NetworkPolicy selecting that label (needs a NetworkPolicy engine)`;
  if (p.namespace === undefined || !kubernetesName.namespace(p.namespace)) return refused(id, description, 'namespace', p.namespace, 'a Kubernetes namespace name (DNS-1123 label)');
  if (p.pod === undefined || !kubernetesName.pod(p.pod)) return refused(id, description, 'pod name', p.pod, 'a Kubernetes pod name (DNS-1123 subdomain)');
  if (!kubernetesName.labelValue(p.caseId)) return refused(id, description, 'case id', p.caseId, 'a Kubernetes label value');
  const ns = shellQuote(p.namespace);
  const policy = `tourniquet-quarantine-${p.caseId}`.slice(0, 253).toLowerCase();
  // One line each (notifications print commands as lines). The manifest is JSON (valid YAML) holding only our own
  // names (label, case id), single-quoted; the namespace goes in the flag, quoted.
  const manifest = JSON.stringify({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: policy },
    spec: { podSelector: { matchLabels: { [QUARANTINE_LABEL]: p.caseId } }, policyTypes: ['Ingress', 'Egress'] },
  });
  return {
    id,
    description,
    commands: [
      `kubectl -n ${ns} label pod ${shellQuote(p.pod)} ${shellQuote(`${QUARANTINE_LABEL}=${p.caseId}`)} --overwrite`,
      `printf '%s' ${shellQuote(manifest)} | kubectl -n ${ns} apply -f -`,
    ],
  };
}

/** Cordon the pod's node (read from the pod's spec), never drain it. */
export function cordonNodeStep(p: PodRef & { readonly node?: string | undefined }): KubectlStep {
  const id = 'cordon-node';
  const description = 'Cordon the pod’s node so nothing new is scheduled there (do NOT drain: it evicts the pod and destroys the evidence)';
  if (p.node !== undefined) {
    if (!kubernetesName.node(p.node)) return refused(id, description, 'node name', p.node, 'a Kubernetes node name (DNS-1123 subdomain)');
    return { id, description, commands: [`kubectl cordon ${shellQuote(p.node)}`] };
  }
  if (p.namespace === undefined || !kubernetesName.namespace(p.namespace)) return refused(id, description, 'namespace', p.namespace, 'a Kubernetes namespace name (DNS-1123 label)');
  if (p.pod === undefined || !kubernetesName.pod(p.pod)) return refused(id, description, 'pod name', p.pod, 'a Kubernetes pod name (DNS-1123 subdomain)');
  // The node name comes from the API server, and stays double-quoted: no word splitting, no globbing.
  return {
    id,
    description,
    commands: [`NODE="$(kubectl -n ${shellQuote(p.namespace)} get pod ${shellQuote(p.pod)} -o jsonpath='{.spec.nodeName}')" && kubectl cordon "$NODE"`],
  };
}

/**
 * The ClusterRoleBindings and RoleBindings that name the user, to review, and the deletion of the one the finding
 * says the attacker created (when it names one).
 */
export function removeBindingStep(u: { readonly username: string | undefined; readonly binding?: { readonly kind: 'clusterrolebinding' | 'rolebinding'; readonly name: string; readonly namespace?: string | undefined } | undefined }): KubectlStep {
  const id = 'remove-rogue-binding';
  const description = 'List the RBAC bindings that name the user; delete the one the attacker created';
  if (u.username === undefined || !kubernetesName.user(u.username)) return refused(id, description, 'user name', u.username, 'a user name without control characters');
  const list = `kubectl get clusterrolebindings,rolebindings -A -o json | jq -r --arg u ${shellQuote(u.username)} '.items[] | select(any(.subjects[]?; .kind == "User" and .name == $u)) | "\\(.kind) \\(.metadata.namespace // "-") \\(.metadata.name)"'`;
  if (u.binding === undefined) return { id, description, commands: [list] };
  const b = u.binding;
  if (!kubernetesName.rbac(b.name)) return { ...refused(id, description, 'binding name', b.name, 'a Kubernetes RBAC object name'), commands: [list] };
  if (b.kind === 'rolebinding' && (b.namespace === undefined || !kubernetesName.namespace(b.namespace))) {
    return { ...refused(id, description, 'binding namespace', b.namespace, 'a Kubernetes namespace name (DNS-1123 label)'), commands: [list] };
  }
  const del = b.kind === 'clusterrolebinding' ? `kubectl delete clusterrolebinding ${shellQuote(b.name)}` : `kubectl -n ${shellQuote(b.namespace!)} delete rolebinding ${shellQuote(b.name)}`;
  // Saved first: a release means re-creating it from this copy.
  const save = b.kind === 'clusterrolebinding' ? `kubectl get clusterrolebinding ${shellQuote(b.name)} -o yaml > rogue-binding.yaml` : `kubectl -n ${shellQuote(b.namespace!)} get rolebinding ${shellQuote(b.name)} -o yaml > rogue-binding.yaml`;
  return { id, description, commands: [list, save, del] };
}
