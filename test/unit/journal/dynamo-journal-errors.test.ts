/** How the journal turns DynamoDB failures into Tourniquet errors, and how ensureTable treats TTL support. */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  ConditionalCheckFailedException,
  ProvisionedThroughputExceededException,
  DynamoDBServiceException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsCallError, ConflictError } from '../../../src/errors.js';
import { DynamoJournal } from '../../../src/journal/dynamo-journal.js';
import { keys, tableDefinition } from '../../../src/journal/table-layout.js';

const ddb = mockClient(DynamoDBClient);
const doc = mockClient(DynamoDBDocumentClient);
let journal: DynamoJournal;

const activeTable = { ...tableDefinition('t'), TableStatus: 'ACTIVE' as const, GlobalSecondaryIndexes: [{ ...tableDefinition('t').GlobalSecondaryIndexes![0]!, IndexStatus: 'ACTIVE' as const }] };

function serviceError(name: string, status: number, fault: 'client' | 'server' = 'client') {
  return new DynamoDBServiceException({ name, $fault: fault, $metadata: { httpStatusCode: status }, message: `${name} happened` });
}

beforeEach(() => {
  ddb.reset();
  doc.reset();
  journal = new DynamoJournal({ client: new DynamoDBClient({ region: 'us-east-1' }), tableName: 't' });
});

afterEach(async () => {
  await journal.close();
});

describe('ensureTable', () => {
  it('creates the table, waits for ACTIVE and enables TTL on expiresAt', async () => {
    ddb
      .on(DescribeTableCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: 'no table', $metadata: {} }))
      .resolvesOnce({ Table: { ...activeTable, TableStatus: 'CREATING' } })
      .resolves({ Table: activeTable });
    ddb.on(CreateTableCommand).resolves({});
    ddb.on(UpdateTimeToLiveCommand).resolves({});
    await journal.ensureTable();
    expect(ddb).toHaveReceivedCommandWith(DescribeTableCommand, { TableName: 't' });
    expect(ddb.commandCalls(CreateTableCommand)[0]!.args[0].input).toMatchObject({ TableName: 't', BillingMode: 'PAY_PER_REQUEST' });
    expect(ddb.commandCalls(UpdateTimeToLiveCommand)[0]!.args[0].input).toEqual({
      TableName: 't',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('skips TTL only when the endpoint says the operation does not exist', async () => {
    ddb.on(DescribeTableCommand).rejectsOnce(new ResourceNotFoundException({ message: 'no table', $metadata: {} })).resolves({ Table: activeTable });
    ddb.on(CreateTableCommand).resolves({});
    ddb.on(UpdateTimeToLiveCommand).rejects(serviceError('UnknownOperationException', 400));
    await expect(journal.ensureTable()).resolves.toBeUndefined();
  });

  it('does not swallow other TTL failures', async () => {
    ddb.on(DescribeTableCommand).rejectsOnce(new ResourceNotFoundException({ message: 'no table', $metadata: {} })).resolves({ Table: activeTable });
    ddb.on(CreateTableCommand).resolves({});
    ddb.on(UpdateTimeToLiveCommand).rejects(serviceError('AccessDeniedException', 400));
    const err = await journal.ensureTable().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AwsCallError);
    expect(err).toMatchObject({ service: 'dynamodb', operation: 'UpdateTimeToLive', awsCode: 'AccessDeniedException', transient: false });
  });

  it('treats ResourceInUseException on create as "someone else created it"', async () => {
    ddb.on(DescribeTableCommand).rejectsOnce(new ResourceNotFoundException({ message: 'no table', $metadata: {} })).resolves({ Table: activeTable });
    ddb.on(CreateTableCommand).rejects(new ResourceInUseException({ message: 'exists', $metadata: {} }));
    ddb.on(UpdateTimeToLiveCommand).resolves({});
    await expect(journal.ensureTable()).resolves.toBeUndefined();
  });

  it('leaves an existing table alone (no create, no TTL change)', async () => {
    ddb.on(DescribeTableCommand).resolves({ Table: activeTable });
    await journal.ensureTable();
    expect(ddb.commandCalls(CreateTableCommand)).toHaveLength(0);
    expect(ddb.commandCalls(UpdateTimeToLiveCommand)).toHaveLength(0);
  });
});

describe('error mapping', () => {
  it('turns a lost conditional write into ConflictError with the cause kept', async () => {
    const cause = new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    doc.on(UpdateCommand).rejects(cause);
    doc.on(GetCommand).resolves({
      Item: {
        pk: 'INC#i', sk: 'META', incidentId: 'i', incidentKey: 'k', accountId: '123456789012', region: 'us-east-1',
        subjectKind: 'ec2-instance', subjectId: 'i-1', findingId: 'f', findingType: 't', severity: 5, mode: 'contain',
        playbook: 'p', plan: '{"playbook":"p","incidentKey":"k","steps":[]}', decision: '{}', subject: '{}',
        status: 'contained', createdAt: 'c', updatedAt: 'u', occurrences: 1, version: 7,
      },
    });
    const err = await journal.updateIncident('i', { status: 'contained' }, new Date(), 3).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    // The write was conditional on the expected version of this incident's item.
    expect(doc).toHaveReceivedCommandWith(UpdateCommand, { TableName: 't', Key: keys.incident('i') });
    const update = doc.commandCalls(UpdateCommand)[0]!.args[0].input;
    const [, name, value] = /(#\w+) = (:\w+)/.exec(update.ConditionExpression ?? '') ?? [];
    expect([update.ExpressionAttributeNames?.[name!], update.ExpressionAttributeValues?.[value!]]).toEqual(['version', 3]);
    expect(doc).toHaveReceivedCommandWith(GetCommand, { TableName: 't', Key: keys.incident('i') });
    expect((err as Error).message).toMatch(/version 7, expected 3/);
    expect(((err as Error).cause as Error).cause).toBe(cause);
  });

  it('wraps throttling as a transient AwsCallError, keeping the cause', async () => {
    const cause = new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: { httpStatusCode: 400 } });
    doc.on(PutCommand).rejects(cause);
    doc.on(GetCommand).resolves({ Item: { pk: 'INC#i', sk: 'META' } });
    const err = await journal.appendEvent('i', { at: '2026-01-01T00:00:00Z', type: 't', message: 'm' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AwsCallError);
    expect(err).toMatchObject({ operation: 'PutItem', awsCode: 'ProvisionedThroughputExceededException', transient: true });
    expect(doc).toHaveReceivedCommandWith(PutCommand, { TableName: 't', Item: expect.objectContaining({ pk: 'INC#i', type: 'event', message: 'm' }) });
    expect((err as Error).cause).toBe(cause);
  });

  it('wraps a server fault as transient and a validation error as permanent', async () => {
    doc.on(GetCommand).rejectsOnce(serviceError('InternalServerError', 500, 'server')).rejectsOnce(serviceError('ValidationException', 400));
    await expect(journal.getIncident('a')).rejects.toMatchObject({ transient: true, awsCode: 'InternalServerError' });
    await expect(journal.getIncident('b')).rejects.toMatchObject({ transient: false, awsCode: 'ValidationException' });
    expect(doc).toHaveReceivedNthCommandWith(GetCommand, 1, { TableName: 't', Key: keys.incident('a') });
    expect(doc).toHaveReceivedNthCommandWith(GetCommand, 2, { TableName: 't', Key: keys.incident('b') });
  });
});
