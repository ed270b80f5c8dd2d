/**
 * The journal: one DynamoDB table (single-table design; attribute names pk, sk, gsi1pk, gsi1sk and the TTL
 * attribute expiresAt are what src/journal uses). On-demand billing, point-in-time recovery, SSE with the
 * responder's customer-managed key, deletion protection.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { withTags } from './common.js';
import type { Tags } from './common.js';

export const JOURNAL_KEYS = { pk: 'pk', sk: 'sk', gsi1pk: 'gsi1pk', gsi1sk: 'gsi1sk', gsi1: 'gsi1', ttl: 'expiresAt' } as const;

export interface JournalTableArgs {
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly deletionProtection: boolean;
  readonly tags: Tags;
}

export class JournalTable extends pulumi.ComponentResource {
  readonly table: aws.dynamodb.Table;
  readonly tableName: pulumi.Output<string>;
  readonly tableArn: pulumi.Output<string>;

  constructor(name: string, args: JournalTableArgs, opts?: pulumi.ComponentResourceOptions) {
    super('tourniquet:infra:JournalTable', name, {}, opts);
    this.table = new aws.dynamodb.Table(
      `${name}`,
      {
        billingMode: 'PAY_PER_REQUEST',
        hashKey: JOURNAL_KEYS.pk,
        rangeKey: JOURNAL_KEYS.sk,
        attributes: [
          { name: JOURNAL_KEYS.pk, type: 'S' },
          { name: JOURNAL_KEYS.sk, type: 'S' },
          { name: JOURNAL_KEYS.gsi1pk, type: 'S' },
          { name: JOURNAL_KEYS.gsi1sk, type: 'S' },
        ],
        globalSecondaryIndexes: [
          { name: JOURNAL_KEYS.gsi1, hashKey: JOURNAL_KEYS.gsi1pk, rangeKey: JOURNAL_KEYS.gsi1sk, projectionType: 'ALL' },
        ],
        ttl: { attributeName: JOURNAL_KEYS.ttl, enabled: true },
        pointInTimeRecovery: { enabled: true },
        serverSideEncryption: { enabled: true, kmsKeyArn: args.kmsKeyArn },
        deletionProtectionEnabled: args.deletionProtection,
        tags: withTags(args.tags),
      },
      { parent: this },
    );
    this.tableName = this.table.name;
    this.tableArn = this.table.arn;
    this.registerOutputs({ tableName: this.tableName, tableArn: this.tableArn });
  }
}
