/**
 * The respond Lambda with its policy as the deploy passes it: compiled (src/policy/compiled-policy.ts) and uploaded
 * to the findings bucket, TOURNIQUET_POLICY its s3:// URI. The Lambda reads it without the YAML parser and decides
 * with it: the `contain` rule (and its playbook options) contains the instance, read back from moto.
 * (lambda-handlers.test.ts covers a YAML policy given inline and by s3:// URI: the lazily loaded parser.)
 */
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeededFleet } from '../../src/drill/seed-gpu-fleet.js';
import type { Journal } from '../../src/journal/journal.js';
import { openJournal } from '../../src/journal/open-journal.js';
import type * as RespondModule from '../../src/lambda/respond-handler.js';
import { compilePolicy } from '../../src/policy/compiled-policy.js';
import { parsePolicy } from '../../src/policy/load-policy.js';
import { ACCOUNT, REGION, startHarness, type Harness } from '../support/engine-harness.js';
import { sqsRecord } from '../support/sqs-record.js';
import { setLambdaEnv } from '../support/lambda-env.js';

const TABLE = 'tourniquet-journal';
const EVIDENCE = 'tourniquet-evidence';
const FINDINGS = 'tourniquet-findings';
const POLICY_KEY = 'config/tourniquet-policy-0123456789abcdef.json';
const POLICY_YAML = `version: 1
defaults: { mode: approve }
rules:
  - name: gpu-crypto
    match: { type: ["CryptoCurrency:EC2/*"], subject: [ec2-instance] }
    mode: contain
    options: { isolationSettleSeconds: 0 }
`;

let h: Harness;
let fleet: SeededFleet;
let journal: Journal;
let respondHandler: typeof RespondModule.handler;
let resetRespondRuntime: typeof RespondModule.resetRuntimeForTests;
let restoreEnv: (() => void) | undefined;

beforeAll(async () => {
  h = await startHarness();
  const s3 = new S3Client({ endpoint: h.moto.endpoint, region: REGION, forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  [fleet] = await Promise.all([h.seed('lambda-compiled-policy'), s3.send(new CreateBucketCommand({ Bucket: EVIDENCE })), s3.send(new CreateBucketCommand({ Bucket: FINDINGS }))]);
  // What the deploy uploads (infra/components/responder-role.ts).
  const compiled = compilePolicy(parsePolicy(POLICY_YAML, 'tourniquet.yaml'));
  await s3.send(new PutObjectCommand({ Bucket: FINDINGS, Key: POLICY_KEY, Body: compiled, ContentType: 'application/json' }));
  journal = await openJournal({ tableName: TABLE, endpoint: h.moto.endpoint });
  await journal.ensureTable();
  restoreEnv = setLambdaEnv({
    AWS_ENDPOINT_URL: h.moto.endpoint,
    TOURNIQUET_JOURNAL_TABLE: TABLE,
    TOURNIQUET_EVIDENCE_BUCKET: EVIDENCE,
    TOURNIQUET_POLICY: `s3://${FINDINGS}/${POLICY_KEY}`,
  });
  ({ handler: respondHandler, resetRuntimeForTests: resetRespondRuntime } = await import('../../src/lambda/respond-handler.js'));
});

afterAll(async () => {
  await resetRespondRuntime?.();
  await journal?.close();
  restoreEnv?.();
  await h?.close();
});

describe('respond handler with the compiled policy from S3', () => {
  it('contains the instance under the contain rule, and journals the policy it decided with', async () => {
    const finding = await h.finding(fleet.targetInstanceId);
    const event = { version: '0', id: 'e-1', 'detail-type': 'GuardDuty Finding', source: 'aws.guardduty', account: ACCOUNT, time: finding.updatedAt, region: REGION, resources: [], detail: finding.raw };
    const result = await respondHandler({ Records: [sqsRecord('m-compiled', JSON.stringify(event))] });
    expect(result.batchItemFailures).toEqual([]);

    const [incident, ...others] = (await journal.listIncidents()).filter((i) => i.subjectId === fleet.targetInstanceId);
    expect(others).toEqual([]);
    // (The YAML reader would refuse this text: "unknown key tourniquetCompiledPolicy". The compiled reader read it.)
    expect(incident).toMatchObject({ mode: 'contain', status: 'contained' });
    expect(incident!.decision).toMatchObject({ rule: 'gpu-crypto', effectiveMode: 'contain', playbookOptions: { isolationSettleSeconds: 0 } });
    expect((await journal.getSteps(incident!.incidentId)).find((s) => s.stepId === 'isolate-network')?.status).toBe('done');
    expect(incident!.decision.policySource).toBe(`s3://${FINDINGS}/${POLICY_KEY}`);
    // Contained: no ENI keeps the application's security group.
    const state = await h.state(fleet);
    expect(Object.values(state.groupsByEni).some((g) => g.includes(fleet.appSecurityGroupId))).toBe(false);
  });
});
