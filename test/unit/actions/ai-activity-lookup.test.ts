/**
 * `cloudtrail.lookup-principal-activity` against aws-sdk-client-mock (moto does not implement LookupEvents): the
 * exact LookupEvents requests (attribute, window, pages), pacing and the throttling retry, the resources it lists
 * for every family, what it writes into the case, and how it treats attacker-shaped CloudTrail records.
 */
import { CloudTrailClient, LookupEventsCommand, type Event } from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AwsClientLookup } from '../../../src/aws/clients.js';
import { lookupPacing, lookupPrincipalActivity, type LookupPrincipalActivityInput } from '../../../src/actions/cloudtrail-lookup-principal-activity.js';
import { StepError } from '../../../src/errors.js';
import { CT_ACCOUNT, IAM_USER, ROLE_ID, ROLE_SESSION, SESSION_NAME, USER_KEY, familyEvents, lookupEvent } from '../../support/cloudtrail-events.js';
import { makeCtx } from './action-fixtures.js';

const ctMock = mockClient(CloudTrailClient);
const NOW = new Date('2026-08-01T12:00:00Z');
const sleeps: number[] = [];
const saved = { ...lookupPacing };

beforeEach(() => {
  ctMock.reset();
  sleeps.length = 0;
  // A clock that only the pacing's sleeps move: the waits do not depend on how loaded the machine is.
  let clock = 1_000_000;
  lookupPacing.now = () => clock;
  lookupPacing.sleep = (ms) => {
    sleeps.push(ms);
    clock += ms;
    return Promise.resolve();
  };
});
afterEach(() => {
  Object.assign(lookupPacing, saved);
});

/** A context in account CT_ACCOUNT whose `inRegion` gives clients of the asked Region (each recorded). */
function ctx(options: { region?: string; inRegion?: boolean } = {}) {
  const region = options.region ?? 'us-east-1';
  const base = makeCtx({ now: NOW });
  const lookupFor = (r: string): AwsClientLookup => (ClientClass) => new ClientClass({ region: r, credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 });
  return {
    ...base,
    clients: { accountId: CT_ACCOUNT, region, aws: lookupFor(region), ...(options.inRegion === false ? {} : { inRegion: lookupFor }) },
  };
}

const input = (over: Partial<LookupPrincipalActivityInput> = {}): LookupPrincipalActivityInput => ({
  accessKeyId: USER_KEY,
  regions: ['us-east-1'],
  startTime: '2026-07-31T10:00:00Z',
  endTime: '2026-08-01T16:00:00Z',
  ...over,
});

async function run(raw: LookupPrincipalActivityInput, c = ctx()) {
  const parsed = lookupPrincipalActivity.parseInput(raw, c);
  const pre = await lookupPrincipalActivity.capture(parsed, c);
  const out = (await lookupPrincipalActivity.apply(parsed, pre, c)) as Record<string, unknown>;
  return { out, evidence: c.evidence, ctx: c };
}

async function regionOf(call: { thisValue: unknown }): Promise<string> {
  return (call.thisValue as CloudTrailClient).config.region();
}

describe('cloudtrail.lookup-principal-activity', () => {
  it('looks up by access key over the window (end bounded by now), page by page, paced at 2 requests per second', async () => {
    const events = familyEvents('us-east-1');
    ctMock
      .on(LookupEventsCommand)
      .resolvesOnce({ Events: events.slice(0, 8), NextToken: 'page-2' })
      .resolvesOnce({ Events: events.slice(8) });
    const { out } = await run(input());
    const calls = ctMock.commandCalls(LookupEventsCommand).map((c) => c.args[0].input);
    expect(calls).toEqual([
      { LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: USER_KEY }], StartTime: new Date('2026-07-31T10:00:00Z'), EndTime: NOW, MaxResults: 50 },
      { LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: USER_KEY }], StartTime: new Date('2026-07-31T10:00:00Z'), EndTime: NOW, MaxResults: 50, NextToken: 'page-2' },
    ]);
    // The second page waited for the first's 500 ms slot (no time passes between them on the test's clock).
    expect(sleeps).toEqual([500]);
    expect(out.lookup).toBe(`AccessKeyId=${USER_KEY}`);
    expect(out.window).toEqual({ start: '2026-07-31T10:00:00.000Z', end: NOW.toISOString() });
    expect(out.regions).toEqual([{ region: 'us-east-1', pages: 2, events: 17, truncated: false, otherIdentity: 0, unreadable: 0 }]);
    expect(out.bearerTokenCalls).toBe(1);
    expect((out.calls as Record<string, number>)['bedrock:InvokeModel']).toBe(1);
  });

  it('lists every family the principal created or started, with what the stop steps need', async () => {
    ctMock.on(LookupEventsCommand).resolves({ Events: familyEvents('us-east-1') });
    const { out } = await run(input());
    const resources = out.resources as Array<Record<string, unknown>>;
    expect(resources.map((r) => [r.family, r.id])).toEqual([
      ['bedrock-provisioned-throughput', `arn:aws:bedrock:us-east-1:${CT_ACCOUNT}:provisioned-model/a1b2c3d4e5f6`],
      ['bedrock-customization-job', `arn:aws:bedrock:us-east-1:${CT_ACCOUNT}:model-customization-job/amazon.titan-text-express-v1:0:8k/ft0a1b2c3d4e`],
      ['bedrock-custom-model', 'resale-model'],
      ['bedrock-invocation-job', `arn:aws:bedrock:us-east-1:${CT_ACCOUNT}:model-invocation-job/b7c8d9e0f1a2`],
      ['bedrock-inference-profile', `arn:aws:bedrock:us-east-1:${CT_ACCOUNT}:application-inference-profile/p0q1r2s3t4u5`],
      ['bedrock-agent', `arn:aws:bedrock:us-east-1:${CT_ACCOUNT}:agent/AGENT12345`],
      ['bedrock-api-key', 'ACCA3XFRBF23EXAMPLE9'],
      ['sagemaker-notebook-instance', 'nb-miner'],
      ['sagemaker-presigned-url', 'nb-miner'],
      ['sagemaker-presigned-url', 'd-abc123def456/data-sci'],
      ['sagemaker-training-job', 'train-gpu-1'],
      ['sagemaker-processing-job', 'proc-1'],
      ['sagemaker-transform-job', 'xform-1'],
      ['sagemaker-tuning-job', 'hpo-1'],
      ['sagemaker-endpoint', 'ep-resale'],
      ['sagemaker-endpoint-updated', 'prod-chat'],
    ]);
    expect(resources.find((r) => r.family === 'bedrock-customization-job')).toMatchObject({ name: 'ft-job-1', region: 'us-east-1', eventName: 'CreateModelCustomizationJob', eventTime: '2026-08-01T09:04:00Z' });
    expect(resources.find((r) => r.family === 'sagemaker-endpoint')).toMatchObject({ detail: { endpointConfigName: 'epc-resale' }, arn: `arn:aws:sagemaker:us-east-1:${CT_ACCOUNT}:endpoint/ep-resale` });
    expect(resources.find((r) => r.family === 'bedrock-api-key')).toMatchObject({ name: 'BedrockAPIKey-x1y2', detail: { userName: 'BedrockAPIKey-x1y2', serviceName: 'bedrock.amazonaws.com' } });
  });

  it('writes every event as CloudTrail returned it into the case', async () => {
    const events = familyEvents('us-east-1');
    ctMock.on(LookupEventsCommand).resolves({ Events: events });
    const { out, evidence } = await run(input());
    expect(out.evidence).toBe('steps/step-under-test/cloudtrail-events.json');
    const stored = evidence.items.get('steps/step-under-test/cloudtrail-events.json') as { events: Array<{ cloudTrailEvent: string; eventId: string }>; lookup: unknown };
    expect(stored.events.map((e) => e.cloudTrailEvent).sort()).toEqual(events.map((e) => e.CloudTrailEvent).sort());
    expect(stored.lookup).toEqual({ attribute: 'AccessKeyId', value: USER_KEY, principalId: null, start: '2026-07-31T10:00:00.000Z', end: NOW.toISOString() });
  });

  it('retries a throttled page with backoff, then carries on', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
    ctMock
      .on(LookupEventsCommand)
      .rejectsOnce(throttled)
      .rejectsOnce(throttled)
      .resolvesOnce({ Events: familyEvents('us-east-1').slice(0, 3) });
    const { out } = await run(input());
    expect(ctMock.commandCalls(LookupEventsCommand)).toHaveLength(3);
    // Backoff 1 s then 2 s (each retry also keeps the 500 ms spacing, already elapsed by the backoff).
    expect(sleeps.filter((ms) => ms >= 1000)).toEqual([1000, 2000]);
    expect((out.regions as Array<{ events: number }>)[0]!.events).toBe(3);
  });

  it('fails the step when throttling outlasts the retries, and on any other error at once', async () => {
    lookupPacing.throttleRetries = 2;
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
    ctMock.on(LookupEventsCommand).rejects(throttled);
    await expect(run(input())).rejects.toThrow(/LookupEvents in us-east-1 failed: .*Rate exceeded/);
    expect(ctMock.commandCalls(LookupEventsCommand)).toHaveLength(3);
    ctMock.reset();
    const denied = Object.assign(new Error('not authorized to perform: cloudtrail:LookupEvents'), { name: 'AccessDeniedException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
    ctMock.on(LookupEventsCommand).rejects(denied);
    const err = await run(input()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepError);
    expect(ctMock.commandCalls(LookupEventsCommand)).toHaveLength(1);
    // A server fault is the SDK's and the engine's to retry (the step fails transient), not waited out page by page.
    ctMock.reset();
    ctMock.on(LookupEventsCommand).rejects(Object.assign(new Error('internal'), { name: 'InternalServerError', $fault: 'server', $metadata: { httpStatusCode: 500 } }));
    await expect(run(input())).rejects.toThrow(/InternalServerError|internal/);
    expect(ctMock.commandCalls(LookupEventsCommand)).toHaveLength(1);
  });

  it('stops at the page bound and says the rest was left unread', async () => {
    ctMock.on(LookupEventsCommand).resolves({ Events: familyEvents('us-east-1').slice(0, 1), NextToken: 'more' });
    const { out } = await run(input({ maxPagesPerRegion: 3 }));
    expect(ctMock.commandCalls(LookupEventsCommand)).toHaveLength(3);
    expect((out.regions as Array<{ truncated: boolean; pages: number }>)[0]).toMatchObject({ pages: 3, truncated: true });
  });

  it('reads each named Region with that Region’s client, and names the Regions it could not reach', async () => {
    ctMock.on(LookupEventsCommand).callsFake(async (_input, getClient: () => CloudTrailClient) => {
      const region = await getClient().config.region();
      return { Events: region === 'us-east-1' ? familyEvents('us-east-1').slice(7, 8) : familyEvents(region).slice(2, 3) };
    });
    const { out } = await run(input({ regions: ['eu-west-1', 'us-east-1', 'us-west-2'] }), ctx({ region: 'eu-west-1' }));
    const regions = await Promise.all(ctMock.commandCalls(LookupEventsCommand).map((c) => regionOf(c)));
    expect(regions).toEqual(['eu-west-1', 'us-east-1', 'us-west-2']);
    expect((out.resources as Array<{ family: string; region: string }>).map((r) => `${r.family}@${r.region}`)).toEqual([
      'bedrock-provisioned-throughput@eu-west-1',
      'bedrock-provisioned-throughput@us-west-2',
      'bedrock-api-key@us-east-1',
    ]);
    ctMock.reset();
    ctMock.on(LookupEventsCommand).resolves({ Events: [] });
    const { out: alone } = await run(input({ regions: ['eu-west-1', 'us-east-1'] }), ctx({ region: 'eu-west-1', inRegion: false }));
    expect(alone.notSearched).toEqual([{ region: 'us-east-1', reason: expect.stringContaining('no clients for this Region') as unknown as string }]);
  });

  it('without a key, looks up the session name and keeps only the calls of that very session', async () => {
    const otherRole = { ...ROLE_SESSION, accessKeyId: 'ASIAOTHERROLEEXAMPLE', principalId: `AROAOTHERROLEEXAMPL1:${SESSION_NAME}`, arn: `arn:aws:sts::${CT_ACCOUNT}:assumed-role/other/${SESSION_NAME}` };
    ctMock.on(LookupEventsCommand).resolves({
      Events: [...familyEvents('us-east-1', ROLE_SESSION).slice(11, 12), ...familyEvents('us-east-1', otherRole).slice(12, 13)],
    });
    const { out } = await run({ userName: SESSION_NAME, principalId: `${ROLE_ID}:${SESSION_NAME}`, regions: ['us-east-1'], startTime: '2026-07-31T10:00:00Z' });
    expect(ctMock.commandCalls(LookupEventsCommand)[0]!.args[0].input.LookupAttributes).toEqual([{ AttributeKey: 'Username', AttributeValue: SESSION_NAME }]);
    expect((out.resources as Array<{ id: string }>).map((r) => r.id)).toEqual(['train-gpu-1']);
    expect((out.regions as Array<{ otherIdentity: number }>)[0]!.otherIdentity).toBe(1);
  });

  it('requires a key or a name, and refuses malformed ones before any call', () => {
    const c = ctx();
    expect(() => lookupPrincipalActivity.parseInput({ regions: ['us-east-1'], startTime: '2026-07-31T10:00:00Z' }, c)).toThrow(/accessKeyId or userName is required/);
    expect(() => lookupPrincipalActivity.parseInput(input({ accessKeyId: 'AKIA\u001b[31m' }), c)).toThrow(StepError);
    expect(() => lookupPrincipalActivity.parseInput(input({ regions: ['mars-1'] }), c)).toThrow(/an AWS Region/);
  });
});

describe('attacker-shaped CloudTrail records', () => {
  const base = { identity: IAM_USER, source: 'sagemaker.amazonaws.com', name: 'CreateTrainingJob', region: 'us-east-1', time: '2026-08-01T09:30:00Z' };
  const withJson = (e: Event, json: string): Event => ({ ...e, CloudTrailEvent: json });

  it('lists nothing from malformed, oversized, failed, foreign or ill-named records, and counts what it could not read', async () => {
    const good = lookupEvent({ ...base, request: { trainingJobName: 'ok-job' } });
    const events: Event[] = [
      withJson(good, '{"eventID": "x", not json'),
      withJson(good, JSON.stringify({ eventID: 'x', eventTime: '2026-08-01T09:30:00Z', eventSource: 'sagemaker.amazonaws.com', eventName: 'CreateTrainingJob', awsRegion: 'us-east-1', pad: 'a'.repeat(600 * 1024) })),
      withJson(good, '[1,2,3]'),
      { ...good, CloudTrailEvent: undefined },
      lookupEvent({ ...base, request: { trainingJobName: 'denied-job' }, errorCode: 'AccessDenied' }),
      lookupEvent({ ...base, region: 'eu-west-1', request: { trainingJobName: 'elsewhere' } }),
      lookupEvent({ ...base, account: '999999999999', request: { trainingJobName: 'other-account' } }),
      lookupEvent({ ...base, request: { trainingJobName: 'bad name; rm -rf /\u001b[2J' } }),
      lookupEvent({ ...base, request: { trainingJobName: 'x'.repeat(64) } }),
      lookupEvent({ ...base, request: { trainingJobName: { nested: 'object' } } }),
      lookupEvent({ ...base, name: 'CreateProvisionedModelThroughput', source: 'bedrock.amazonaws.com', response: { provisionedModelArn: `arn:aws:bedrock:eu-west-1:${CT_ACCOUNT}:provisioned-model/other-region` } }),
      lookupEvent({ ...base, name: 'CreateProvisionedModelThroughput', source: 'bedrock.amazonaws.com', response: { provisionedModelArn: `arn:aws:bedrock:us-east-1:999999999999:provisioned-model/other-account` } }),
      lookupEvent({ ...base, source: 'iam.amazonaws.com', name: 'CreateServiceSpecificCredential', request: { serviceName: 'codecommit.amazonaws.com', userName: 'dev' }, response: { serviceSpecificCredential: { serviceSpecificCredentialId: 'ACCAEXAMPLEEXAMPLE12', userName: 'dev' } } }),
      withJson(good, good.CloudTrailEvent!.replace('"requestParameters":{', '"__proto__":{"polluted":true},"requestParameters":{"__proto__":{"trainingJobName":"from-proto"},')),
    ];
    ctMock.on(LookupEventsCommand).resolves({ Events: events });
    const { out } = await run(input());
    expect((out.resources as Array<{ id: string }>).map((r) => r.id)).toEqual(['ok-job']);
    expect(out.regions).toEqual([{ region: 'us-east-1', pages: 1, events: 8, truncated: false, otherIdentity: 2, unreadable: 4 }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
