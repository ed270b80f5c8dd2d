/**
 * EKS: `resource.eksClusterDetails` → `eks-cluster`; `kubernetesDetails.kubernetesWorkloadDetails` → `k8s-workload`;
 * `kubernetesDetails.kubernetesUserDetails` → `k8s-user`. Workload and user ids are scoped by cluster name
 * (`cluster/namespace/name`, `cluster/username`) because the same names recur across clusters.
 */
import type { AiReason, Subject } from '../model.js';
import { imageReason, nameReasons } from '../ai-context.js';
import type { JsonObject } from '../record-context.js';
import { otherSubject, readTags, type SubjectEnv } from './subject-env.js';
import { item, sub } from '../json-path.js';

export function eksClusterSubject(env: SubjectEnv, d: JsonObject, path: string): Subject {
  const { ctx } = env;
  const arn = ctx.optString(d, 'arn', path);
  const name = ctx.optString(d, 'name', path) ?? arn ?? ctx.fail(sub(path, 'name'), 'a cluster name (or arn)', d['name']);
  const reasons: AiReason[] = [];
  nameReasons('cluster', name, reasons);
  return otherSubject(env, 'eks-cluster', { id: name, arn, name, tags: readTags(env, d, 'tags', path), reasons }, {
    clusterName: name,
    vpcId: ctx.optString(d, 'vpcId', path),
    status: ctx.optString(d, 'status', path),
    createdAt: ctx.optTimestamp(d, 'createdAt', path),
  });
}

export interface ContainerSummary {
  readonly name?: string | undefined;
  readonly id?: string | undefined;
  readonly image?: string | undefined;
  readonly privileged?: boolean | undefined;
}

/** The container list of a workload or ECS task, summarized; images feed the AI reasons. */
export function readContainers(env: SubjectEnv, obj: JsonObject, key: string, path: string, reasons: AiReason[]): ContainerSummary[] {
  const { ctx } = env;
  const arr = ctx.optArray(obj, key, path);
  if (arr === undefined) return [];
  const out: ContainerSummary[] = [];
  const p = sub(path, key);
  for (let i = 0; i < arr.length; i++) {
    const c = ctx.element(arr, i, p);
    if (c === undefined) continue;
    const cp = item(p, i);
    const image = ctx.optString(c, 'image', cp);
    imageReason(image, reasons);
    const sc = ctx.optObject(c, 'securityContext', cp);
    out.push({
      name: ctx.optString(c, 'name', cp),
      id: ctx.optString(c, 'id', cp),
      image,
      privileged: sc === undefined ? undefined : ctx.optBoolean(sc, 'privileged', sub(cp, 'securityContext')),
    });
  }
  return out;
}

export function k8sWorkloadSubject(env: SubjectEnv, w: JsonObject, path: string, cluster: string | undefined): Subject {
  const { ctx } = env;
  const name = ctx.reqString(w, 'name', path);
  const namespace = ctx.optString(w, 'namespace', path);
  const reasons: AiReason[] = [];
  const containers = readContainers(env, w, 'containers', path, reasons);
  return otherSubject(env, 'k8s-workload', { id: `${cluster ?? ''}/${namespace ?? ''}/${name}`, name, reasons }, {
    cluster,
    namespace,
    workloadName: name,
    workloadType: ctx.optString(w, 'type', path),
    uid: ctx.optString(w, 'uid', path),
    serviceAccountName: ctx.optString(w, 'serviceAccountName', path),
    hostNetwork: ctx.optBoolean(w, 'hostNetwork', path),
    hostPID: ctx.optBoolean(w, 'hostPID', path),
    hostIPC: ctx.optBoolean(w, 'hostIPC', path),
    privileged: containers.some((c) => c.privileged === true),
    containers,
  });
}

export function k8sUserSubject(env: SubjectEnv, u: JsonObject, path: string, cluster: string | undefined): Subject {
  const { ctx } = env;
  const username = ctx.reqString(u, 'username', path);
  const impersonated = ctx.optObject(u, 'impersonatedUser', path);
  return otherSubject(env, 'k8s-user', { id: `${cluster ?? ''}/${username}`, name: username, role: 'ACTOR' }, {
    cluster,
    username,
    uid: ctx.optString(u, 'uid', path),
    groups: ctx.optStringArray(u, 'groups', path),
    sessionName: ctx.optStringArray(u, 'sessionName', path),
    impersonatedUser: impersonated === undefined ? undefined : ctx.optString(impersonated, 'username', sub(path, 'impersonatedUser')),
  });
}

/** Cluster, workload and user subjects of an EKS finding (path `.resource`). */
export function kubernetesSubjects(env: SubjectEnv, resource: JsonObject, path: string, requireCluster: boolean): Subject[] {
  const { ctx } = env;
  const out: Subject[] = [];
  const eks = requireCluster ? ctx.reqObject(resource, 'eksClusterDetails', path) : ctx.optObject(resource, 'eksClusterDetails', path);
  let cluster: string | undefined;
  if (eks !== undefined) {
    const s = eksClusterSubject(env, eks, sub(path, 'eksClusterDetails'));
    cluster = s.id;
    out.push(s);
  }
  const k8s = ctx.optObject(resource, 'kubernetesDetails', path);
  if (k8s !== undefined) {
    const kp = sub(path, 'kubernetesDetails');
    const w = ctx.optObject(k8s, 'kubernetesWorkloadDetails', kp);
    if (w !== undefined) out.push(k8sWorkloadSubject(env, w, sub(kp, 'kubernetesWorkloadDetails'), cluster));
    const u = ctx.optObject(k8s, 'kubernetesUserDetails', kp);
    if (u !== undefined) out.push(k8sUserSubject(env, u, sub(kp, 'kubernetesUserDetails'), cluster));
  }
  return out;
}
