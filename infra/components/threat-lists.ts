/**
 * GuardDuty threat and trusted IP lists, uploaded (validated) to the findings bucket under `lists/` and activated:
 *
 * - threat-intel list (repository file infra/lists/threat-intel.txt) → ThreatIntelSet `tourniquet-threat-intel`;
 * - responder blocklist (`lists/responder-blocklist.txt`, edited at run time by the `guardduty.block-remote-ip`
 *   action, with the incidents holding each address in `lists/responder-blocklist.txt.cases.json`) →
 *   ThreatIntelSet `tourniquet-responder-blocklist`; deploys create both objects once and never overwrite them;
 * - trusted IPs (infra/lists/trusted-ips.txt) → IPSet `tourniquet-trusted-ips`.
 *
 * Repository lists are uploaded under a key that contains a hash of their content, so a changed file changes the
 * set's location and GuardDuty re-reads it (it does not notice a changed object by itself). An empty repository
 * list creates no set (GuardDuty cannot activate an empty list).
 */
import { createHash } from 'node:crypto';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { EMPTY_CLAIMS_TEXT, claimsKeyFor } from '../../src/actions/threat-list-claims.js';
import type { ValidatedList } from '../lists/validate-list.js';
import { withTags } from './common.js';
import type { Tags } from './common.js';
import { LISTS_PREFIX } from './findings-export.js';

export const RESPONDER_BLOCKLIST_KEY = `${LISTS_PREFIX}responder-blocklist.txt`;
/**
 * Initial content of the responder blocklist: one RFC 5737 documentation address (never seen in real traffic), so
 * the set can be activated before the responder adds anything.
 */
export const RESPONDER_BLOCKLIST_SEED = '192.0.2.1\n';
/** Which incidents hold which blocklist address (src/actions/threat-list-claims.ts); created empty, then the responder's. */
export const RESPONDER_BLOCKLIST_CLAIMS_KEY = claimsKeyFor(RESPONDER_BLOCKLIST_KEY);

export interface ThreatListsArgs {
  readonly detectorId: pulumi.Input<string>;
  readonly bucketName: pulumi.Input<string>;
  readonly kmsKeyArn: pulumi.Input<string>;
  /** Validated repository threat list, or undefined to skip it. */
  readonly threatIntel?: ValidatedList;
  /** Validated trusted list, or undefined to skip it. */
  readonly trustedIps?: ValidatedList;
  /** Create the responder-managed blocklist (default true). */
  readonly responderBlocklist: boolean;
  /** Resources the list uploads must wait for (bucket policy, encryption configuration). */
  readonly dependsOn: pulumi.Input<pulumi.Resource>[];
  readonly tags: Tags;
}

export function listObjectKey(stem: string, content: string): string {
  const hash = createHash('sha256').update(content).digest('hex').slice(0, 16);
  return `${LISTS_PREFIX}${stem}-${hash}.txt`;
}

export class ThreatLists extends pulumi.ComponentResource {
  readonly threatIntelObject?: aws.s3.BucketObjectv2;
  readonly threatIntelSet?: aws.guardduty.ThreatIntelSet;
  readonly blocklistObject?: aws.s3.BucketObjectv2;
  readonly blocklistSet?: aws.guardduty.ThreatIntelSet;
  readonly blocklistClaimsObject?: aws.s3.BucketObjectv2;
  readonly trustedObject?: aws.s3.BucketObjectv2;
  readonly trustedSet?: aws.guardduty.IPSet;

  constructor(name: string, args: ThreatListsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('tourniquet:infra:ThreatLists', name, {}, opts);
    const upload = (logical: string, key: string, content: string, extra: pulumi.CustomResourceOptions = {}, contentType = 'text/plain; charset=utf-8'): aws.s3.BucketObjectv2 =>
      new aws.s3.BucketObjectv2(
        logical,
        {
          bucket: args.bucketName,
          key,
          content,
          contentType,
          // GuardDuty's service-linked role decrypts with this key (allowed in the key policy).
          serverSideEncryption: 'aws:kms',
          kmsKeyId: args.kmsKeyArn,
          bucketKeyEnabled: true,
          tags: withTags(args.tags),
        },
        { parent: this, dependsOn: args.dependsOn, ...extra },
      );
    const location = (object: aws.s3.BucketObjectv2): pulumi.Output<string> =>
      pulumi.interpolate`s3://${object.bucket}/${object.key}`;

    if (args.threatIntel !== undefined && args.threatIntel.entries.length > 0) {
      this.threatIntelObject = upload(`${name}-threat-intel`, listObjectKey('threat-intel', args.threatIntel.content), args.threatIntel.content);
      this.threatIntelSet = new aws.guardduty.ThreatIntelSet(
        `${name}-threat-intel-set`,
        {
          detectorId: args.detectorId,
          name: 'tourniquet-threat-intel',
          format: 'TXT',
          location: location(this.threatIntelObject),
          activate: true,
          tags: withTags(args.tags),
        },
        { parent: this },
      );
    }

    if (args.responderBlocklist) {
      this.blocklistObject = upload(`${name}-responder-blocklist`, RESPONDER_BLOCKLIST_KEY, RESPONDER_BLOCKLIST_SEED, {
        // The responder owns the content after creation; a deploy must not drop the addresses it added.
        ignoreChanges: ['content', 'contentBase64', 'source', 'etag', 'sourceHash'],
      });
      // Created here because the responder cannot tell a missing object from a forbidden one (no s3:ListBucket).
      this.blocklistClaimsObject = upload(
        `${name}-blocklist-claims`,
        RESPONDER_BLOCKLIST_CLAIMS_KEY,
        EMPTY_CLAIMS_TEXT,
        { ignoreChanges: ['content', 'contentBase64', 'source', 'etag', 'sourceHash'] },
        'application/json',
      );
      this.blocklistSet = new aws.guardduty.ThreatIntelSet(
        `${name}-responder-blocklist-set`,
        {
          detectorId: args.detectorId,
          name: 'tourniquet-responder-blocklist',
          format: 'TXT',
          location: location(this.blocklistObject),
          activate: true,
          tags: withTags(args.tags),
        },
        { parent: this },
      );
    }

    if (args.trustedIps !== undefined && args.trustedIps.entries.length > 0) {
      this.trustedObject = upload(`${name}-trusted-ips`, listObjectKey('trusted-ips', args.trustedIps.content), args.trustedIps.content);
      this.trustedSet = new aws.guardduty.IPSet(
        `${name}-trusted-ip-set`,
        {
          detectorId: args.detectorId,
          name: 'tourniquet-trusted-ips',
          format: 'TXT',
          location: location(this.trustedObject),
          activate: true,
          tags: withTags(args.tags),
        },
        { parent: this },
      );
    }
    this.registerOutputs({});
  }
}
