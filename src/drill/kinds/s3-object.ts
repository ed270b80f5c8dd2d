/**
 * `drill s3-object <bucket>/<key>`: a malicious-file finding (`Object:S3/MaliciousFile`) about a real object's current
 * version, as Malware Protection for S3 raises for a pickled model.
 */
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import type { DrillKind } from '../drill-kind.js';
import { bucketTags, s3Client } from './s3-bucket.js';

export const s3ObjectDrill: DrillKind = {
  kind: 's3-object',
  idHelp: '<bucket>/<key>',
  defaultType: 'Object:S3/MaliciousFile',
  typeResources: ['S3'],
  checkId: (id) => (/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/.+$/.test(id) ? undefined : `expected <bucket>/<key>, received ${JSON.stringify(id)}`),
  async read(id, ctx) {
    const slash = id.indexOf('/');
    const bucket = id.slice(0, slash);
    const key = id.slice(slash + 1);
    const s3 = s3Client(ctx.config);
    try {
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return {
        label: id,
        resource: {
          resourceType: 'S3Object',
          s3BucketDetails: [
            {
              arn: `arn:aws:s3:::${bucket}`,
              name: bucket,
              type: 'Destination',
              tags: await bucketTags(s3, bucket),
              s3ObjectDetails: [{ objectArn: `arn:aws:s3:::${bucket}/${key}`, key, eTag: head.ETag?.replace(/"/g, '') ?? null, versionId: head.VersionId ?? null }],
            },
          ],
        },
        resourceRole: 'TARGET',
        featureName: 'MalwareProtection',
      };
    } finally {
      s3.destroy();
    }
  },
};
