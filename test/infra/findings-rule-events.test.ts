/**
 * The deployed findings rule against real EventBridge pattern semantics: the program is built under Pulumi mocks,
 * its rule's event pattern is put on moto_server's EventBridge with the findings queue as target, sample events of
 * each kind are published, and the queue is read back. moto 5.2 does not implement TestEventPattern, so the rule is
 * exercised through PutRule/PutTargets/PutEvents, which match with moto's EventPattern (prefix, wildcard, numeric,
 * $or). Every verdict is also compared with the Lambda's intake (src/policy/finding-intake.ts): both must agree.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMotoServer, type MotoServer } from '../../src/aws/moto-server.js';
import { admitFinding, findingIntake } from '../../src/policy/finding-intake.js';
import { builtInPolicy, parsePolicy } from '../../src/policy/load-policy.js';
import { testClientConfig } from '../support/aws-clients.js';
import { buildTourniquetStack } from '../support/tourniquet-stack.js';
import { json } from './helpers/pulumi-mocks.js';
import { eventBridgeTypeFilter, findingsEventPattern } from '../../infra/components/responder-ingress.js';

const RULE = 'aws:cloudwatch/eventRule:EventRule';
const AI_SAMPLE = JSON.parse(
  readFileSync(new URL('../../samples/synthesized/Impact-IAMUser-AnomalousModelInvocation.SYNTHESIZED.json', import.meta.url), 'utf8'),
) as { source: string; 'detail-type': string; detail: Record<string, unknown> };
const SCAN_SAMPLE = JSON.parse(
  readFileSync(new URL('../../samples/events/MalwareProtection-S3-ObjectScanResult.eventbridge.json', import.meta.url), 'utf8'),
) as { source: string; 'detail-type': string; detail: { s3ObjectDetails: Record<string, unknown>; scanResultDetails: Record<string, unknown> } };

const POLICY = [
  'version: 1',
  'rules:',
  '  - name: noise',
  '    match: { type: ["UnauthorizedAccess:EC2/SSHBruteForce"] }',
  '    mode: observe',
  '  - name: mining',
  '    match: { type: ["CryptoCurrency:EC2/"], subject: [ec2-instance] }',
  '    mode: approve',
  '  - name: dga-dns',
  '    match: { type: ["Trojan:EC2/*!DNS"], subject: [ec2-instance] }',
  '    mode: contain',
  '  - name: spam',
  '    match: { type: ["Backdoor:EC2/Spambot"], severity: { min: 3 } }',
  '    mode: approve',
  '',
].join('\n');

/** One sample event per case: the AI sample with its type and severity replaced (its own id per case). */
interface Case {
  readonly name: string;
  readonly type: string;
  readonly severity: number;
  readonly source?: string;
  /** A Malware Protection for S3 scan result with this status instead (the object key is the case id). */
  readonly scan?: 'THREATS_FOUND' | 'NO_THREATS_FOUND';
}

function event(c: Case, index: number): { Source: string; DetailType: string; Detail: string } {
  if (c.scan !== undefined) {
    const d = SCAN_SAMPLE.detail;
    const detail = {
      ...d,
      s3ObjectDetails: { ...d.s3ObjectDetails, objectKey: `case-${index}` },
      scanResultDetails: { scanResultStatus: c.scan, threats: c.scan === 'THREATS_FOUND' ? [{ name: 'foobar' }] : null },
    };
    return { Source: c.source ?? SCAN_SAMPLE.source, DetailType: SCAN_SAMPLE['detail-type'], Detail: JSON.stringify(detail) };
  }
  const detail = { ...AI_SAMPLE.detail, id: `case-${index}`, type: c.type, severity: c.severity };
  return { Source: c.source ?? AI_SAMPLE.source, DetailType: AI_SAMPLE['detail-type'], Detail: JSON.stringify(detail) };
}

let moto: MotoServer;
let sqs: SQSClient;
let events: EventBridgeClient;

beforeAll(async () => {
  moto = await startMotoServer();
  sqs = new SQSClient(testClientConfig(moto.endpoint));
  events = new EventBridgeClient(testClientConfig(moto.endpoint));
});

afterAll(async () => {
  sqs?.destroy();
  events?.destroy();
  await moto?.stop();
});

/** Puts the pattern on a fresh rule → queue, publishes the cases, returns the ids of the cases that arrived. */
async function deliver(name: string, pattern: string, cases: readonly Case[]): Promise<Set<string>> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-queue` }));
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await events.send(new PutRuleCommand({ Name: name, EventPattern: pattern, State: 'ENABLED' }));
  await events.send(new PutTargetsCommand({ Rule: name, Targets: [{ Id: 'queue', Arn: attrs.Attributes!['QueueArn'] }] }));
  const entries = cases.map(event);
  for (let i = 0; i < entries.length; i += 10) {
    const out = await events.send(new PutEventsCommand({ Entries: entries.slice(i, i + 10) }));
    expect(out.FailedEntryCount).toBe(0);
  }
  const arrived = new Set<string>();
  for (;;) {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (!r.Messages?.length) break;
    for (const m of r.Messages) {
      const detail = (JSON.parse(m.Body!) as { detail: { id?: string; s3ObjectDetails?: { objectKey: string } } }).detail;
      arrived.add(String(detail.id ?? detail.s3ObjectDetails?.objectKey));
    }
  }
  return arrived;
}

describe('the findings rule lets AI and policy-routed findings through below the severity threshold', () => {
  it('with a policy file: AI Low, routed Low (prefix, wildcard, rule floor) pass; ordinary Low and observe-only Low are dropped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tourniquet-intake-'));
    const policyFile = join(dir, 'policy.yaml');
    writeFileSync(policyFile, POLICY);
    const { capture } = await buildTourniquetStack({ policyFile, drillEvents: true, manageThreatLists: false, manageTrustedIpList: false });
    const pattern = String(capture.one(RULE).inputs['eventPattern']);
    expect(pattern.length).toBeLessThanOrEqual(2048);

    const cases: Array<Case & { pass: boolean }> = [
      { name: 'AI Protection, Low', type: 'Impact:IAMUser/AnomalousModelInvocation', severity: 2, pass: true },
      { name: 'AI Protection, Low, drill', type: 'Impact:IAMUser/PromptInjection.Direct', severity: 2, source: 'tourniquet.drill', pass: true },
      { name: 'Bedrock logging disabled, Low', type: 'DefenseEvasion:IAMUser/BedrockLoggingDisabled', severity: 1, pass: true },
      { name: 'routed by prefix, Low', type: 'CryptoCurrency:EC2/BitcoinTool.B', severity: 2, pass: true },
      { name: 'routed by wildcard, Low', type: 'Trojan:EC2/DGADomainRequest.C!DNS', severity: 2, pass: true },
      { name: 'wildcard not matching, Low', type: 'Trojan:EC2/DGADomainRequest.B', severity: 2, pass: false },
      { name: 'routed, at the rule floor', type: 'Backdoor:EC2/Spambot', severity: 3, pass: true },
      { name: 'routed, below the rule floor', type: 'Backdoor:EC2/Spambot', severity: 2.5, pass: false },
      { name: 'observe-only rule, Low', type: 'UnauthorizedAccess:EC2/SSHBruteForce', severity: 2, pass: false },
      { name: 'ordinary, Low', type: 'Recon:EC2/PortProbeUnprotectedPort', severity: 2, pass: false },
      { name: 'ordinary, just below', type: 'Recon:EC2/PortProbeUnprotectedPort', severity: 3.9, pass: false },
      { name: 'ordinary, at the threshold', type: 'Recon:EC2/PortProbeUnprotectedPort', severity: 4, pass: true },
      { name: 'ordinary, High', type: 'Recon:EC2/PortProbeUnprotectedPort', severity: 8, pass: true },
      { name: 'other source', type: 'Impact:IAMUser/AnomalousModelInvocation', severity: 8, source: 'my.app', pass: false },
    ];
    const arrived = await deliver('with-policy', pattern, cases);
    const intake = findingIntake(parsePolicy(POLICY, policyFile), { severityThreshold: 4 });
    const got = cases.map((c, i) => [c.name, arrived.has(`case-${i}`)]);
    expect(got).toEqual(cases.map((c) => [c.name, c.pass]));
    // The Lambda's intake agrees with the rule on every GuardDuty event.
    const lambda = cases.filter((c) => c.source !== 'my.app').map((c) => [c.name, admitFinding(intake, c).admitted]);
    expect(lambda).toEqual(cases.filter((c) => c.source !== 'my.app').map((c) => [c.name, c.pass]));
  });

  it('default configuration (built-in policy, threshold 4): AI Low passes, ordinary Low is dropped, type prefixes restrict both', async () => {
    const { capture } = await buildTourniquetStack({ manageThreatLists: false, manageTrustedIpList: false });
    const cases: Array<Case & { pass: boolean }> = [
      { name: 'AI Low', type: 'Impact:IAMUser/CostHarvesting', severity: 2, pass: true },
      { name: 'ordinary Low', type: 'CryptoCurrency:EC2/BitcoinTool.B', severity: 2, pass: false },
      { name: 'ordinary Medium', type: 'CryptoCurrency:EC2/BitcoinTool.B', severity: 5, pass: true },
      { name: 'drill (not enabled)', type: 'Impact:IAMUser/CostHarvesting', severity: 2, source: 'tourniquet.drill', pass: false },
      // Malware Protection for S3: a result with threats becomes Object:S3/MaliciousFile (severity 8); a clean one is no finding.
      { name: 'scan result, THREATS_FOUND', type: 'Object:S3/MaliciousFile', severity: 8, scan: 'THREATS_FOUND', pass: true },
      { name: 'scan result, NO_THREATS_FOUND', type: 'Object:S3/MaliciousFile', severity: 8, scan: 'NO_THREATS_FOUND', pass: false },
    ];
    const arrived = await deliver('default', String(capture.one(RULE).inputs['eventPattern']), cases);
    expect(cases.map((c, i) => [c.name, arrived.has(`case-${i}`)])).toEqual(cases.map((c) => [c.name, c.pass]));
    const intake = findingIntake(builtInPolicy(), { severityThreshold: 4 });
    expect(cases.slice(0, 3).map((c) => admitFinding(intake, c).admitted)).toEqual([true, false, true]);
    // The finding a THREATS_FOUND result becomes is admitted by the Lambda too.
    expect(admitFinding(intake, cases[4]!).admitted).toBe(true);

    const prefixed = await buildTourniquetStack({ manageThreatLists: false, manageTrustedIpList: false, findingTypePrefixes: ['CryptoCurrency:'] });
    const only = await deliver('prefixed', String(prefixed.capture.one(RULE).inputs['eventPattern']), cases);
    expect([...only]).toEqual(['case-2']);
    expect(json<{ detail: Record<string, unknown> }>(prefixed.capture.one(RULE).inputs['eventPattern']).detail['type']).toEqual([{ prefix: 'CryptoCurrency:' }]);

    // A prefix admitting Object:S3/MaliciousFile lets THREATS_FOUND results through (they have no `type` field).
    const objects = await buildTourniquetStack({ manageThreatLists: false, manageTrustedIpList: false, findingTypePrefixes: ['Object:S3/'] });
    const scansOnly = await deliver('object-prefixed', String(objects.capture.one(RULE).inputs['eventPattern']), cases);
    expect([...scansOnly]).toEqual(['case-4']);
  });
});

describe('policy type patterns as EventBridge filters', () => {
  it('exact → the string, prefix or trailing-* glob → prefix, other globs → wildcard (`**` collapsed, `\\` escaped)', () => {
    expect(eventBridgeTypeFilter('Impact:IAMUser/CostHarvesting')).toBe('Impact:IAMUser/CostHarvesting');
    expect(eventBridgeTypeFilter('CryptoCurrency:EC2/')).toEqual({ prefix: 'CryptoCurrency:EC2/' });
    expect(eventBridgeTypeFilter('Backdoor:EC2/C&CActivity*')).toEqual({ prefix: 'Backdoor:EC2/C&CActivity' });
    expect(eventBridgeTypeFilter('*:EC2/**!DNS')).toEqual({ wildcard: '*:EC2/*!DNS' });
    expect(eventBridgeTypeFilter('A\\B*C')).toEqual({ wildcard: 'A\\\\B*C' });
  });

  it('a policy routing too many distinct types below the threshold fails the deploy, naming the quota', () => {
    const rules = Array.from({ length: 60 }, (_, i) => `  - name: r${i}\n    match: { type: ["Recon:EC2/SomeVeryLongFindingTypeName${i}"] }\n    mode: approve\n`).join('');
    const intake = findingIntake(parsePolicy(`version: 1\nrules:\n${rules}`, 'big.yaml'), { severityThreshold: 4 });
    expect(() => findingsEventPattern({ severityThreshold: 4, findingTypePrefixes: [], drillEvents: false, intake })).toThrow(/above EventBridge's 2048/);
  });
});
