/**
 * One camelCase GuardDuty finding object → `Finding`. Validates what the model uses (ids, type, severity, times,
 * the routed resource details, the actor) with exact JSON paths; everything else stays in `raw`, unchecked.
 * The input is never modified and never copied: `raw` is the very object received.
 */
import { findingReasons, type GuardrailFacts } from './ai-context.js';
import { readActor } from './actor.js';
import { FINDING_TYPE_GRAMMAR, tryParseFindingType } from './finding-type.js';
import type { Finding, Json } from './model.js';
import type { ResolvedOptions } from './parse-options.js';
import type { JsonObject, RecordContext } from './record-context.js';
import { SEVERITY_MAX, SEVERITY_MIN, severityBand } from './severity.js';
import { routeSubjects } from './subjects/route-subjects.js';
import type { SubjectEnv } from './subjects/subject-env.js';
import { item, sub } from './json-path.js';

export const MAX_ID_BYTES = 512;
const PARTITION_FROM_ARN = /^arn:([a-z-]+):/;
const SAMPLE_IN_VALUE = /"sample"\s*:\s*true/;
/**
 * Values only AWS's sample generator (CreateSampleFindings) writes: a finding carrying one as a subject id is a sample
 * even when `additionalInfo.sample` was stripped (exports re-shaped by log pipelines drop it), so it is never acted on.
 */
const SAMPLE_PLACEHOLDER_PREFIX = 'GeneratedFinding';
const SAMPLE_PLACEHOLDER_INSTANCE = 'i-99999999';

/** Whether a subject's id is a sample-generator placeholder (a prefix test and a comparison: no regex per subject). */
function isSamplePlaceholder(s: { readonly id: string }): boolean {
  return s.id.startsWith(SAMPLE_PLACEHOLDER_PREFIX) || s.id === SAMPLE_PLACEHOLDER_INSTANCE;
}

/** `service.additionalInfo.sample === true`; AWS CLI output only has the JSON string `additionalInfo.value`. */
function isSample(info: JsonObject | undefined): boolean {
  if (info === undefined) return false;
  if (info['sample'] === true) return true;
  const value = info['value'];
  if (typeof value !== 'string' || !SAMPLE_IN_VALUE.test(value)) return false;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'object' && parsed !== null && (parsed as JsonObject)['sample'] === true;
  } catch {
    return false;
  }
}

export interface FindingInput {
  readonly finding: JsonObject;
  readonly ctx: RecordContext;
  /** The PascalCase record `finding` was mapped from, if any. */
  readonly original?: unknown;
  readonly eventId?: string;
}

export function parseFindingObject(input: FindingInput, options: ResolvedOptions): Finding {
  const { finding: f, ctx } = input;
  const id = ctx.reqString(f, 'id', '');
  // The id goes into journal keys (DynamoDB allows 1,024 bytes per sort key); GuardDuty's own are 32 characters.
  if (Buffer.byteLength(id, 'utf8') > MAX_ID_BYTES) ctx.fail('.id', `a non-empty string of at most ${MAX_ID_BYTES} bytes`, id);
  const typeRaw = f['type'];
  const type = (typeof typeRaw === 'string' ? tryParseFindingType(typeRaw) : undefined) ?? ctx.fail('.type', FINDING_TYPE_GRAMMAR, typeRaw);
  const accountId = ctx.reqString(f, 'accountId', '');
  const region = ctx.reqString(f, 'region', '');
  const arn = ctx.reqString(f, 'arn', '');
  const sev = f['severity'];
  const severity =
    typeof sev === 'number' && sev >= SEVERITY_MIN && sev <= SEVERITY_MAX
      ? sev
      : ctx.fail('.severity', `a number from ${SEVERITY_MIN.toFixed(1)} to ${SEVERITY_MAX.toFixed(1)}`, sev);
  const createdAt = ctx.reqTimestamp(f, 'createdAt', '');
  const updatedAt = ctx.reqTimestamp(f, 'updatedAt', '');
  const partition = ctx.optString(f, 'partition', '') ?? PARTITION_FROM_ARN.exec(arn)?.[1] ?? 'aws';
  const title = ctx.optString(f, 'title', '');
  const description = ctx.optString(f, 'description', '');
  const associatedAttackSequenceArn = ctx.optString(f, 'associatedAttackSequenceArn', '');

  const resource = ctx.reqObject(f, 'resource', '');
  const resourceType = ctx.reqString(resource, 'resourceType', '.resource');

  const service = ctx.optObject(f, 'service', '');
  const S = '.service';
  let count = 1;
  let archived = false;
  let sample = false;
  let firstSeen: string | undefined;
  let lastSeen: string | undefined;
  let detectorId: string | undefined;
  let featureName: string | undefined;
  let resourceRole: string | undefined;
  let action: JsonObject | undefined;
  if (service !== undefined) {
    const c = service['count'];
    if (c !== undefined && c !== null) {
      if (typeof c !== 'number' || !Number.isInteger(c) || c < 0) return ctx.fail(sub(S, 'count'), 'a non-negative integer', c);
      // Past 2^53 − 1 a count is not held exactly, and the journal refuses it (it was a DynamoDB error after the plan).
      if (!Number.isSafeInteger(c)) return ctx.fail(sub(S, 'count'), `a count of at most ${Number.MAX_SAFE_INTEGER} (2^53 − 1, the largest whole number a JSON number holds exactly)`, c);
      count = c;
    }
    archived = ctx.optBoolean(service, 'archived', S) ?? false;
    const additionalInfo = ctx.optObject(service, 'additionalInfo', S);
    // Checked like `archived`: a flag that is not a boolean ("true" from a pipeline that stringifies values) is
    // rejected at its path, never read as "not a sample" and acted on.
    if (additionalInfo !== undefined) ctx.optBoolean(additionalInfo, 'sample', sub(S, 'additionalInfo'));
    sample = isSample(additionalInfo);
    firstSeen = ctx.optTimestamp(service, 'eventFirstSeen', S);
    lastSeen = ctx.optTimestamp(service, 'eventLastSeen', S);
    detectorId = ctx.optString(service, 'detectorId', S);
    featureName = ctx.optString(service, 'featureName', S);
    resourceRole = ctx.optString(service, 'resourceRole', S);
    action = ctx.optObject(service, 'action', S);
  }

  const modelIds: string[] = [];
  const models = ctx.optArray(resource, 'modelDetails', '.resource');
  if (models !== undefined) {
    for (let i = 0; i < models.length; i++) {
      const m = ctx.element(models, i, '.resource.modelDetails');
      if (m === undefined) continue;
      // Optional in the API model.
      const modelId = ctx.optString(m, 'modelId', `.resource.modelDetails[${i}]`);
      if (modelId !== undefined) modelIds.push(modelId);
      else ctx.note(`.resource.modelDetails[${i}]`, 'model has no modelId: left out');
    }
  }
  let guardrailFacts: GuardrailFacts | undefined;
  const guardrail = ctx.optObject(resource, 'bedrockGuardrailDetails', '.resource');
  if (guardrail !== undefined) {
    const gp = '.resource.bedrockGuardrailDetails';
    const guardrails: Array<{ arn: string; version?: string | undefined }> = [];
    const list = ctx.optArray(guardrail, 'guardrails', gp);
    if (list !== undefined) {
      for (let i = 0; i < list.length; i++) {
        const g = ctx.element(list, i, sub(gp, 'guardrails'));
        const a = g === undefined ? undefined : ctx.optString(g, 'arn', item(sub(gp, 'guardrails'), i));
        if (a !== undefined) guardrails.push({ arn: a, version: ctx.optString(g!, 'version', item(sub(gp, 'guardrails'), i)) });
      }
    }
    const legacy = ctx.optString(guardrail, 'guardrailArn', gp);
    if (legacy !== undefined && !guardrails.some((g) => g.arn === legacy)) guardrails.push({ arn: legacy, version: ctx.optString(guardrail, 'guardrailVersion', gp) });
    const filters: Array<GuardrailFacts['filters'][number]> = [];
    const fl = ctx.optArray(guardrail, 'contentPolicyFilters', gp);
    if (fl !== undefined) {
      for (let i = 0; i < fl.length; i++) {
        const f = ctx.element(fl, i, sub(gp, 'contentPolicyFilters'));
        const fp = item(sub(gp, 'contentPolicyFilters'), i);
        const t = f === undefined ? undefined : ctx.optString(f, 'type', fp);
        if (t !== undefined) filters.push({ type: t, confidence: ctx.optString(f!, 'confidence', fp), action: ctx.optString(f!, 'action', fp) });
      }
    }
    guardrailFacts = { guardrails, action: ctx.optString(guardrail, 'guardrailAction', gp), source: ctx.optString(guardrail, 'guardrailSource', gp), filters };
  }

  const { actor, apiServiceName } = readActor(ctx, action, ctx.optObject(resource, 'accessKeyDetails', '.resource'));
  const env: SubjectEnv = {
    ctx,
    accountId,
    region,
    partition,
    aiTagKeys: options.aiTagKeys,
    findingReasons: findingReasons({ type, apiServiceName, modelIds, guardrail: guardrailFacts }),
    role: resourceRole ?? 'TARGET',
  };
  const subjects = routeSubjects(env, { type, resourceType, resource, service, findingId: id, title, modelIds });
  if (!sample) {
    const placeholder = subjects.find(isSamplePlaceholder);
    if (placeholder !== undefined) {
      sample = true;
      ctx.note('.service.additionalInfo', `treated as a sample finding: ${placeholder.kind} ${JSON.stringify(placeholder.id)} is a sample-generator placeholder`);
    }
  }

  const out: { -readonly [K in keyof Finding]: Finding[K] } = {
    kind: 'finding',
    source: ctx.source,
    id,
    arn,
    accountId,
    region,
    partition,
    type,
    severity,
    band: severityBand(severity),
    createdAt,
    updatedAt,
    count,
    sample,
    archived,
    resourceType,
    subjects,
    raw: f as Json,
  };
  if (title !== undefined) out.title = title;
  if (description !== undefined) out.description = description;
  if (firstSeen !== undefined) out.firstSeen = firstSeen;
  if (lastSeen !== undefined) out.lastSeen = lastSeen;
  if (actor !== undefined) out.actor = actor;
  if (input.original !== undefined) out.original = input.original as Json;
  if (input.eventId !== undefined) out.eventId = input.eventId;
  if (detectorId !== undefined) out.detectorId = detectorId;
  if (featureName !== undefined) out.featureName = featureName;
  if (resourceRole !== undefined) out.resourceRole = resourceRole;
  if (ctx.notes.length > 0) out.notes = [...ctx.notes];
  if (associatedAttackSequenceArn !== undefined) out.associatedAttackSequenceArn = associatedAttackSequenceArn;
  return out;
}

