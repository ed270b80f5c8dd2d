/**
 * The journal's DynamoDB table: created when missing (embedded/dev), waited for until ACTIVE with TTL on, and checked
 * to have the journal layout when it exists already.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { TourniquetError } from '../errors.js';
import { awsErrorName, wrapAwsError } from '../aws/wrap-aws-error.js';
import { GSI1, TTL_ATTRIBUTE, tableDefinition } from './table-layout.js';

export interface TableSetup {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Longest wait for a new table to become ACTIVE (default 300 s). */
  readonly tableWaitSeconds?: number;
}

export async function ensureJournalTable(setup: TableSetup): Promise<void> {
  let description = await describeTable(setup);
  if (description === undefined) {
    try {
      await setup.client.send(new CreateTableCommand(tableDefinition(setup.tableName)));
    } catch (err) {
      // Someone else created it in the meantime: wait for it like for our own.
      if (awsErrorName(err) !== 'ResourceInUseException') throw wrapAwsError('dynamodb', 'CreateTable', err);
    }
    await waitActive(setup);
    await enableTtl(setup);
    description = await describeTable(setup);
  } else if (description.TableStatus !== 'ACTIVE') {
    await waitActive(setup);
  }
  if (description !== undefined) checkLayout(setup.tableName, description);
}

async function describeTable(setup: TableSetup): Promise<TableDescription | undefined> {
  try {
    const out = await setup.client.send(new DescribeTableCommand({ TableName: setup.tableName }));
    return out.Table;
  } catch (err) {
    if (awsErrorName(err) === 'ResourceNotFoundException') return undefined;
    throw wrapAwsError('dynamodb', 'DescribeTable', err);
  }
}

/**
 * Polls until the table and its index are ACTIVE: quickly at first (the embedded emulator flips to ACTIVE on the
 * next tick), backing off to 5 s (DynamoDB takes seconds). The SDK waiter would sleep at least its minDelay.
 */
async function waitActive(setup: TableSetup): Promise<void> {
  const deadline = Date.now() + (setup.tableWaitSeconds ?? 300) * 1000;
  let delay = 20;
  for (;;) {
    const d = await describeTable(setup);
    const indexesActive = (d?.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === undefined || g.IndexStatus === 'ACTIVE');
    if (d?.TableStatus === 'ACTIVE' && indexesActive) return;
    if (Date.now() + delay > deadline) {
      throw new TourniquetError(
        'journal.table-wait',
        `table ${setup.tableName} is not ACTIVE after ${setup.tableWaitSeconds ?? 300} s (status ${String(d?.TableStatus ?? 'missing')})`,
      );
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 5000);
  }
}

async function enableTtl(setup: TableSetup): Promise<void> {
  try {
    await setup.client.send(
      new UpdateTimeToLiveCommand({
        TableName: setup.tableName,
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      }),
    );
  } catch (err) {
    // The embedded emulator does not implement TTL and says so; expired counters are then simply kept.
    // Any other failure (access denied, throttling …) is real.
    if (awsErrorName(err) === 'UnknownOperationException') return;
    throw wrapAwsError('dynamodb', 'UpdateTimeToLive', err);
  }
}

function checkLayout(table: string, d: TableDescription): void {
  const hash = d.KeySchema?.find((k) => k.KeyType === 'HASH')?.AttributeName;
  const range = d.KeySchema?.find((k) => k.KeyType === 'RANGE')?.AttributeName;
  const gsi = d.GlobalSecondaryIndexes?.find((g) => g.IndexName === GSI1);
  if (hash !== 'pk' || range !== 'sk' || gsi === undefined) {
    throw new TourniquetError(
      'journal.table-layout',
      `table ${table} does not have the journal layout (keys pk/sk and index ${GSI1}); found keys ${String(hash)}/${String(range)}` +
        `${gsi === undefined ? ` and no ${GSI1} index` : ''}`,
    );
  }
}
