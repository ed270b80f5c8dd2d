/**
 * The journal's single-table layout: key builders and the table definition. See docs/journal.md for the picture.
 * Everything a key is built from is data (account ids, incident keys, finding ids); values too long for a DynamoDB
 * key are replaced by their SHA-256 so an attacker-chosen long id cannot make a write fail.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export const DEFAULT_TABLE_NAME = 'tourniquet-journal';
export const GSI1 = 'gsi1';
/** Partition of the incident listing index (newest first by `createdAt`). */
export const INCIDENTS_GSI_PK = 'INCIDENTS';
/** TTL attribute (epoch seconds) on transient items: budget and breaker counters. */
export const TTL_ATTRIBUTE = 'expiresAt';

const MAX_KEY_PART_BYTES = 400;

/** `value`, or `sha256:<hex>` of it when it is too long for a key. */
export function keyPart(value: string): string {
  if (Buffer.byteLength(value, 'utf8') <= MAX_KEY_PART_BYTES) return value;
  return `sha256:${createHash('sha256').update(value, 'utf8').digest('hex')}`;
}

export const keys = {
  incident: (incidentId: string) => ({ pk: `INC#${incidentId}`, sk: 'META' }),
  openPointer: (incidentKey: string) => ({ pk: `KEY#${keyPart(incidentKey)}`, sk: 'OPEN' }),
  /** One per finding id and (severity, count): a re-publication with nothing higher is the same occurrence. */
  occurrence: (incidentId: string, findingId: string, severity: number, count: number) => ({
    pk: `INC#${incidentId}`,
    sk: `OCC#${keyPart(findingId)}#${String(severity)}#${String(count)}`,
  }),
  step: (incidentId: string, stepId: string) => ({ pk: `INC#${incidentId}`, sk: `STEP#${keyPart(stepId)}` }),
  event: (incidentId: string, at: string, unique: string) => ({ pk: `INC#${incidentId}`, sk: `EVT#${keyPart(at)}#${unique}` }),
  approval: (incidentId: string, at: string, stepId: string, unique: string) => ({
    pk: `INC#${incidentId}`,
    sk: `APR#${keyPart(at)}#${keyPart(stepId)}#${unique}`,
  }),
  budget: (accountId: string, now: Date) => ({ pk: `BUDGET#${keyPart(accountId)}`, sk: hourBucket(now) }),
  breaker: (key: string, bucket: string) => ({ pk: `BRK#${keyPart(key)}`, sk: bucket }),
  once: (key: string) => ({ pk: `ONCE#${keyPart(key)}`, sk: 'ONCE' }),
} as const;

export const SK_PREFIX = { step: 'STEP#', event: 'EVT#', approval: 'APR#', occurrence: 'OCC#' } as const;

/** `yyyy-mm-ddThh` (UTC). */
export function hourBucket(now: Date): string {
  return now.toISOString().slice(0, 13);
}

/** `yyyy-mm-ddThh:mm` (UTC). */
export function minuteBucket(now: Date): string {
  return now.toISOString().slice(0, 16);
}

/** `inc-yyyymmdd-<12 hex>`: sortable by day, unguessable enough to be unique without coordination. */
export function newIncidentId(now: Date): string {
  return `inc-${now.toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(6).toString('hex')}`;
}

let counter = 0;
/** A suffix that keeps same-millisecond items of one process in order and items of different processes apart. */
export function uniqueSuffix(): string {
  counter = (counter + 1) % 1_000_000;
  return `${counter.toString().padStart(6, '0')}${randomBytes(4).toString('hex')}`;
}

export function tableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'gsi1pk', AttributeType: 'S' },
      { AttributeName: 'gsi1sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: GSI1,
        KeySchema: [
          { AttributeName: 'gsi1pk', KeyType: 'HASH' },
          { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}
