/**
 * Whether a subject is an AI workload, and why. Every reason carries its evidence so a human can check it.
 *
 * Reasons come from the subject itself (instance family, tags, names, images, object keys) and from the finding
 * (AI Protection types, Bedrock/SageMaker API calls, model and guardrail details); finding-level reasons apply to
 * every subject of that finding.
 */
import type { AiContext, AiReason, FindingType, Tag } from './model.js';

export const NOT_AI: AiContext = Object.freeze({ isAi: false, reasons: Object.freeze([]) as readonly AiReason[] });

export function aiContext(reasons: readonly AiReason[]): AiContext {
  return reasons.length === 0 ? NOT_AI : { isAi: true, reasons };
}

// ── Accelerator instance families ────────────────────────────────────────────────────────────────────────────────
/**
 * NVIDIA GPU (p2–p6*, g3–g6*, gr6*), AWS Inferentia (inf1/inf2), Trainium (trn1/trn1n/trn2*), Gaudi (dl1) and
 * Qualcomm AI 100 (dl2q). Not accelerators for ML and therefore excluded: vt1 (video transcoding), f1/f2 (FPGA),
 * and every general-purpose family (m5, t3, c7g …). SageMaker's `ml.` prefix is ignored.
 */
const ACCELERATOR_FAMILY = /^(?:p[2-6][a-z0-9-]*|g[3-6][a-z]*|gr6[a-z]*|inf[12][a-z]*|trn[12][a-z]*|dl1|dl2q)$/;

export function instanceFamily(instanceType: string): string {
  const t = instanceType.toLowerCase();
  const bare = t.startsWith('ml.') ? t.slice(3) : t;
  const dot = bare.indexOf('.');
  return dot === -1 ? bare : bare.slice(0, dot);
}

export function acceleratorReason(instanceType: string | undefined): AiReason | undefined {
  if (instanceType === undefined) return undefined;
  const family = instanceFamily(instanceType);
  if (!ACCELERATOR_FAMILY.test(family)) return undefined;
  return { code: 'accelerator-instance', detail: `instance type ${instanceType} (family ${family})` };
}

// ── Tags ─────────────────────────────────────────────────────────────────────────────────────────────────────────
/** Word-bounded AI/ML values for generic keys such as `workload-type` (so `html-frontend` does not match `ml`). */
export const AI_VALUE_PATTERN = '(?:^|[^a-z0-9])(?:ai|ml|genai|gen-ai|llm|llms|inference|training|model-serving|mlops)(?:[^a-z0-9]|$)';

/**
 * Default `aiTagKeys`. Syntax of an entry: `key` (exact, case-insensitive), `prefix*`, either optionally followed by
 * `=<regex>` that the tag value must match (case-insensitive). A bare key matches any value except an explicit
 * "no" (`false`, `no`, `0`, `off`, `none`, `disabled`).
 */
export const DEFAULT_AI_TAG_KEYS: readonly string[] = Object.freeze([
  'ai-workload',
  'ml-workload',
  'tourniquet:ai',
  'ai:*',
  'ml:*',
  'sagemaker:*',
  `workload-type=${AI_VALUE_PATTERN}`,
  `workload=${AI_VALUE_PATTERN}`,
  `purpose=${AI_VALUE_PATTERN}`,
  // Cluster Autoscaler node-template tags on GPU / Neuron node groups.
  'k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu',
  'k8s.io/cluster-autoscaler/node-template/resources/aws.amazon.com/neuron*',
]);

interface TagRule {
  /** The key part of the entry, as configured (shown in reasons). */
  readonly label: string;
  readonly prefix: string;
  readonly value: RegExp | undefined;
}

interface TagRules {
  /** Exact keys (lower-cased) → rules, in configuration order. */
  readonly exact: ReadonlyMap<string, readonly TagRule[]>;
  readonly prefixes: readonly TagRule[];
  /**
   * Tag keys (as received) no rule can match whatever their value, and that are not SageMaker-managed: most tags of
   * an export (`Name`, `env`, `team` …), on every line. Bounded: emptied when full.
   */
  readonly inert: Set<string>;
}

const INERT_LIMIT = 4096;

const NO_VALUE = /^(?:false|no|0|off|none|disabled)$/i;
const compiled = new WeakMap<readonly string[], TagRules>();

function compileTagRules(keys: readonly string[]): TagRules {
  const hit = compiled.get(keys);
  if (hit !== undefined) return hit;
  const exact = new Map<string, TagRule[]>();
  const prefixes: TagRule[] = [];
  for (const entry of keys) {
    const eq = entry.indexOf('=');
    const label = eq === -1 ? entry : entry.slice(0, eq);
    const keyPart = label.toLowerCase();
    const value = eq === -1 ? undefined : new RegExp(entry.slice(eq + 1), 'i');
    if (keyPart.endsWith('*')) {
      prefixes.push({ label, prefix: keyPart.slice(0, -1), value });
    } else {
      const list = exact.get(keyPart) ?? [];
      list.push({ label, prefix: keyPart, value });
      exact.set(keyPart, list);
    }
  }
  const rules: TagRules = { exact, prefixes, inert: new Set() };
  compiled.set(keys, rules);
  return rules;
}

function ruleMatches(rule: TagRule, value: string): boolean {
  return rule.value !== undefined ? rule.value.test(value) : !NO_VALUE.test(value);
}

const SAGEMAKER_TAG_PREFIX = 'aws:sagemaker:';

/** `ai-tag` reasons for configured keys, and `sagemaker` for SageMaker-managed `aws:sagemaker:*` tags. */
export function tagReasons(tags: readonly Tag[], aiTagKeys: readonly string[], out: AiReason[]): void {
  if (tags.length === 0) return;
  const rules = compileTagRules(aiTagKeys);
  for (const tag of tags) {
    if (rules.inert.has(tag.key)) continue;
    const key = tag.key.toLowerCase();
    if (!key.startsWith(SAGEMAKER_TAG_PREFIX) && !rules.exact.has(key) && !rules.prefixes.some((r) => key.startsWith(r.prefix))) {
      if (rules.inert.size >= INERT_LIMIT) rules.inert.clear();
      rules.inert.add(tag.key);
      continue;
    }
    if (key.startsWith(SAGEMAKER_TAG_PREFIX)) {
      out.push({ code: 'sagemaker', detail: `SageMaker-managed tag ${tag.key}=${tag.value}` });
      continue;
    }
    let matched: TagRule | undefined;
    const exact = rules.exact.get(key);
    if (exact !== undefined) matched = exact.find((r) => ruleMatches(r, tag.value));
    if (matched === undefined) {
      for (const r of rules.prefixes) {
        if (key.startsWith(r.prefix) && ruleMatches(r, tag.value)) {
          matched = r;
          break;
        }
      }
    }
    if (matched !== undefined) out.push({ code: 'ai-tag', detail: `tag ${tag.key}=${tag.value} (rule ${matched.label})` });
  }
}

// ── Names, images, object keys ───────────────────────────────────────────────────────────────────────────────────
const SAGEMAKER_NAME = /sagemaker/i;
const BEDROCK_NAME = /bedrock/i;

/** `sagemaker` / `bedrock` reasons when a role, function, bucket, cluster or profile name names the service. */
export function nameReasons(label: string, name: string | undefined, out: AiReason[]): void {
  if (name === undefined) return;
  if (SAGEMAKER_NAME.test(name)) out.push({ code: 'sagemaker', detail: `${label} ${name}` });
  if (BEDROCK_NAME.test(name)) out.push({ code: 'bedrock', detail: `${label} ${name}` });
}

/** Container images of ML frameworks and model servers. */
const ML_IMAGE =
  /(?:pytorch|tensorflow|vllm|tritonserver|triton-inference|nvidia\/cuda|nvcr\.io|huggingface|text-generation-inference|ollama|jupyter|kubeflow|deep-learning-containers|neuronx?-|ray-ml|mlflow|llama|sagemaker)/i;

export function imageReason(image: string | undefined, out: AiReason[]): void {
  if (image !== undefined && ML_IMAGE.test(image)) out.push({ code: 'ml-artifact', detail: `container image ${image}` });
}

/** AMIs of the AWS Deep Learning family and other GPU/ML images, by their description. */
const ML_AMI = /(?:deep learning|pytorch|tensorflow|neuron|cuda|nvidia)/i;

export function amiReason(description: string | undefined, out: AiReason[]): void {
  if (description !== undefined && ML_AMI.test(description)) out.push({ code: 'ml-artifact', detail: `AMI ${description}` });
}

/** Model weight / checkpoint files. */
const MODEL_FILE = /\.(?:safetensors|gguf|ggml|pt|pth|ckpt|onnx|h5|keras|pkl|pickle|joblib|tflite|mlmodel|engine|nemo)$/i;

export function objectKeyReason(key: string | undefined, out: AiReason[]): void {
  if (key !== undefined && MODEL_FILE.test(key)) out.push({ code: 'ml-artifact', detail: `model file ${key}` });
}

// ── Finding-level reasons ────────────────────────────────────────────────────────────────────────────────────────
/** AI Protection finding types (GA 2026-07). */
export const AI_PROTECTION_TYPES: ReadonlySet<string> = new Set([
  'Impact:IAMUser/AnomalousModelInvocation',
  'Impact:IAMUser/CostHarvesting',
  'Impact:IAMUser/PromptInjection.Direct',
]);

const BEDROCK_SERVICE = /^bedrock(?:-[a-z0-9]+)*\.amazonaws\.com$/i;
const SAGEMAKER_SERVICE = /^(?:api\.)?sagemaker(?:-[a-z0-9]+)*\.amazonaws\.com$/i;

/** `resource.bedrockGuardrailDetails`: which guardrails, whether they intervened, on what, by which filters. */
export interface GuardrailFacts {
  readonly guardrails: ReadonlyArray<{ readonly arn: string; readonly version?: string | undefined }>;
  readonly action?: string | undefined;
  readonly source?: string | undefined;
  readonly filters: ReadonlyArray<{ readonly type: string; readonly confidence?: string | undefined; readonly action?: string | undefined }>;
}

export interface FindingAiFacts {
  readonly type: FindingType;
  readonly apiServiceName?: string;
  readonly modelIds: readonly string[];
  readonly guardrailArns?: readonly string[];
  readonly guardrail?: GuardrailFacts;
}

/** API enum values (GUARDRAIL_INTERVENED, PROMPT_ATTACK, HIGH …): anything else is left out of the summary. */
const ENUM_VALUE = /^[A-Z][A-Z_]{0,39}$/;
const VERSION = /^[A-Za-z0-9.]{1,16}$/;
const MAX_ARN = 256;
const enumOrNothing = (v: string | undefined): string | undefined => (v !== undefined && ENUM_VALUE.test(v) ? v : undefined);

/**
 * One line for people: `Bedrock guardrail <arn> v1: GUARDRAIL_INTERVENED on INPUT; PROMPT_ATTACK HIGH BLOCKED`.
 * Bounded (five guardrails, seven filters, ARNs cut at 256 characters), enum fields only when they look like one.
 */
export function guardrailDetail(g: GuardrailFacts): string {
  const names = g.guardrails
    .slice(0, 5)
    .map((x) => `${x.arn.length > MAX_ARN ? `${x.arn.slice(0, MAX_ARN)}…` : x.arn}${x.version !== undefined && VERSION.test(x.version) ? ` v${x.version}` : ''}`);
  const action = enumOrNothing(g.action);
  const source = enumOrNothing(g.source);
  const filters = g.filters
    .slice(0, 7)
    .map((f) => [enumOrNothing(f.type), enumOrNothing(f.confidence), enumOrNothing(f.action)].filter((x) => x !== undefined).join(' '))
    .filter((f) => f !== '');
  let line = names.length > 0 ? `Bedrock guardrail ${names.join(', ')}${g.guardrails.length > 5 ? ` (+${g.guardrails.length - 5})` : ''}` : 'Bedrock guardrail details present';
  if (action !== undefined) line += `: ${action}${source !== undefined ? ` on ${source}` : ''}`;
  if (filters.length > 0) line += `; ${filters.join(', ')}`;
  return line;
}

const NO_REASONS: readonly AiReason[] = Object.freeze([]);

export function findingReasons(facts: FindingAiFacts): readonly AiReason[] {
  const out: AiReason[] = [];
  const { type } = facts;
  if (AI_PROTECTION_TYPES.has(type.raw)) out.push({ code: 'ai-protection-type', detail: `finding type ${type.raw}` });
  if (BEDROCK_NAME.test(type.family)) out.push({ code: 'bedrock', detail: `finding type ${type.raw}` });
  if (type.resourceTypeAffected === 'SageMaker') out.push({ code: 'sagemaker', detail: `finding type ${type.raw}` });
  if (/kubeflow/i.test(type.family)) out.push({ code: 'ml-artifact', detail: `finding type ${type.raw} (Kubeflow)` });
  const svc = facts.apiServiceName;
  if (svc !== undefined) {
    if (BEDROCK_SERVICE.test(svc)) out.push({ code: 'bedrock', detail: `API call to ${svc}` });
    else if (SAGEMAKER_SERVICE.test(svc)) out.push({ code: 'sagemaker', detail: `API call to ${svc}` });
  }
  if (facts.modelIds.length > 0) out.push({ code: 'model-details', detail: `model ${facts.modelIds.join(', ')}` });
  if (facts.guardrail !== undefined) {
    out.push({ code: 'guardrail', detail: guardrailDetail(facts.guardrail) });
  } else if (facts.guardrailArns !== undefined) {
    out.push({ code: 'guardrail', detail: facts.guardrailArns.length > 0 ? `Bedrock guardrail ${facts.guardrailArns.join(', ')}` : 'Bedrock guardrail details present' });
  }
  return out.length === 0 ? NO_REASONS : out;
}
