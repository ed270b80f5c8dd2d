/**
 * The respond Lambda from src against a moto_server of its own, fed S3 export objects through their SQS
 * notifications: observe mode, input limits of 4 KiB a line and 64 KiB unpacked, quarantine read back from the
 * evidence bucket. For the tests of the export entry point's bad input (limits, empty and binary objects).
 */
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { startMotoServer } from '../../src/aws/moto-server.js';
import type { Journal } from '../../src/journal/journal.js';
import { openJournal } from '../../src/journal/open-journal.js';
import type * as RespondModule from '../../src/lambda/respond-handler.js';
import { finding, instanceDetails } from '../unit/findings/finding-fixtures.js';
import { setLambdaEnv } from './lambda-env.js';

const TABLE = 'tourniquet-journal';
const EVIDENCE = 'tourniquet-evidence';
export const FINDINGS = 'guardduty-findings-123456789012';

export interface ExportLambda {
  readonly s3: S3Client;
  readonly journal: Journal;
  readonly handler: typeof RespondModule.handler;
  /** The quarantine records whose key holds `messageId`, read back from the evidence bucket. */
  quarantined(messageId: string): Promise<Array<{ reason: string; original: string }>>;
  close(): Promise<void>;
}

/** The S3 event notification SQS delivers for `key` in the findings bucket. */
export const notification = (key: string): string =>
  JSON.stringify({ Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: FINDINGS }, object: { key } } }] });

/** One export line: an EC2 finding about `instanceId`. */
export const line = (id: string, instanceId: string): string =>
  JSON.stringify(finding({ id, arn: `arn:aws:guardduty:us-east-1:111122223333:detector/d1/finding/${id}` }, { resourceType: 'Instance', instanceDetails: instanceDetails({ instanceId }) }));

export async function startExportLambda(): Promise<ExportLambda> {
  const moto = await startMotoServer();
  const s3 = new S3Client({ endpoint: moto.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  await Promise.all([s3.send(new CreateBucketCommand({ Bucket: EVIDENCE })), s3.send(new CreateBucketCommand({ Bucket: FINDINGS }))]);
  const restoreEnv = setLambdaEnv({
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: moto.endpoint,
    TOURNIQUET_JOURNAL_TABLE: TABLE,
    TOURNIQUET_EVIDENCE_BUCKET: EVIDENCE,
    TOURNIQUET_MODE: 'observe',
    TOURNIQUET_MAX_LINE_BYTES: '4KiB',
    TOURNIQUET_MAX_DECOMPRESSED_BYTES: '64KiB',
  });
  const journal = await openJournal({ tableName: TABLE, endpoint: moto.endpoint });
  await journal.ensureTable();
  // Imported once the environment is set: Powertools reads it when the handler module loads.
  const { handler, resetRuntimeForTests } = await import('../../src/lambda/respond-handler.js');
  return {
    s3,
    journal,
    handler,
    async quarantined(messageId) {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: EVIDENCE, Prefix: 'quarantine/' }));
      const keys = (listed.Contents ?? []).map((o) => o.Key!).filter((k) => k.includes(messageId));
      return Promise.all(
        keys.map(async (Key) => JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: EVIDENCE, Key }))).Body!.transformToString()) as { reason: string; original: string }),
      );
    },
    async close() {
      await resetRuntimeForTests();
      await journal.close();
      restoreEnv();
      await moto.stop();
    },
  };
}
