/**
 * Which resources a finding is about. Routed by the finding type FIRST (its ResourceTypeAffected segment and
 * purpose), THEN by the detail objects present — because sample findings (CreateSampleFindings) carry detail objects
 * unrelated to their type, e.g. an S3 or IAM finding with `instanceDetails` of `i-99999999`. Only the detail objects
 * that belong to the routed resource kind become subjects.
 *
 * Types whose segment is not known here (new Custom Detection Rules segments such as `SES`, `Organizations`) fall back
 * to `resource.resourceType`; an unknown resourceType then uses whatever usable details are present, and a finding
 * with none is rejected at `$.resource.resourceType`.
 */
import type { FindingType, Subject } from '../model.js';
import type { JsonObject } from '../record-context.js';
import { modelSubjects } from './ai-resources.js';
import { attackSequenceSubjects } from './attack-sequence.js';
import { backupSubjects } from './backup-resources.js';
import { containerSubject, ecsSubjects } from './containers.js';
import { credentialSubjects, readAccessKeyDetails } from './credentials.js';
import { ec2FromInstanceDetails } from './ec2-instance.js';
import { kubernetesSubjects } from './kubernetes.js';
import { lambdaSubject, rdsSubjects } from './lambda-rds.js';
import { s3BucketSubjects } from './s3.js';
import { notebookSubjects } from './sagemaker-notebook.js';
import type { SubjectEnv } from './subject-env.js';
import { sub } from '../json-path.js';

const R = '.resource';

export interface RouteInput {
  readonly type: FindingType;
  readonly resourceType: string;
  readonly resource: JsonObject;
  readonly service: JsonObject | undefined;
  readonly findingId: string;
  readonly title: string | undefined;
  readonly modelIds: readonly string[];
}

type Route = (env: SubjectEnv, input: RouteInput, out: Subject[]) => void;

// ── Pieces ───────────────────────────────────────────────────────────────────────────────────────────────────────
function instance(env: SubjectEnv, input: RouteInput, out: Subject[], required: boolean): void {
  const d = required ? env.ctx.reqObject(input.resource, 'instanceDetails', R) : env.ctx.optObject(input.resource, 'instanceDetails', R);
  if (d !== undefined) out.push(ec2FromInstanceDetails(env, d, sub(R, 'instanceDetails')));
}

function credentials(env: SubjectEnv, input: RouteInput, out: Subject[], required: boolean, role?: string): void {
  const { ctx } = env;
  const d = required ? ctx.reqObject(input.resource, 'accessKeyDetails', R) : ctx.optObject(input.resource, 'accessKeyDetails', R);
  if (d === undefined) return;
  const path = sub(R, 'accessKeyDetails');
  const subjects = credentialSubjects(env, readAccessKeyDetails(env, d, path), { path, resource: input.resource, resourcePath: R, role });
  if (required && subjects.length === 0) ctx.fail(sub(path, 'accessKeyId'), 'an access key id or a principal (userType IAMUser, AssumedRole, Root, FederatedUser)', d['accessKeyId']);
  out.push(...subjects);
}

function buckets(env: SubjectEnv, input: RouteInput, out: Subject[]): number {
  const arr = env.ctx.optArray(input.resource, 's3BucketDetails', R);
  if (arr === undefined) return 0;
  const subjects = s3BucketSubjects(env, arr, sub(R, 's3BucketDetails'));
  out.push(...subjects);
  return subjects.length;
}

function container(env: SubjectEnv, input: RouteInput, out: Subject[], required: boolean): void {
  const d = required ? env.ctx.reqObject(input.resource, 'containerDetails', R) : env.ctx.optObject(input.resource, 'containerDetails', R);
  if (d !== undefined) out.push(containerSubject(env, d, sub(R, 'containerDetails')));
}

function ecs(env: SubjectEnv, input: RouteInput, out: Subject[], required: boolean): void {
  const d = required ? env.ctx.reqObject(input.resource, 'ecsClusterDetails', R) : env.ctx.optObject(input.resource, 'ecsClusterDetails', R);
  if (d !== undefined) out.push(...ecsSubjects(env, d, sub(R, 'ecsClusterDetails')));
}

function lambda(env: SubjectEnv, input: RouteInput, out: Subject[]): void {
  out.push(lambdaSubject(env, env.ctx.reqObject(input.resource, 'lambdaDetails', R), sub(R, 'lambdaDetails')));
}

function rds(env: SubjectEnv, input: RouteInput, out: Subject[]): void {
  const subjects = rdsSubjects(env, input.resource, R);
  if (subjects.length === 0) env.ctx.fail(sub(R, 'rdsDbInstanceDetails'), 'an object', input.resource['rdsDbInstanceDetails']);
  out.push(...subjects);
}

// ── Routes by resource kind ──────────────────────────────────────────────────────────────────────────────────────
/** EC2 types: the instance; Malware Protection for Backup types (`!Snapshot`, `!AMI`, `!RecoveryPoint`) the artefact. */
const ec2Route: Route = (env, input, out) => {
  const backup = backupSubjects(env, input.resource, R);
  instance(env, input, out, backup.length === 0);
  out.push(...backup);
};

/** IAM types: the access key and its principal; AI Protection adds the invoked models. */
const iamRoute: Route = (env, input, out) => {
  credentials(env, input, out, true);
  out.push(...modelSubjects(env, input.modelIds));
  out.push(...notebookSubjects(env, input.service));
};

/** S3 types: every bucket (and scanned object); the caller's credentials when present. */
const s3Route: Route = (env, input, out) => {
  const n = buckets(env, input, out);
  const backup = backupSubjects(env, input.resource, R);
  out.push(...backup);
  const before = out.length;
  credentials(env, input, out, false, n > 0 ? 'ACTOR' : undefined);
  if (n === 0 && backup.length === 0 && out.length === before) {
    env.ctx.fail(sub(R, 's3BucketDetails'), 'an array of buckets (or accessKeyDetails)', input.resource['s3BucketDetails']);
  }
};

/** Kubernetes audit-log types: cluster, workload, user, and the IAM identity behind the user. EBS scans add the node. */
const kubernetesRoute: Route = (env, input, out) => {
  const isNodeScan = input.resourceType === 'Instance';
  out.push(...kubernetesSubjects(env, input.resource, R, !isNodeScan));
  if (isNodeScan) instance(env, input, out, true);
  credentials(env, input, out, false, 'ACTOR');
};

/** Runtime Monitoring and container/ECS malware types: the primary resource by resourceType, plus its runtime context. */
const runtimeRoute: Route = (env, input, out) => {
  switch (input.resourceType) {
    case 'Instance':
      instance(env, input, out, true);
      container(env, input, out, false);
      break;
    case 'EKSCluster':
      out.push(...kubernetesSubjects(env, input.resource, R, true));
      container(env, input, out, false);
      instance(env, input, out, false);
      break;
    case 'ECSCluster':
      ecs(env, input, out, true);
      container(env, input, out, false);
      instance(env, input, out, false);
      break;
    case 'Container':
      container(env, input, out, true);
      out.push(...kubernetesSubjects(env, input.resource, R, false));
      ecs(env, input, out, false);
      instance(env, input, out, false);
      break;
    default:
      byDetails(env, input, out);
  }
};

const lambdaRoute: Route = (env, input, out) => lambda(env, input, out);
const rdsRoute: Route = (env, input, out) => rds(env, input, out);

const attackSequenceRoute: Route = (env, input, out) => {
  out.push(...attackSequenceSubjects(env, input.findingId, input.title, input.service));
};

/** ResourceTypeAffected segment → route. */
const BY_SEGMENT: ReadonlyMap<string, Route> = new Map([
  ['EC2', ec2Route],
  ['IAMUser', iamRoute],
  ['IAM', iamRoute],
  ['S3', s3Route],
  ['Kubernetes', kubernetesRoute],
  ['EKS', kubernetesRoute],
  ['Runtime', runtimeRoute],
  ['Container', runtimeRoute],
  ['ECS', runtimeRoute],
  ['Lambda', lambdaRoute],
  ['RDS', rdsRoute],
]);

/** `resource.resourceType` → route, for segments not listed above. */
const BY_RESOURCE_TYPE: ReadonlyMap<string, Route> = new Map([
  ['Instance', ec2Route],
  ['AccessKey', iamRoute],
  ['S3Bucket', s3Route],
  ['S3Object', s3Route],
  ['EKSCluster', kubernetesRoute],
  ['ECSCluster', runtimeRoute],
  ['Container', runtimeRoute],
  ['Lambda', lambdaRoute],
  ['RDSDBInstance', rdsRoute],
  ['RDSLimitlessDB', rdsRoute],
  ['AttackSequence', attackSequenceRoute],
]);

/** Last resort for an unknown resourceType: every usable detail object. */
function byDetails(env: SubjectEnv, input: RouteInput, out: Subject[]): void {
  const r = input.resource;
  const has = (k: string): boolean => r[k] !== undefined && r[k] !== null;
  if (has('instanceDetails')) instance(env, input, out, false);
  if (has('accessKeyDetails')) credentials(env, input, out, false);
  if (has('s3BucketDetails')) buckets(env, input, out);
  if (has('eksClusterDetails') || has('kubernetesDetails')) out.push(...kubernetesSubjects(env, r, R, false));
  if (has('ecsClusterDetails')) ecs(env, input, out, false);
  if (has('containerDetails')) container(env, input, out, false);
  if (has('lambdaDetails')) lambda(env, input, out);
  out.push(...rdsSubjects(env, r, R));
  out.push(...backupSubjects(env, r, R));
  out.push(...modelSubjects(env, input.modelIds));
  if (out.length === 0) {
    env.ctx.fail(sub(R, 'resourceType'), `a known resource type (${[...BY_RESOURCE_TYPE.keys()].join(', ')}) or usable resource details`, input.resourceType);
  }
}

/** The subjects of a finding, de-duplicated by kind and id (first occurrence wins). */
export function routeSubjects(env: SubjectEnv, input: RouteInput): Subject[] {
  const out: Subject[] = [];
  const route =
    input.type.threatPurpose === 'AttackSequence' || input.resourceType === 'AttackSequence'
      ? attackSequenceRoute
      : (BY_SEGMENT.get(input.type.resourceTypeAffected) ?? BY_RESOURCE_TYPE.get(input.resourceType));
  if (route !== undefined) route(env, input, out);
  else byDetails(env, input, out);
  return dedupe(out);
}

/** Drops later subjects with the same kind and id (few subjects per finding: a quadratic scan allocates nothing). */
function dedupe(subjects: Subject[]): Subject[] {
  let out: Subject[] | undefined;
  for (let i = 1; i < subjects.length; i++) {
    const s = subjects[i]!;
    let dup = false;
    for (let j = 0; j < i; j++) {
      const t = subjects[j]!;
      if (t.kind === s.kind && t.id === s.id) {
        dup = true;
        break;
      }
    }
    if (dup && out === undefined) out = subjects.slice(0, i);
    else if (!dup && out !== undefined) out.push(s);
  }
  return out ?? subjects;
}
