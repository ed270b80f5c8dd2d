/**
 * `guardduty.block-remote-ip`: puts the remote address of a confirmed incident (the command-and-control server, the
 * mining pool, the caller of stolen credentials) on the responder-managed GuardDuty threat list, and re-activates the
 * ThreatIntelSet so GuardDuty re-reads it: every other resource that talks to the address then raises a finding.
 * It is a detection list, not a firewall: nothing is blocked at the network level.
 *
 * Refused (StepError): anything but one public IPv4 address (GuardDuty IP lists take IPv4; the value comes from a
 * finding, so private, shared, loopback, documentation and reserved addresses are refused), and any address on one
 * of the detector's trusted lists.
 *
 * Ownership: an address already on the list that Tourniquet did not put there is left alone and never removed. An
 * address Tourniquet put there is claimed by each incident that needs it (src/actions/threat-list-claims.ts);
 * release drops this incident's claim and takes the address off the list only when no other incident holds it.
 * If re-activating the set fails, apply undoes its change (release only runs for steps that succeeded) and fails.
 *
 * The list, the set and the detector belong to the account and Region whose clients the action gets (the
 * finding's); the playbook plans the step only there.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { wrapAwsError } from '../aws/wrap-aws-error.js';
import { describeValue } from '../errors.js';
import type { Json } from '../findings/model.js';
import { rangeContains } from '../lists/ip-list.js';
import { parsePublicIpv4 } from '../lists/threat-list-text.js';
import type { BoundActionContext, VerifyResult } from './action.js';
import { defineAction } from './define-action.js';
import { loadGuardDuty } from './guardduty-sdk.js';
import { readTrustedLists } from './guardduty-trusted-ips.js';
import { s3Uri, type S3ObjectLocation } from './s3-text-object.js';
import { claimIp, dropIfUnclaimed, readClaim, unclaimIp } from './threat-list-claims.js';
import { activateThreatIntelSet, appendThreatIntelIp, readThreatListState, removeThreatIntelIp } from './threat-list-object.js';

/** Where the deployed responder keeps its blocklist (infra/components/threat-lists.ts), for the IAM resource patterns. */
export const RESPONDER_BLOCKLIST_OBJECT_PATTERN = 'lists/responder-blocklist.txt*';
/** Where the deployed responder keeps its trusted IP list (infra/components/threat-lists.ts `listObjectKey`). */
export const TRUSTED_LIST_OBJECT_PATTERN = 'lists/trusted-ips-*';

const GUARDDUTY_ID = /^[A-Za-z0-9]{1,300}$/;

/** The responder blocklist: the list object (the ThreatIntelSet's file), its detector and its set. */
export const BlocklistLocationSchema = z.strictObject({
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name'),
  // eslint-disable-next-line no-control-regex
  key: z.string().min(1, 'an S3 key').max(1024, 'an S3 key of at most 1024 characters').regex(/^[^\u0000-\u001f]+$/, 'an S3 key without control characters'),
  detectorId: z.string().regex(GUARDDUTY_ID, 'a GuardDuty detector id'),
  threatIntelSetId: z.string().regex(GUARDDUTY_ID, 'a GuardDuty ThreatIntelSet id'),
});

const InputSchema = BlocklistLocationSchema.extend({
  // The address to list: one public IPv4 address (checked in every phase: the value comes from a finding).
  ip: z.string().min(1),
});

/** Input of `guardduty.block-remote-ip`. */
export type BlockRemoteIpInput = z.infer<typeof InputSchema>;

export type BlockRemoteIpPreImage = {
  ip: string;
  list: string;
  listExists: boolean;
  /** Whether the address was already on the list, and the entry (address or range) that covered it. */
  listed: boolean;
  coveredBy: string | null;
  entries: number;
  etag: string | null;
  versionId: string | null;
  /** Incidents holding a Tourniquet claim on the address before this one acted (null: no Tourniquet entry). */
  claimedBy: string[] | null;
  /** The trusted lists the address was checked against. */
  trustedListsChecked: Array<{ kind: string; id: string; name: string; status: string }>;
};

export type BlockRemoteIpOutput = {
  /** Whether this incident holds a claim on the address (false: it was on the list, put there by someone else). */
  claimed: boolean;
  /** Whether this incident's apply wrote the address to the list. */
  added: boolean;
  activated: boolean;
  coveredBy: string | null;
  holders: string[];
  etag: string | null;
  versionId: string | null;
  reason?: string;
};

type Target = { input: BlockRemoteIpInput; location: S3ObjectLocation & { expectedBucketOwner: string } };

function target(input: BlockRemoteIpInput, ctx: BoundActionContext): Target {
  try {
    parsePublicIpv4(input.ip, `s3://${input.bucket}/${input.key}`);
  } catch (err) {
    throw ctx.fail(err instanceof Error ? err.message : String(err), err);
  }
  // The blocklist is the responder's own: a bucket of the same name in another account is never read or written.
  return { input, location: { bucket: input.bucket, key: input.key, expectedBucketOwner: ctx.clients.accountId } };
}

const listOptions = (t: Target) => ({ expectedBucketOwner: t.location.expectedBucketOwner });

async function activate(ctx: BoundActionContext, t: Target): Promise<void> {
  await activateThreatIntelSet(ctx.aws((await loadGuardDuty()).GuardDutyClient), t.input.detectorId, t.input.threatIntelSetId);
}

/**
 * Drops this incident's claim; when nobody holds the address any more, takes it off the list, re-activates the set
 * and drops the claim entry, in that order so an interrupted release finishes when run again. A case that claimed
 * the address meanwhile gets it put back.
 */
async function releaseClaim(ctx: BoundActionContext, t: Target, options: { readonly activate: boolean }): Promise<Json> {
  const s3 = ctx.aws(S3Client);
  const { ip } = t.input;
  const list = s3Uri(t.location);
  const unclaimed = await unclaimIp(s3, t.location, ip, ctx.caseId);
  if (!unclaimed.entry) return { action: 'none', ip, list, reason: 'Tourniquet holds no claim on the address (already released, or never added by Tourniquet)' };
  if (unclaimed.remaining.length > 0) {
    return { action: 'kept', ip, list, heldBy: [...unclaimed.remaining], reason: 'other incidents still hold the address' };
  }
  const removed = await removeThreatIntelIp(s3, t.location.bucket, t.location.key, ip, listOptions(t));
  // An entry nobody held was left by an interrupted release, which may have failed to re-activate: activate again.
  const resumed = !unclaimed.wasHolder;
  if ((removed.removed || resumed) && options.activate) await activate(ctx, t);
  const dropped = await dropIfUnclaimed(s3, t.location, ip);
  if (dropped.holders.length > 0) {
    const back = await appendThreatIntelIp(s3, t.location.bucket, t.location.key, ip, listOptions(t));
    if (back.added && options.activate) await activate(ctx, t);
    return { action: 'kept', ip, list, heldBy: [...dropped.holders], reason: 'another incident claimed the address while it was being removed' };
  }
  if (removed.removed || resumed) return { action: 'removed', ip, list, activated: options.activate, ...(resumed ? { resumed: true } : {}) };
  return { action: 'none', ip, list, reason: 'the address was no longer on the list' };
}

export const blockRemoteIp = defineAction({
  name: 'guardduty.block-remote-ip',
  effect: 'contain',
  input: InputSchema,
  description:
    'Put the finding\'s remote IPv4 address on the responder-managed GuardDuty threat list (conditional S3 write) and ' +
    're-activate the ThreatIntelSet so GuardDuty flags every other resource that talks to it. Refuses private or ' +
    'reserved addresses and trusted-list entries. Release takes the address off unless another incident still holds it.',
  permissions: [
    {
      actions: ['s3:GetObject', 's3:PutObject'],
      resources: [`arn:\${Partition}:s3:::*/${RESPONDER_BLOCKLIST_OBJECT_PATTERN}`],
      why: 'Read and edit the responder blocklist and its claims (conditional writes)',
    },
    {
      actions: ['s3:GetObject'],
      resources: [`arn:\${Partition}:s3:::*/${TRUSTED_LIST_OBJECT_PATTERN}`],
      why: 'Read the trusted IP list so a trusted address is never put on the threat list',
    },
    {
      actions: ['guardduty:GetThreatIntelSet', 'guardduty:UpdateThreatIntelSet'],
      resources: ['arn:${Partition}:guardduty:${Region}:${Account}:detector/*/threatintelset/*'],
      why: 'Re-activate the ThreatIntelSet so GuardDuty re-reads the list, and read its status',
    },
    {
      // Wildcard-only in IAM: granted on a detector ARN they would match nothing.
      actions: ['guardduty:ListIPSets', 'guardduty:ListTrustedEntitySets'],
      resources: ['*'],
      why: 'Find the detector\'s trusted lists',
    },
    {
      actions: ['guardduty:GetIPSet', 'guardduty:GetTrustedEntitySet'],
      resources: ['arn:${Partition}:guardduty:${Region}:${Account}:detector/*/ipset/*', 'arn:${Partition}:guardduty:${Region}:${Account}:detector/*/trustedentityset/*'],
      why: 'Read where the trusted lists are',
    },
  ],

  async capture(input, ctx): Promise<BlockRemoteIpPreImage> {
    const t = target(input, ctx);
    const s3 = ctx.aws(S3Client);
    const { ip } = t.input;
    const trusted = await readTrustedLists(ctx.aws((await loadGuardDuty()).GuardDutyClient), s3, t.input.detectorId).catch((err: unknown) => {
      throw ctx.fail(`cannot check ${ip} against the trusted lists, so it is not listed: ${err instanceof Error ? err.message : String(err)}`, err);
    });
    const candidate = parsePublicIpv4(ip);
    for (const list of trusted) {
      if (list.ranges.some((r) => rangeContains(r, candidate))) {
        throw ctx.fail(`${ip} is on the trusted list ${describeValue(list.name)} (${list.kind} ${list.id}, ${list.location}): a trusted address is never put on the threat list`);
      }
    }
    const state = await readThreatListState(s3, t.location.bucket, t.location.key, ip, listOptions(t));
    const claim = await readClaim(s3, t.location, ip);
    return {
      ip,
      list: s3Uri(t.location),
      listExists: state.exists,
      listed: state.covering !== undefined,
      coveredBy: state.covering?.value ?? null,
      entries: state.entries,
      etag: state.etag ?? null,
      versionId: state.versionId ?? null,
      claimedBy: claim === undefined ? null : [...claim.cases],
      trustedListsChecked: trusted.map((l) => ({ kind: l.kind, id: l.id, name: l.name, status: l.status })),
    };
  },

  async apply(input, _pre, ctx): Promise<BlockRemoteIpOutput> {
    const t = target(input, ctx);
    const s3 = ctx.aws(S3Client);
    const { ip } = t.input;
    // The list is read before the claims: an incident claims an address before adding it, so in this order an
    // address being added by another incident is never mistaken for one put there by someone else.
    const state = await readThreatListState(s3, t.location.bucket, t.location.key, ip, listOptions(t));
    const before = await readClaim(s3, t.location, ip);
    if (state.covering !== undefined && before === undefined) {
      return {
        claimed: false,
        added: false,
        activated: false,
        coveredBy: state.covering.value,
        holders: [],
        etag: state.etag ?? null,
        versionId: state.versionId ?? null,
        reason: 'already on the list, put there by someone else: left alone, and release will not remove it',
      };
    }
    const claim = await claimIp(s3, t.location, ip, ctx.caseId, ctx.now().toISOString());
    try {
      const appended = await appendThreatIntelIp(s3, t.location.bucket, t.location.key, ip, listOptions(t));
      // Re-activate when the list changed, or when this incident already held the claim (a retry after a failed
      // activation); joining another incident's claim changes nothing GuardDuty reads.
      const mustActivate = appended.added || before?.cases.includes(ctx.caseId) === true;
      if (mustActivate) await activate(ctx, t);
      return {
        claimed: true,
        added: appended.added,
        activated: mustActivate,
        coveredBy: appended.coveredBy ?? null,
        holders: [...claim.cases],
        etag: appended.etag ?? null,
        versionId: appended.versionId ?? null,
      };
    } catch (err) {
      // Undo, so a failed step leaves nothing behind; the original error fails the step (retried if transient).
      // No re-activation: GuardDuty was not told to re-read the list since the change being undone.
      const undo = await releaseClaim(ctx, t, { activate: false }).then(
        () => undefined,
        (undoErr: unknown) => undoErr,
      );
      if (undo === undefined) throw err;
      throw ctx.fail(
        `${err instanceof Error ? err.message : String(err)}; undoing the change also failed (${undo instanceof Error ? undo.message : String(undo)}): ` +
          `${ip} may be left on ${s3Uri(t.location)} with a claim by ${ctx.caseId}`,
        err,
      );
    }
  },

  async release(input, _pre, output, ctx): Promise<Json> {
    const t = target(input, ctx);
    if (output !== undefined && !output.claimed) {
      return { action: 'none', ip: t.input.ip, list: s3Uri(t.location), reason: 'the address was on the list before this incident, put there by someone else: left there' };
    }
    return releaseClaim(ctx, t, { activate: true });
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const t = target(input, ctx);
    const state = await readThreatListState(ctx.aws(S3Client), t.location.bucket, t.location.key, t.input.ip, listOptions(t));
    let status: string;
    try {
      const gd = await loadGuardDuty();
      const set = await ctx.aws(gd.GuardDutyClient).send(new gd.GetThreatIntelSetCommand({ DetectorId: t.input.detectorId, ThreatIntelSetId: t.input.threatIntelSetId }));
      status = set.Status ?? 'UNKNOWN';
    } catch (err) {
      throw wrapAwsError('guardduty', 'GetThreatIntelSet', err);
    }
    const listed = state.covering !== undefined;
    return {
      holds: listed && (status === 'ACTIVE' || status === 'ACTIVATING'),
      detail: `${t.input.ip} ${listed ? `is on ${s3Uri(t.location)} (as ${state.covering!.value})` : `is not on ${s3Uri(t.location)}`}; ThreatIntelSet ${t.input.threatIntelSetId} is ${status}`,
    };
  },
});
