/**
 * What a compromised principal created or started in Bedrock and SageMaker, read from CloudTrail events. The
 * `CloudTrailEvent` string is attacker-influenced (request parameters are what the caller sent), so it is parsed
 * defensively: bounded size, every field type-checked, every name and ARN matched against the format AWS itself
 * enforces (a value that does not fit is never acted on), failed calls ignored, and an event is taken only when its
 * Region and account are the ones that were searched and its identity is the principal's.
 */

/** The resource families the activity lookup reports. Only those marked in STOPPABLE are ever acted on. */
export const AI_RESOURCE_FAMILIES = [
  'bedrock-provisioned-throughput',
  'bedrock-custom-model',
  'bedrock-customization-job',
  'bedrock-invocation-job',
  'bedrock-import-job',
  'bedrock-inference-profile',
  'bedrock-agent',
  'bedrock-api-key',
  'sagemaker-notebook-instance',
  'sagemaker-presigned-url',
  'sagemaker-training-job',
  'sagemaker-processing-job',
  'sagemaker-transform-job',
  'sagemaker-tuning-job',
  'sagemaker-endpoint',
  'sagemaker-endpoint-updated',
] as const;

export type AiResourceFamily = (typeof AI_RESOURCE_FAMILIES)[number];

/** One resource the principal created or started, as CloudTrail recorded it. */
export interface AiResource {
  readonly family: AiResourceFamily;
  readonly region: string;
  /** What the stop/delete API takes: an ARN or a name (SageMaker), the credential id (API keys). */
  readonly id: string;
  readonly arn?: string;
  readonly name?: string;
  /** The CloudTrail call that created or started it. */
  readonly eventName: string;
  readonly eventTime: string;
  readonly eventId: string;
  /** Family-specific facts (the endpoint config of an endpoint, the IAM user of an API key, the model …). */
  readonly detail?: { readonly [key: string]: string };
}

/** The principal whose calls are wanted: events of any other identity are dropped. */
export interface PrincipalFilter {
  readonly accessKeyId?: string | undefined;
  readonly userName?: string | undefined;
  /** `AIDA…` (user) or `AROA…:session` (role session). */
  readonly principalId?: string | undefined;
}

/** A CloudTrail event, reduced to the fields that are kept in the evidence and used here. */
export interface ParsedEvent {
  readonly eventId: string;
  readonly eventTime: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly awsRegion: string;
  readonly recipientAccountId?: string;
  readonly sourceIPAddress?: string;
  readonly userAgent?: string;
  readonly errorCode?: string;
  readonly readOnly?: boolean;
  readonly identity: { readonly type?: string; readonly principalId?: string; readonly accessKeyId?: string; readonly userName?: string; readonly arn?: string };
  /** `additionalEventData.callWithBearerToken`: a Bedrock API key was used. */
  readonly bearerToken?: boolean;
  readonly request: Obj | undefined;
  readonly response: Obj | undefined;
}

type Obj = { readonly [key: string]: unknown };

/** CloudTrail events are at most 256 KB; anything much larger is not one. */
export const MAX_EVENT_CHARS = 512 * 1024;
const MAX_TEXT = 2048;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An own string property, bounded (never from the prototype: the JSON may carry `__proto__` keys). */
function str(o: Obj | undefined, key: string, max = MAX_TEXT): string | undefined {
  if (o === undefined || !Object.hasOwn(o, key)) return undefined;
  const v = o[key];
  return typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined;
}

function obj(o: Obj | undefined, key: string): Obj | undefined {
  if (o === undefined || !Object.hasOwn(o, key)) return undefined;
  const v = o[key];
  return isObj(v) ? v : undefined;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;
const REGION = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;
const ACCOUNT = /^\d{12}$/;

/**
 * Parses one `CloudTrailEvent` string; undefined when it is not a well-formed CloudTrail event (too large, not JSON,
 * not an object, or missing the id, time, source, name or Region).
 */
export function parseCloudTrailEvent(raw: unknown): ParsedEvent | undefined {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_EVENT_CHARS) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!isObj(doc)) return undefined;
  const eventId = str(doc, 'eventID', 128);
  const eventTime = str(doc, 'eventTime', 64);
  const eventSource = str(doc, 'eventSource', 128);
  const eventName = str(doc, 'eventName', 128);
  const awsRegion = str(doc, 'awsRegion', 32);
  if (eventId === undefined || eventTime === undefined || !ISO_TIME.test(eventTime) || eventSource === undefined || eventName === undefined) return undefined;
  if (awsRegion === undefined || !REGION.test(awsRegion)) return undefined;
  const ui = obj(doc, 'userIdentity');
  const identity = {
    ...optional('type', str(ui, 'type', 64)),
    ...optional('principalId', str(ui, 'principalId', 256)),
    ...optional('accessKeyId', str(ui, 'accessKeyId', 128)),
    ...optional('userName', str(ui, 'userName', 256)),
    ...optional('arn', str(ui, 'arn', MAX_TEXT)),
  };
  const extra = obj(doc, 'additionalEventData');
  const bearer = extra !== undefined && Object.hasOwn(extra, 'callWithBearerToken') ? extra['callWithBearerToken'] : undefined;
  const readOnly = Object.hasOwn(doc, 'readOnly') ? doc['readOnly'] : undefined;
  const account = str(doc, 'recipientAccountId', 12);
  return {
    eventId,
    eventTime,
    eventSource,
    eventName,
    awsRegion,
    ...optional('recipientAccountId', account !== undefined && ACCOUNT.test(account) ? account : undefined),
    ...optional('sourceIPAddress', str(doc, 'sourceIPAddress', 256)),
    ...optional('userAgent', str(doc, 'userAgent', 1024)),
    ...optional('errorCode', str(doc, 'errorCode', 256)),
    ...(typeof readOnly === 'boolean' ? { readOnly } : {}),
    identity,
    ...(bearer === true || bearer === 'true' ? { bearerToken: true } : {}),
    request: obj(doc, 'requestParameters'),
    response: obj(doc, 'responseElements'),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** Whether an event was made by the principal (every identity fact the filter has must match). */
export function madeBy(event: ParsedEvent, who: PrincipalFilter): boolean {
  const id = event.identity;
  if (who.accessKeyId !== undefined && id.accessKeyId !== who.accessKeyId) return false;
  if (who.principalId !== undefined && id.principalId !== who.principalId) return false;
  // For a role session CloudTrail's user name is the session name, which is not in userIdentity.userName: the
  // principal id (`AROA…:session`) checks it.
  if (who.userName !== undefined && who.accessKeyId === undefined && who.principalId === undefined) {
    const session = id.principalId?.includes(':') === true ? id.principalId.slice(id.principalId.indexOf(':') + 1) : undefined;
    if (id.userName !== who.userName && session !== who.userName) return false;
  }
  return true;
}

// ── formats AWS enforces (a value that does not fit is listed in the evidence, never acted on) ────────────────────
const SAGEMAKER_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const BEDROCK_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9+.])*$/;
const SAGEMAKER_ARN = /^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:[a-z-]+\/[a-zA-Z0-9-]{1,63}$/;
const DOMAIN_ID = /^d-[a-z0-9]{1,32}$/;
const CREDENTIAL_ID = /^[A-Z0-9]{16,128}$/;
const IAM_USER_NAME = /^[\w+=,.@-]{1,64}$/;

function bedrockArn(kind: string): RegExp {
  return new RegExp(`^arn:aws[a-z-]*:bedrock:([a-z0-9-]+):(\\d{12}):${kind}/[a-zA-Z0-9][a-zA-Z0-9._:/-]{0,1010}$`);
}
const ARN = {
  provisioned: bedrockArn('provisioned-model'),
  customizationJob: bedrockArn('model-customization-job'),
  invocationJob: bedrockArn('model-invocation-job'),
  importJob: bedrockArn('model-(?:import|copy)-job'),
  customModel: bedrockArn('custom-model'),
  inferenceProfile: bedrockArn('(?:application-)?inference-profile'),
  agent: bedrockArn('agent'),
};

/** The ARN when it fits and names the event's Region (and account, when known). */
function fitArn(value: string | undefined, pattern: RegExp, event: ParsedEvent): string | undefined {
  if (value === undefined) return undefined;
  const m = pattern.exec(value);
  if (m === null) return undefined;
  const inRegion = m[1] === undefined || m[1] === event.awsRegion;
  const inAccount = m[2] === undefined || event.recipientAccountId === undefined || m[2] === event.recipientAccountId;
  return inRegion && inAccount ? value : undefined;
}

function fitName(value: string | undefined, pattern: RegExp, max = 63): string | undefined {
  return value !== undefined && value.length <= max && pattern.test(value) ? value : undefined;
}

type Found = Omit<AiResource, 'region' | 'eventName' | 'eventTime' | 'eventId'>;

function bedrockResources(e: ParsedEvent): Found[] {
  const q = e.request;
  const r = e.response;
  switch (e.eventName) {
    case 'CreateProvisionedModelThroughput': {
      const arn = fitArn(str(r, 'provisionedModelArn'), ARN.provisioned, e);
      if (arn === undefined) return [];
      const name = fitName(str(q, 'provisionedModelName'), BEDROCK_NAME);
      const model = str(q, 'modelId', 2048);
      return [{ family: 'bedrock-provisioned-throughput', id: arn, arn, ...optional('name', name), ...(model !== undefined ? { detail: { modelId: model } } : {}) }];
    }
    case 'CreateModelCustomizationJob': {
      const arn = fitArn(str(r, 'jobArn'), ARN.customizationJob, e);
      if (arn === undefined) return [];
      const out: Found[] = [{ family: 'bedrock-customization-job', id: arn, arn, ...optional('name', fitName(str(q, 'jobName'), BEDROCK_NAME)) }];
      const model = fitName(str(q, 'customModelName'), BEDROCK_NAME);
      if (model !== undefined) out.push({ family: 'bedrock-custom-model', id: model, name: model, detail: { fromJob: arn } });
      return out;
    }
    case 'CreateCustomModel': {
      const arn = fitArn(str(r, 'modelArn'), ARN.customModel, e);
      return arn === undefined ? [] : [{ family: 'bedrock-custom-model', id: arn, arn, ...optional('name', fitName(str(q, 'modelName'), BEDROCK_NAME)) }];
    }
    case 'CreateModelImportJob':
    case 'CreateModelCopyJob': {
      const arn = fitArn(str(r, 'jobArn'), ARN.importJob, e);
      return arn === undefined ? [] : [{ family: 'bedrock-import-job', id: arn, arn }];
    }
    case 'CreateModelInvocationJob': {
      const arn = fitArn(str(r, 'jobArn'), ARN.invocationJob, e);
      if (arn === undefined) return [];
      const model = str(q, 'modelId', 2048);
      return [{ family: 'bedrock-invocation-job', id: arn, arn, ...optional('name', fitName(str(q, 'jobName'), BEDROCK_NAME)), ...(model !== undefined ? { detail: { modelId: model } } : {}) }];
    }
    case 'CreateInferenceProfile': {
      const arn = fitArn(str(r, 'inferenceProfileArn'), ARN.inferenceProfile, e);
      return arn === undefined ? [] : [{ family: 'bedrock-inference-profile', id: arn, arn, ...optional('name', fitName(str(q, 'inferenceProfileName'), BEDROCK_NAME)) }];
    }
    case 'CreateAgent': {
      const arn = fitArn(str(obj(r, 'agent'), 'agentArn'), ARN.agent, e);
      return arn === undefined ? [] : [{ family: 'bedrock-agent', id: arn, arn, ...optional('name', fitName(str(q, 'agentName'), BEDROCK_NAME, 100)) }];
    }
    default:
      return [];
  }
}

function sagemakerResources(e: ParsedEvent): Found[] {
  const q = e.request;
  const r = e.response;
  const named = (family: AiResourceFamily, nameKey: string, arnKey: string, extra?: { [key: string]: string }): Found[] => {
    const name = fitName(str(q, nameKey), SAGEMAKER_NAME);
    if (name === undefined) return [];
    const arn = str(r, arnKey);
    const fits = arn !== undefined && SAGEMAKER_ARN.test(arn) && arn.endsWith(`/${name.toLowerCase()}`) ? arn : undefined;
    return [{ family, id: name, name, ...optional('arn', fits), ...(extra !== undefined && Object.keys(extra).length > 0 ? { detail: extra } : {}) }];
  };
  switch (e.eventName) {
    case 'CreateNotebookInstance':
    case 'StartNotebookInstance':
      return named('sagemaker-notebook-instance', 'notebookInstanceName', 'notebookInstanceArn', { call: e.eventName });
    case 'CreatePresignedNotebookInstanceUrl':
      return named('sagemaker-presigned-url', 'notebookInstanceName', '-', { target: 'notebook-instance' });
    case 'CreatePresignedDomainUrl': {
      const domainId = str(q, 'domainId', 64);
      const profile = fitName(str(q, 'userProfileName'), SAGEMAKER_NAME);
      if (domainId === undefined || !DOMAIN_ID.test(domainId) || profile === undefined) return [];
      return [{ family: 'sagemaker-presigned-url', id: `${domainId}/${profile}`, name: profile, detail: { target: 'domain', domainId, userProfileName: profile } }];
    }
    case 'CreateTrainingJob':
      return named('sagemaker-training-job', 'trainingJobName', 'trainingJobArn');
    case 'CreateProcessingJob':
      return named('sagemaker-processing-job', 'processingJobName', 'processingJobArn');
    case 'CreateTransformJob':
      return named('sagemaker-transform-job', 'transformJobName', 'transformJobArn');
    case 'CreateHyperParameterTuningJob': {
      const name = fitName(str(q, 'hyperParameterTuningJobName'), SAGEMAKER_NAME, 32);
      return name === undefined ? [] : [{ family: 'sagemaker-tuning-job', id: name, name }];
    }
    case 'CreateEndpoint':
    case 'UpdateEndpoint': {
      const config = fitName(str(q, 'endpointConfigName'), SAGEMAKER_NAME);
      // An endpoint the principal only updated (pointed at its own config) is someone else's: listed, never deleted.
      return named(e.eventName === 'CreateEndpoint' ? 'sagemaker-endpoint' : 'sagemaker-endpoint-updated', 'endpointName', 'endpointArn', config !== undefined ? { endpointConfigName: config } : {});
    }
    default:
      return [];
  }
}

function iamResources(e: ParsedEvent): Found[] {
  if (e.eventName !== 'CreateServiceSpecificCredential') return [];
  if (str(e.request, 'serviceName', 128) !== 'bedrock.amazonaws.com') return [];
  const cred = obj(e.response, 'serviceSpecificCredential');
  const id = str(cred, 'serviceSpecificCredentialId', 128);
  const user = str(cred, 'userName', 64) ?? str(e.request, 'userName', 64);
  if (id === undefined || !CREDENTIAL_ID.test(id) || user === undefined || !IAM_USER_NAME.test(user)) return [];
  return [{ family: 'bedrock-api-key', id, name: user, detail: { userName: user, serviceName: 'bedrock.amazonaws.com' } }];
}

/** The Bedrock and SageMaker resources one event created or started (none for a failed call or another service). */
export function resourcesOf(event: ParsedEvent): AiResource[] {
  if (event.errorCode !== undefined) return [];
  let found: Found[];
  if (event.eventSource === 'bedrock.amazonaws.com') found = bedrockResources(event);
  else if (event.eventSource === 'sagemaker.amazonaws.com') found = sagemakerResources(event);
  else if (event.eventSource === 'iam.amazonaws.com') found = iamResources(event);
  else found = [];
  return found.map((f) => ({ ...f, region: event.awsRegion, eventName: event.eventName, eventTime: event.eventTime, eventId: event.eventId }));
}
