/**
 * The S3 object playbook (`Object:S3/MaliciousFile`, and Malware Protection for S3 scan results with
 * `THREATS_FOUND`, e.g. a pickled model that runs code when loaded): the flagged version copied into the case with
 * its SHA-256, tagged `tourniquet:quarantine`, then taken out of serving without destroying it: a delete marker in a
 * versioned bucket; in an unversioned one, a copy to the quarantine location and then the deletion, a destructive
 * step that waits for approval and runs only after the evidence copy succeeded. Only `Object:*` findings get steps:
 * objects named by other findings, and clean scan results, are never touched. Pure: no I/O.
 */
import { z } from 'zod';
import { captureObjectVersion } from '../actions/s3-capture-object-version.js';
import { hideObject } from '../actions/s3-hide-object.js';
import { QuarantineLocationSchema, quarantineObject } from '../actions/s3-quarantine-object.js';
import { tagObjectQuarantine } from '../actions/s3-tag-object-quarantine.js';
import type { PlanStep } from '../contracts/plan.js';
import { definePlaybook, type PlanArgs } from './define-playbook.js';

export const S3_OBJECT_PLAYBOOK = 's3-object';

const S3ObjectOptionsSchema = z.strictObject({
  // Bytes of the flagged version copied into the evidence (above: hash and metadata only). Default 256 MiB.
  evidenceMaxBytes: z.number({ error: 'a number of bytes' }).int({ error: 'a whole number of bytes' }).min(0, { error: 'a number of bytes' }).optional(),
  // Unversioned buckets: where the object is copied before it is deleted (default: the case's evidence store).
  quarantine: QuarantineLocationSchema.optional(),
});

export const S3_OBJECT_STEPS = {
  'capture-object': captureObjectVersion,
  'tag-object': tagObjectQuarantine,
  // Versioned bucket (the finding names a version).
  'hide-object': hideObject,
  // Unversioned bucket: destructive, waits for approval.
  'quarantine-object': quarantineObject,
} as const;

function planSteps({ finding, subject, options, step }: PlanArgs<'s3-object', typeof S3_OBJECT_STEPS, typeof S3ObjectOptionsSchema>): PlanStep[] {
  if (finding.type.threatPurpose !== 'Object') return [];
  const d = subject.details;
  const versionId = d.versionId ?? undefined;
  const versioned = versionId !== undefined && versionId !== 'null';
  const ref = { bucket: d.bucket, key: d.key, ...(versioned ? { versionId } : {}) };
  const maxBytes = options.evidenceMaxBytes !== undefined ? { maxBytes: options.evidenceMaxBytes } : {};
  const eTag = d.eTag != null ? { eTag: d.eTag } : {};
  const steps: PlanStep[] = [
    step('capture-object', { input: { ...ref, ...eTag, ...maxBytes }, dependsOn: [], description: 'Copy the flagged version into the case evidence with its SHA-256' }),
    step('tag-object', { input: ref, dependsOn: [], after: ['capture-object'], description: 'Tag the flagged version tourniquet:quarantine=<case> (other tags kept)' }),
  ];
  if (versioned) {
    steps.push(
      step('hide-object', { input: ref, dependsOn: [], after: ['capture-object', 'tag-object'], description: 'Delete marker on the key: readers get 404, every version is kept' }),
    );
  } else {
    steps.push(
      step('quarantine-object', {
        input: { bucket: d.bucket, key: d.key, ...eTag, ...maxBytes, ...(options.quarantine !== undefined ? { quarantine: options.quarantine } : {}) },
        dependsOn: [],
        after: ['tag-object'],
        // Never delete what was not preserved first.
        requiresSuccessOf: ['capture-object'],
        description: `Unversioned bucket: copy the object to ${options.quarantine !== undefined ? `s3://${options.quarantine.bucket}` : 'the case evidence'}, then delete it from its key`,
      }),
    );
  }
  return steps;
}

export const s3ObjectPlaybook = definePlaybook({
  name: S3_OBJECT_PLAYBOOK,
  subjectKinds: ['s3-object'],
  steps: S3_OBJECT_STEPS,
  options: S3ObjectOptionsSchema,
  plan: planSteps,
});
