/**
 * `s3.capture-object-version`: the flagged version of the object copied into the case evidence, with its SHA-256 and
 * its metadata (a second artefact). The object is streamed; above `maxBytes` only the hash and metadata are kept
 * (the version itself stays in the bucket: later steps hide it, they never delete a version).
 */
import { z } from 'zod';
import type { Json } from '../findings/model.js';
import { defineAction } from './define-action.js';
import { S3_ARN } from './s3-bucket-state.js';
import { objectArtefactName, streamObject } from './s3-object-copy.js';
import { resolveObject } from './s3-object-state.js';

/** Default bound on the bytes copied into the evidence: 256 MiB. */
export const DEFAULT_EVIDENCE_MAX_BYTES = 256 * 1024 * 1024;

const InputSchema = z.strictObject({
  bucket: z.string().optional(),
  key: z.string().optional(),
  versionId: z.string().optional(),
  eTag: z.string().optional(),
  maxBytes: z.number().int().min(0).max(5 * 1024 * 1024 * 1024).default(DEFAULT_EVIDENCE_MAX_BYTES),
});

export type CaptureObjectVersionOutput = { artefact: string | null; sha256: string; bytes: number; copied: boolean; versionId: string | null; eTag: string | null };

export const captureObjectVersion = defineAction({
  name: 's3.capture-object-version',
  effect: 'read',
  input: InputSchema,
  description: 'Copy the flagged object version into the case evidence with its SHA-256 (streamed; above maxBytes only the hash and metadata).',
  permissions: [
    {
      // GetObject with a VersionId is authorised as s3:GetObjectVersion.
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      resources: [S3_ARN.object],
      why: 'Copy the flagged object version into the case evidence',
    },
  ],

  capture(input, ctx): Promise<Json> {
    const ref = resolveObject(input, ctx);
    return Promise.resolve({ bucket: ref.bucket, key: ref.key, versionId: ref.versionId ?? null });
  },

  async apply(input, _pre, ctx): Promise<CaptureObjectVersionOutput> {
    const ref = resolveObject(input, ctx);
    const got = await streamObject(ctx, ref, input.maxBytes);
    const name = objectArtefactName(ref);
    const entry = got.body !== undefined ? await ctx.evidence.put(name, got.body) : undefined;
    const out: CaptureObjectVersionOutput = {
      artefact: entry?.name ?? null,
      sha256: got.sha256,
      bytes: got.size,
      copied: entry !== undefined,
      versionId: got.versionId ?? null,
      eTag: got.eTag ?? null,
    };
    await ctx.evidence.put(`${name}.json`, {
      bucket: ref.bucket,
      key: ref.key,
      ...out,
      contentType: got.contentType ?? null,
      metadata: got.metadata,
      ...(entry === undefined ? { notCopied: `${got.size} bytes is over the evidence bound of ${input.maxBytes} bytes; the version stays in the bucket` } : {}),
    });
    return out;
  },
});
