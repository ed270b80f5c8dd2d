/**
 * What every subject builder needs: the record context (for path-aware checks), where the finding lives, the AI
 * tag rules and the finding-level AI reasons, and helpers to read tags and assemble a subject.
 */
import type { AiReason, OtherSubject, SubjectDetails, SubjectOf, Tag } from '../model.js';
import { aiContext, tagReasons } from '../ai-context.js';
import type { JsonObject, RecordContext } from '../record-context.js';
import { item, sub } from '../json-path.js';

export interface SubjectEnv {
  readonly ctx: RecordContext;
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  readonly aiTagKeys: readonly string[];
  /** Reasons that hold for the whole finding (AI Protection type, Bedrock API call …). */
  readonly findingReasons: readonly AiReason[];
  /** `service.resourceRole` (TARGET / ACTOR) for the resources the finding is about. */
  readonly role?: string;
}

const NO_TAGS: readonly Tag[] = Object.freeze([]);

function isTag(t: unknown): t is Tag {
  return typeof t === 'object' && t !== null && typeof (t as Tag).key === 'string' && (t as Tag).key.length > 0 && typeof (t as Tag).value === 'string';
}

/**
 * `[{key, value}]` tags; a missing value reads as ''. Keys stay data: tags are an array, never an object's keys.
 * When every element already is a `{key, value}` of strings (the usual case) the received array itself is returned
 * (read-only, never modified): no copy per subject.
 */
export function readTags(env: SubjectEnv, obj: JsonObject, key: string, path: string): readonly Tag[] {
  const arr = env.ctx.optArray(obj, key, path);
  if (arr === undefined || arr.length === 0) return NO_TAGS;
  if (arr.every(isTag)) return arr;
  const out: Tag[] = [];
  const p = sub(path, key);
  for (let i = 0; i < arr.length; i++) {
    const t = env.ctx.element(arr, i, p);
    if (t === undefined) continue;
    // `key` is optional in the API model: a tag without one cannot be matched by anything, so it is left out.
    const k = env.ctx.optString(t, 'key', item(p, i));
    const v = env.ctx.optString(t, 'value', item(p, i)) ?? '';
    if (k === undefined) {
      env.ctx.note(item(p, i), 'tag has no key: left out');
      continue;
    }
    out.push({ key: k, value: v });
  }
  return out;
}

/** Value of the `Name` tag (EC2 convention), if any. */
export function nameTag(tags: readonly Tag[]): string | undefined {
  for (const t of tags) if (t.key === 'Name' && t.value !== '') return t.value;
  return undefined;
}

/** AI reasons of a subject: its own, then the finding's. */
export function subjectAi(env: SubjectEnv, tags: readonly Tag[], own: AiReason[]) {
  tagReasons(tags, env.aiTagKeys, own);
  if (env.findingReasons.length > 0) own.push(...env.findingReasons);
  return aiContext(own);
}

export interface SubjectParts {
  readonly id: string;
  readonly arn?: string | undefined;
  readonly name?: string | undefined;
  readonly tags?: readonly Tag[];
  /** Subject-specific AI reasons (tag and finding reasons are added here). */
  readonly reasons?: AiReason[];
  readonly role?: string | undefined;
  readonly accountId?: string | undefined;
  readonly region?: string | undefined;
  readonly derivedFrom?: string;
}

/**
 * Assembles a non-EC2 subject. Optional fields the finding lacks are `undefined` (JSON output drops them).
 * `details` is used as given: its keys are literals of the builders, never input keys.
 */
export function otherSubject<K extends OtherSubject['kind']>(env: SubjectEnv, kind: K, parts: SubjectParts, details: SubjectDetails[K]): SubjectOf<K> {
  const tags = parts.tags ?? NO_TAGS;
  // One object shape for every subject (absent fields are undefined): keeps property access monomorphic downstream.
  return {
    kind,
    id: parts.id,
    arn: parts.arn,
    name: parts.name,
    accountId: parts.accountId ?? env.accountId,
    region: parts.region ?? env.region,
    tags,
    ai: subjectAi(env, tags, parts.reasons ?? []),
    role: parts.role ?? env.role,
    derived: parts.derivedFrom !== undefined ? true : undefined,
    derivedFrom: parts.derivedFrom,
    details,
  };
}

