/**
 * Opens the evidence writer for a case: a local folder (`dir`) or an S3 prefix (`s3Uri`), one of the two.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { UsageError } from '../errors.js';
import { withAwsAnswerCheck } from '../aws/not-aws-answer.js';
import { TOURNIQUET_USER_AGENT } from '../aws/user-agent.js';
import type { EvidenceWriter } from './evidence-writer.js';
import { LocalCaseFolder } from './local-case-folder.js';
import { S3CaseWriter, type ObjectLockOption } from './s3-case-writer.js';

export interface OpenEvidenceOptions {
  /** Root folder; the case goes to `<dir>/<caseId>/`. */
  readonly dir?: string;
  /** `s3://bucket/prefix`; the case goes to `s3://bucket/prefix/<caseId>/`. */
  readonly s3Uri?: string;
  /** Default: a client from the environment (AWS_ENDPOINT_URL honoured, path-style with an endpoint). */
  readonly s3Client?: S3Client;
  /** SSE-KMS key for S3 objects. */
  readonly kmsKeyId?: string;
  /** Object Lock retention for S3 objects (the bucket must have Object Lock enabled). */
  readonly objectLock?: ObjectLockOption;
  /** Clock for `recordedAt` (tests). */
  readonly now?: () => Date;
}

export async function openEvidence(caseId: string, options: OpenEvidenceOptions): Promise<EvidenceWriter> {
  if ((options.dir === undefined) === (options.s3Uri === undefined)) {
    throw new UsageError('evidence needs exactly one location: a folder (dir) or an S3 URI (s3Uri)');
  }
  if (options.s3Uri !== undefined) {
    const endpoint = process.env.AWS_ENDPOINT_URL;
    const client =
      options.s3Client ?? withAwsAnswerCheck(new S3Client({ customUserAgent: TOURNIQUET_USER_AGENT, ...(endpoint ? { endpoint, forcePathStyle: true } : {}) }), endpoint);
    return new S3CaseWriter({
      client,
      s3Uri: options.s3Uri,
      caseId,
      ...(options.kmsKeyId !== undefined ? { kmsKeyId: options.kmsKeyId } : {}),
      ...(options.objectLock !== undefined ? { objectLock: options.objectLock } : {}),
      ...(options.now !== undefined ? { now: options.now } : {}),
    });
  }
  return new LocalCaseFolder(options.dir as string, caseId, options.now !== undefined ? { now: options.now } : {});
}
