/**
 * The Lambda's policy from `TOURNIQUET_POLICY`: absent → the built-in policy; inline text or an `s3://` URI → the
 * text, read as a compiled policy (what the deploy uploads: JSON, no YAML parser) or else as a policy file. Only
 * that second case, a YAML policy given by hand, loads the YAML parser and the policy-file checks (`import()`), so
 * the deployed Lambda's bundle does not load them at import.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { builtInPolicy } from '../policy/built-in-policy.js';
import { isCompiledPolicy, readCompiledPolicy } from '../policy/compiled-policy.js';
import type { Policy } from '../policy/policy.js';

export async function loadLambdaPolicy(value: string | undefined, s3: S3Client): Promise<Policy> {
  if (!value) return builtInPolicy();
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(value);
  const source = m ? value : 'TOURNIQUET_POLICY';
  let text = value;
  if (m) {
    const obj = await s3.send(new GetObjectCommand({ Bucket: m[1], Key: m[2] }));
    text = await obj.Body!.transformToString('utf8');
  }
  if (isCompiledPolicy(text)) return readCompiledPolicy(text, source);
  const { parsePolicy } = await import('../policy/load-policy.js');
  return parsePolicy(text, source);
}
