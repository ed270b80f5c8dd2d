/** The Tourniquet policies, without the PolicyPack (constructing a PolicyPack starts its gRPC server). */
import type { ResourceValidationPolicy, StackValidationPolicy } from '@pulumi/policy';
import { encryptionAtRest } from './encryption.js';
import { iamLeastPrivilege } from './iam-statements.js';
import { noPublicBuckets } from './public-buckets.js';
import { queuesHaveDeadLetterQueues } from './queue-dlq.js';

export const TOURNIQUET_POLICIES: readonly (ResourceValidationPolicy | StackValidationPolicy)[] = [
  encryptionAtRest,
  noPublicBuckets,
  iamLeastPrivilege,
  queuesHaveDeadLetterQueues,
];
