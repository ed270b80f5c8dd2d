/**
 * The deployed path, offline: the esbuild bundle of the responder Lambda handles an SQS batch carrying an
 * EventBridge "GuardDuty Finding" event against moto_server — it contains the instance (state read back), writes the
 * journal in a real DynamoDB table (moto), keeps evidence in S3, and quarantines a malformed message instead of
 * retrying it forever. The bundle's size is printed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLambdaBundle, formatBundleReport } from '../../infra/build-bundle.js';
import { openJournal } from '../../src/journal/open-journal.js';
import { emulatorChanges, emulatorState } from '../support/emulator-state.js';
import { ACCOUNT, REGION, startHarness, type Harness } from '../support/engine-harness.js';
import { sqsRecord } from '../support/sqs-record.js';

let h: Harness;
let handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
const saved = { ...process.env };

beforeAll(async () => {
  h = await startHarness();
  const outdir = mkdtempSync(join(tmpdir(), 'tourniquet-lambda-'));
  const bundle = await buildLambdaBundle({ outdir });
  console.log(formatBundleReport(bundle));
  const s3 = new S3Client({ endpoint: h.moto.endpoint, region: REGION, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'tourniquet-evidence' }));
  const journal = await openJournal({ tableName: 'tourniquet-journal', endpoint: h.moto.endpoint });
  await journal.ensureTable();
  await journal.close();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: h.moto.endpoint,
    TOURNIQUET_JOURNAL_TABLE: 'tourniquet-journal',
    TOURNIQUET_EVIDENCE_BUCKET: 'tourniquet-evidence',
    TOURNIQUET_POLICY: 'version: 1\nrules:\n  - name: gpu-crypto\n    match: { type: ["CryptoCurrency:EC2/"], ai: true }\n    mode: contain\n',
    POWERTOOLS_METRICS_NAMESPACE: 'Tourniquet',
    POWERTOOLS_DEV: 'true',
    POWERTOOLS_LOG_LEVEL: 'WARN',
  });
  handler = ((await import(pathToFileURL(join(outdir, 'respond-handler.mjs')).href)) as { handler: typeof handler }).handler;
});

afterAll(async () => {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
  await h?.close();
});


describe('bundled responder Lambda', () => {
  it('contains the instance from an SQS-delivered GuardDuty event, journals it, and quarantines a bad message', async () => {
    const fleet = await h.seed('lambda');
    const finding = await h.finding(fleet.targetInstanceId);
    const event = { version: '0', id: 'e-1', 'detail-type': 'GuardDuty Finding', source: 'aws.guardduty', account: ACCOUNT, time: finding.updatedAt, region: REGION, resources: [], detail: finding.raw };
    const bad = { ...event, detail: { ...(finding.raw as object), severity: 'very high' } };
    const result = await handler({ Records: [sqsRecord('m-good', JSON.stringify(event)), sqsRecord('m-bad', JSON.stringify(bad))] });
    expect(result.batchItemFailures).toEqual([]);

    const state = await h.state(fleet);
    const groups = Object.values(state.groupsByEni);
    expect(groups).toHaveLength(2);
    expect(groups.every((g) => g.length === 1 && g[0] !== fleet.appSecurityGroupId)).toBe(true);
    expect(state.autoScaling?.lifecycleState).toBe('Standby');

    const journal = await openJournal({ tableName: 'tourniquet-journal', endpoint: h.moto.endpoint });
    try {
      const incidents = await journal.listIncidents();
      const incident = incidents.find((i) => i.subjectId === fleet.targetInstanceId);
      expect(incident?.status).toBe('contained');
      expect(incident?.evidenceLocation).toMatch(/^s3:\/\/tourniquet-evidence\/cases\//);
      const steps = await journal.getSteps(incident!.incidentId);
      expect(steps.find((s) => s.stepId === 'isolate-network')?.status).toBe('done');
    } finally {
      await journal.close();
    }

    const s3 = new S3Client({ endpoint: h.moto.endpoint, region: REGION, forcePathStyle: true });
    const quarantined = await s3.send(new ListObjectsV2Command({ Bucket: 'tourniquet-evidence', Prefix: 'quarantine/' }));
    expect(quarantined.Contents).toHaveLength(1);
    const q = JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: 'tourniquet-evidence', Key: quarantined.Contents![0]!.Key! }))).Body!.transformToString()) as { path: string; original: string };
    expect(q.path).toBe('$.detail.severity');
    expect(q.original).toContain('very high');

    // Redelivery of the same message (SQS at-least-once) changes nothing, read back from the emulator: the journal
    // table's items, the instance, and no AWS resource or S3 object (evidence, quarantine) created or changed.
    // (moto keeps a model object for each item a failed conditional write carried: the table is compared by Scan.)
    const ddb = new DynamoDBClient({ endpoint: h.moto.endpoint, region: REGION });
    const journalItems = async () => (await ddb.send(new ScanCommand({ TableName: 'tourniquet-journal', ConsistentRead: true }))).Items ?? [];
    const before = { items: await journalItems(), instance: await h.state(fleet), emulator: await emulatorState(h.moto.endpoint) };
    expect(before.items.length).toBeGreaterThan(0);
    const again = await handler({ Records: [sqsRecord('m-good-2', JSON.stringify(event))] });
    expect(again.batchItemFailures).toEqual([]);
    expect(await journalItems()).toEqual(before.items);
    expect(await h.state(fleet)).toEqual(before.instance);
    expect(emulatorChanges(before.emulator, await emulatorState(h.moto.endpoint), { ignore: ['dynamodb.Item'] })).toEqual([]);
  });
});
