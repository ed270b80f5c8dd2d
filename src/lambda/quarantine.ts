import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { FindingParseError, UnreadableMessageError } from '../errors.js';
import type { LambdaRuntime } from './lambda-runtime.js';

/**
 * Keeps an input that could not be parsed (a finding, or the SQS message around it), with the reason and the JSON
 * path at fault, in the evidence bucket under the quarantine prefix. Nothing is lost: the original text is stored as
 * received.
 */
export async function quarantine(rt: LambdaRuntime, id: string, error: FindingParseError | UnreadableMessageError, original: string): Promise<string> {
  const day = new Date().toISOString().slice(0, 10);
  const key = `${rt.config.TOURNIQUET_QUARANTINE_PREFIX}${day}/${id.replace(/[^A-Za-z0-9._-]/g, '_')}.json`;
  await rt.s3.send(
    new PutObjectCommand({
      Bucket: rt.config.TOURNIQUET_EVIDENCE_BUCKET,
      Key: key,
      ContentType: 'application/json',
      ...(rt.config.TOURNIQUET_EVIDENCE_KMS_KEY_ID ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: rt.config.TOURNIQUET_EVIDENCE_KMS_KEY_ID } : {}),
      Body: JSON.stringify(
        { reason: error.message, source: error.source, path: error.path, expected: error.expected, received: error.received, original },
        null,
        2,
      ),
    }),
  );
  return key;
}
