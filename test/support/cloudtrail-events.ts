/**
 * CloudTrail events as LookupEvents returns them, for the AI-activity tests: the `Event` wrapper and its
 * `CloudTrailEvent` JSON string, shaped like the records CloudTrail writes (eventVersion 1.09, userIdentity of an
 * IAM user or an assumed-role session, request parameters and response elements of each Bedrock / SageMaker / IAM
 * call). moto does not implement LookupEvents, so these are what the unit tests feed the mocked client.
 */
import type { Event } from '@aws-sdk/client-cloudtrail';

export const CT_ACCOUNT = '111122223333';
export const USER_KEY = 'AKIAIOSFODNN7EXAMPLE';
export const USER_NAME = 'ci-deploy-user';
export const SESSION_KEY = 'ASIA3XFRBF23EXAMPLE8';
export const ROLE_ID = 'AROA3XFRBF23EXAMPLE2';
export const SESSION_NAME = 'chat-backend';

export interface Identity {
  readonly type: 'IAMUser' | 'AssumedRole';
  readonly accessKeyId: string;
  readonly principalId: string;
  readonly arn: string;
  readonly userName?: string;
}

export const IAM_USER: Identity = {
  type: 'IAMUser',
  accessKeyId: USER_KEY,
  principalId: 'AIDAIOSFODNN7EXAMPLE',
  arn: `arn:aws:iam::${CT_ACCOUNT}:user/${USER_NAME}`,
  userName: USER_NAME,
};

export const ROLE_SESSION: Identity = {
  type: 'AssumedRole',
  accessKeyId: SESSION_KEY,
  principalId: `${ROLE_ID}:${SESSION_NAME}`,
  arn: `arn:aws:sts::${CT_ACCOUNT}:assumed-role/chat-backend-role/${SESSION_NAME}`,
};

let counter = 0;

export interface EventSpec {
  readonly source: string;
  readonly name: string;
  readonly region: string;
  readonly time: string;
  readonly request?: Record<string, unknown> | null;
  readonly response?: Record<string, unknown> | null;
  readonly identity?: Identity;
  readonly errorCode?: string;
  readonly readOnly?: boolean;
  readonly bearerToken?: boolean;
  readonly account?: string;
}

/** The CloudTrail record (as JSON text) of one call. */
export function cloudTrailRecord(spec: EventSpec): { eventId: string; json: string } {
  counter += 1;
  const eventId = `0b4d7a9e-6a1c-4d8e-9f3a-${String(counter).padStart(12, '0')}`;
  const who = spec.identity ?? IAM_USER;
  const userIdentity =
    who.type === 'IAMUser'
      ? { type: 'IAMUser', principalId: who.principalId, arn: who.arn, accountId: CT_ACCOUNT, accessKeyId: who.accessKeyId, userName: who.userName }
      : {
          type: 'AssumedRole',
          principalId: who.principalId,
          arn: who.arn,
          accountId: CT_ACCOUNT,
          accessKeyId: who.accessKeyId,
          sessionContext: {
            sessionIssuer: { type: 'Role', principalId: who.principalId.split(':')[0], arn: `arn:aws:iam::${CT_ACCOUNT}:role/chat-backend-role`, accountId: CT_ACCOUNT, userName: 'chat-backend-role' },
            attributes: { creationDate: '2026-08-01T05:55:00Z', mfaAuthenticated: 'false' },
          },
        };
  const record = {
    eventVersion: '1.09',
    userIdentity,
    eventTime: spec.time,
    eventSource: spec.source,
    eventName: spec.name,
    awsRegion: spec.region,
    sourceIPAddress: '198.51.100.23',
    userAgent: 'Boto3/1.34.144 md/Botocore#1.34.144 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.12.3',
    ...(spec.errorCode !== undefined ? { errorCode: spec.errorCode, errorMessage: `${spec.errorCode}: denied` } : {}),
    requestParameters: spec.request ?? null,
    responseElements: spec.response ?? null,
    ...(spec.bearerToken === true ? { additionalEventData: { callWithBearerToken: true } } : {}),
    requestID: `c2b1a6f0-8d3e-4b7a-9c1d-${String(counter).padStart(12, '0')}`,
    eventID: eventId,
    readOnly: spec.readOnly ?? false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: spec.account ?? CT_ACCOUNT,
    eventCategory: 'Management',
    tlsDetails: { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: `${spec.source.split('.')[0]}.${spec.region}.amazonaws.com` },
  };
  return { eventId, json: JSON.stringify(record) };
}

/** The LookupEvents `Event` wrapping one record. */
export function lookupEvent(spec: EventSpec): Event {
  const { eventId, json } = cloudTrailRecord(spec);
  const who = spec.identity ?? IAM_USER;
  return {
    EventId: eventId,
    EventName: spec.name,
    ReadOnly: String(spec.readOnly ?? false),
    AccessKeyId: who.accessKeyId,
    EventTime: new Date(spec.time),
    EventSource: spec.source,
    Username: who.userName ?? who.principalId.split(':')[1],
    Resources: [],
    CloudTrailEvent: json,
  };
}

/** One realistic event per resource family the lookup reports, in `region` (IAM's in us-east-1). */
export function familyEvents(region: string, identity: Identity = IAM_USER): Event[] {
  const arn = (kind: string, id: string): string => `arn:aws:bedrock:${region}:${CT_ACCOUNT}:${kind}/${id}`;
  const sm = (kind: string, name: string): string => `arn:aws:sagemaker:${region}:${CT_ACCOUNT}:${kind}/${name.toLowerCase()}`;
  const at = (minute: number): string => `2026-08-01T09:${String(minute).padStart(2, '0')}:00Z`;
  const B = 'bedrock.amazonaws.com';
  const S = 'sagemaker.amazonaws.com';
  const e = (spec: Omit<EventSpec, 'identity'>): Event => lookupEvent({ ...spec, identity });
  return [
    e({ source: B, name: 'ListFoundationModels', region, time: at(1), readOnly: true }),
    e({ source: B, name: 'InvokeModel', region, time: at(2), readOnly: true, request: { modelId: 'anthropic.claude-3-5-sonnet-20240620-v1:0' }, bearerToken: true }),
    e({
      source: B,
      name: 'CreateProvisionedModelThroughput',
      region,
      time: at(3),
      request: { modelUnits: 1, provisionedModelName: 'pt-llm-resale', modelId: 'anthropic.claude-3-5-sonnet-20240620-v1:0', commitmentDuration: 'OneMonth' },
      response: { provisionedModelArn: arn('provisioned-model', 'a1b2c3d4e5f6') },
    }),
    e({
      source: B,
      name: 'CreateModelCustomizationJob',
      region,
      time: at(4),
      request: { jobName: 'ft-job-1', customModelName: 'resale-model', roleArn: `arn:aws:iam::${CT_ACCOUNT}:role/ft`, baseModelIdentifier: 'amazon.titan-text-express-v1', trainingDataConfig: { s3Uri: 's3://x/train.jsonl' }, outputDataConfig: { s3Uri: 's3://x/out/' }, hyperParameters: {} },
      response: { jobArn: arn('model-customization-job', 'amazon.titan-text-express-v1:0:8k/ft0a1b2c3d4e') },
    }),
    e({
      source: B,
      name: 'CreateModelInvocationJob',
      region,
      time: at(5),
      request: { jobName: 'batch-1', modelId: 'anthropic.claude-3-haiku-20240307-v1:0', roleArn: `arn:aws:iam::${CT_ACCOUNT}:role/batch` },
      response: { jobArn: arn('model-invocation-job', 'b7c8d9e0f1a2') },
    }),
    e({
      source: B,
      name: 'CreateInferenceProfile',
      region,
      time: at(6),
      request: { inferenceProfileName: 'resale-profile', modelSource: { copyFrom: 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0' } },
      response: { inferenceProfileArn: arn('application-inference-profile', 'p0q1r2s3t4u5'), status: 'ACTIVE' },
    }),
    e({
      source: B,
      name: 'CreateAgent',
      region,
      time: at(7),
      request: { agentName: 'resale-agent', foundationModel: 'anthropic.claude-3-haiku-20240307-v1:0' },
      response: { agent: { agentArn: arn('agent', 'AGENT12345'), agentId: 'AGENT12345', agentName: 'resale-agent', agentStatus: 'CREATING' } },
    }),
    lookupEvent({
      identity,
      source: 'iam.amazonaws.com',
      name: 'CreateServiceSpecificCredential',
      region: 'us-east-1',
      time: at(8),
      request: { userName: 'BedrockAPIKey-x1y2', serviceName: 'bedrock.amazonaws.com' },
      response: { serviceSpecificCredential: { createDate: 'Aug 1, 2026 9:08:00 AM', serviceName: 'bedrock.amazonaws.com', serviceUserName: 'BedrockAPIKey-x1y2-at-111122223333', serviceSpecificCredentialId: 'ACCA3XFRBF23EXAMPLE9', userName: 'BedrockAPIKey-x1y2', status: 'Active' } },
    }),
    e({ source: S, name: 'CreateNotebookInstance', region, time: at(9), request: { notebookInstanceName: 'nb-miner', instanceType: 'ml.p3.2xlarge', roleArn: `arn:aws:iam::${CT_ACCOUNT}:role/sm` }, response: { notebookInstanceArn: sm('notebook-instance', 'nb-miner') } }),
    e({ source: S, name: 'CreatePresignedNotebookInstanceUrl', region, time: at(10), request: { notebookInstanceName: 'nb-miner', sessionExpirationDurationInSeconds: 43200 } }),
    e({ source: S, name: 'CreatePresignedDomainUrl', region, time: at(11), request: { domainId: 'd-abc123def456', userProfileName: 'data-sci' } }),
    e({ source: S, name: 'CreateTrainingJob', region, time: at(12), request: { trainingJobName: 'train-gpu-1', roleArn: `arn:aws:iam::${CT_ACCOUNT}:role/sm` }, response: { trainingJobArn: sm('training-job', 'train-gpu-1') } }),
    e({ source: S, name: 'CreateProcessingJob', region, time: at(13), request: { processingJobName: 'proc-1' }, response: { processingJobArn: sm('processing-job', 'proc-1') } }),
    e({ source: S, name: 'CreateTransformJob', region, time: at(14), request: { transformJobName: 'xform-1', modelName: 'm1' }, response: { transformJobArn: sm('transform-job', 'xform-1') } }),
    e({ source: S, name: 'CreateHyperParameterTuningJob', region, time: at(15), request: { hyperParameterTuningJobName: 'hpo-1' }, response: { hyperParameterTuningJobArn: sm('hyper-parameter-tuning-job', 'hpo-1') } }),
    e({ source: S, name: 'CreateEndpoint', region, time: at(16), request: { endpointName: 'ep-resale', endpointConfigName: 'epc-resale' }, response: { endpointArn: sm('endpoint', 'ep-resale') } }),
    e({ source: S, name: 'UpdateEndpoint', region, time: at(17), request: { endpointName: 'prod-chat', endpointConfigName: 'epc-evil' }, response: { endpointArn: sm('endpoint', 'prod-chat') } }),
  ];
}
