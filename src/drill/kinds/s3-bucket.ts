/** `drill s3-bucket <bucket>`: a data-exfiltration finding about a real bucket (its tags from S3). */
import { GetBucketTaggingCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { awsErrorName } from '../../aws/wrap-aws-error.js';
import type { DrillKind } from '../drill-kind.js';
import { apiCallAction } from './iam-user.js';

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export async function bucketTags(s3: S3Client, bucket: string): Promise<Array<{ key: string; value: string }>> {
  try {
    const out = await s3.send(new GetBucketTaggingCommand({ Bucket: bucket }));
    return (out.TagSet ?? []).map((t) => ({ key: t.Key ?? '', value: t.Value ?? '' }));
  } catch (err) {
    // A bucket without tags answers NoSuchTagSet.
    if (awsErrorName(err) === 'NoSuchTagSet') return [];
    throw err;
  }
}

export function s3Client(config: { region: string; endpoint?: string }): S3Client {
  return new S3Client({ ...config, followRegionRedirects: true, ...(config.endpoint ? { forcePathStyle: true } : {}) });
}

export const s3BucketDrill: DrillKind = {
  kind: 's3-bucket',
  idHelp: 'a bucket name',
  defaultType: 'Exfiltration:S3/AnomalousBehavior',
  typeResources: ['S3'],
  checkId: (id) => (BUCKET.test(id) ? undefined : `expected a bucket name, received ${JSON.stringify(id)}`),
  async read(id, ctx) {
    const s3 = s3Client(ctx.config);
    try {
      await s3.send(new HeadBucketCommand({ Bucket: id }));
      return {
        label: id,
        resource: { resourceType: 'S3Bucket', s3BucketDetails: [{ arn: `arn:aws:s3:::${id}`, name: id, type: 'Destination', tags: await bucketTags(s3, id) }] },
        action: apiCallAction(ctx.type),
        resourceRole: 'TARGET',
      };
    } finally {
      s3.destroy();
    }
  },
};
