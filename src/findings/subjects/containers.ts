/**
 * Runtime and container findings: `resource.containerDetails` → `container`; `resource.ecsClusterDetails` →
 * `ecs-cluster` and its `taskDetails` → `ecs-task`.
 */
import type { AiReason, Subject } from '../model.js';
import { imageReason, nameReasons } from '../ai-context.js';
import type { JsonObject } from '../record-context.js';
import { readContainers } from './kubernetes.js';
import { otherSubject, readTags, type SubjectEnv } from './subject-env.js';
import { item, sub } from '../json-path.js';

export function containerSubject(env: SubjectEnv, c: JsonObject, path: string): Subject {
  const { ctx } = env;
  const id = ctx.optString(c, 'id', path);
  const name = ctx.optString(c, 'name', path);
  const image = ctx.optString(c, 'image', path);
  const subjectId = id ?? name ?? image ?? ctx.fail(sub(path, 'id'), 'a container id, name or image', c['id']);
  const reasons: AiReason[] = [];
  imageReason(image, reasons);
  const sc = ctx.optObject(c, 'securityContext', path);
  const mounts = ctx.optArray(c, 'volumeMounts', path);
  const mountPaths: string[] = [];
  if (mounts !== undefined) {
    for (let i = 0; i < mounts.length; i++) {
      const m = ctx.element(mounts, i, sub(path, 'volumeMounts'));
      const mp = m === undefined ? undefined : ctx.optString(m, 'mountPath', item(sub(path, 'volumeMounts'), i));
      if (mp !== undefined) mountPaths.push(mp);
    }
  }
  return otherSubject(env, 'container', { id: subjectId, name, reasons }, {
    containerId: id,
    containerName: name,
    image,
    imagePrefix: ctx.optString(c, 'imagePrefix', path),
    runtime: ctx.optString(c, 'containerRuntime', path),
    privileged: sc === undefined ? undefined : ctx.optBoolean(sc, 'privileged', sub(path, 'securityContext')),
    allowPrivilegeEscalation: sc === undefined ? undefined : ctx.optBoolean(sc, 'allowPrivilegeEscalation', sub(path, 'securityContext')),
    mountPaths,
  });
}

/** `ecs-cluster` and, when present, `ecs-task` (path `.resource.ecsClusterDetails`). */
export function ecsSubjects(env: SubjectEnv, d: JsonObject, path: string): Subject[] {
  const { ctx } = env;
  const arn = ctx.optString(d, 'arn', path);
  const name = ctx.optString(d, 'name', path);
  const id = arn ?? name ?? ctx.fail(sub(path, 'arn'), 'a cluster arn or name', d['arn']);
  const reasons: AiReason[] = [];
  nameReasons('cluster', name, reasons);
  const out: Subject[] = [
    otherSubject(env, 'ecs-cluster', { id, arn, name, tags: readTags(env, d, 'tags', path), reasons }, {
      clusterName: name,
      status: ctx.optString(d, 'status', path),
      runningTasksCount: ctx.optNumber(d, 'runningTasksCount', path),
    }),
  ];
  const task = ctx.optObject(d, 'taskDetails', path);
  if (task !== undefined) {
    const tp = sub(path, 'taskDetails');
    const taskArn = ctx.reqString(task, 'arn', tp);
    const taskReasons: AiReason[] = [];
    const containers = readContainers(env, task, 'containers', tp, taskReasons);
    out.push(
      otherSubject(env, 'ecs-task', { id: taskArn, arn: taskArn, tags: readTags(env, task, 'tags', tp), reasons: taskReasons }, {
        cluster: id,
        definitionArn: ctx.optString(task, 'definitionArn', tp),
        version: ctx.optStringish(task, 'version', tp),
        launchType: ctx.optString(task, 'launchType', tp),
        group: ctx.optString(task, 'group', tp),
        startedBy: ctx.optString(task, 'startedBy', tp),
        createdAt: ctx.optTimestamp(task, 'createdAt', tp),
        startedAt: ctx.optTimestamp(task, 'startedAt', tp),
        containers,
      }),
    );
  }
  return out;
}
