/**
 * Opens the journal: a DynamoDB table through the normal SDK (AWS_ENDPOINT_URL and the default credential chain
 * honoured) when a table name or an endpoint is given; otherwise the embedded emulator, in memory or on disk
 * (`--journal-path`), with the table `tourniquet-journal`.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { UsageError } from '../errors.js';
import { TOURNIQUET_USER_AGENT } from '../aws/user-agent.js';
import { createClientFactory } from '../aws/client-factory.js';
import type { AwsClientLookup } from '../aws/clients.js';
import { DynamoJournal } from './dynamo-journal.js';
import { startEmbeddedDynamo } from './embedded-dynamo.js';
import type { Journal } from './journal.js';
import { DEFAULT_TABLE_NAME } from './table-layout.js';

export interface OpenJournalOptions {
  /** A DynamoDB table (created by the infrastructure, or by ensureTable). */
  readonly tableName?: string;
  /** Keep the embedded journal on disk in this folder (default: in memory). Not with `tableName`/`endpoint`. */
  readonly path?: string;
  readonly region?: string;
  /** A DynamoDB endpoint (DynamoDB Local, moto …); the table defaults to `tourniquet-journal`. */
  readonly endpoint?: string;
  /** Create/check the table before returning (default true). A responder whose role lacks DescribeTable passes false. */
  readonly ensureTable?: boolean;
  /**
   * Where the table's DynamoDB client comes from (the caller's own-account clients, which it keeps and destroys).
   * Default: a client factory of its own with `endpoint` and `region`. Not used by the embedded journal.
   */
  readonly clients?: AwsClientLookup;
}

export async function openJournal(options: OpenJournalOptions = {}): Promise<Journal> {
  const external = options.tableName !== undefined || options.endpoint !== undefined;
  if (external && options.path !== undefined) {
    throw new UsageError('a journal path is for the embedded journal; it cannot be combined with a table name or an endpoint');
  }
  let journal: DynamoJournal;
  if (external) {
    const aws = options.clients ?? createClientFactory(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}).own(options.region);
    journal = new DynamoJournal({ client: aws(DynamoDBClient), tableName: options.tableName ?? DEFAULT_TABLE_NAME, ownsClient: options.clients === undefined });
  } else {
    const server = await startEmbeddedDynamo(options.path !== undefined ? { path: options.path } : {});
    const client = new DynamoDBClient({
      endpoint: server.endpoint,
      region: options.region ?? 'us-east-1',
      // The emulator checks that requests are signed, not by whom.
      credentials: { accessKeyId: 'tourniquet-embedded', secretAccessKey: 'tourniquet-embedded' },
      customUserAgent: TOURNIQUET_USER_AGENT,
      maxAttempts: 3,
      // Do not give up on the emulator early: it runs in this process, so a connection that takes seconds means this
      // process is busy (a burst of findings handled at once), not that the server is gone. With 2 s to connect, 734
      // of 1,000 respond() calls of bench:burst's issue-size run failed here. No idle-socket timeout for the same
      // reason: an answer can be late, never lost (the AWS clients have one: src/aws/http-timeouts.ts).
      requestHandler: { connectionTimeout: 30_000 },
    });
    // Its folder is locked (or it lives in memory): no other process can hold a lease in it while we have it open.
    journal = new DynamoJournal({ client, tableName: DEFAULT_TABLE_NAME, onClose: () => server.close(), exclusive: true });
  }
  if (options.ensureTable ?? true) {
    try {
      await journal.ensureTable();
    } catch (err) {
      await journal.close();
      throw err;
    }
  }
  return journal;
}
