/**
 * `cloudtrail.lookup-principal-activity`: what a compromised principal did, from CloudTrail event history
 * (LookupEvents), by its access key (or, without one, its user or session name) over the finding's window, in each
 * Region asked for. Every event goes into the case; the step's output (journaled, shown by `tourniquet show`) lists
 * the Bedrock and SageMaker resources the principal created or started, which the stop steps then act on.
 *
 * LookupEvents is limited to 2 requests per second per account and Region: pages are paced, a throttled page is
 * retried with backoff, and the pages per Region are bounded (what was left unread is said, never hidden). Event
 * history is per Region and IAM's events are in its home Region, so the plan names every Region to read; a Region the
 * clients cannot reach is reported as not searched.
 */
import type { LookupAttributeKey, LookupEventsCommandOutput } from '@aws-sdk/client-cloudtrail';
import { z } from 'zod';
import type { AwsClientLookup } from '../aws/clients.js';
import { wrapAwsError } from '../aws/wrap-aws-error.js';
import type { Json } from '../findings/model.js';
import type { BoundActionContext } from './action.js';
import { awsErrorCode, sleep } from './action-support.js';
import { madeBy, parseCloudTrailEvent, resourcesOf, type AiResource, type ParsedEvent, type PrincipalFilter } from './ai-activity-events.js';
import { loadCloudTrail } from './cloudtrail-sdk.js';
import { clientsIn } from './region-clients.js';
import { defineAction } from './define-action.js';

const REGION = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;
const ISO = z.iso.datetime({ offset: true, error: 'an ISO 8601 date and time' });

const InputSchema = z
  .strictObject({
    accessKeyId: z.string().regex(/^(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{12,124}$/, { error: 'an access key id (AKIA…/ASIA…)' }).optional(),
    // CloudTrail's user name: an IAM user's name, or a role session's name.
    userName: z.string().regex(/^[\w+=,.@:-]{1,128}$/, { error: 'an IAM user or role session name' }).optional(),
    // Checked against each event's userIdentity.principalId (`AIDA…`, `AROA…:session`), so a session name shared by
    // other roles does not bring in their calls.
    principalId: z.string().regex(/^[A-Z0-9]{8,128}(?::[\w+=,.@-]{1,128})?$/, { error: 'a principal id (AIDA… or AROA…:session)' }).optional(),
    regions: z.array(z.string().regex(REGION, { error: 'an AWS Region such as eu-west-1' })).min(1).max(20),
    startTime: ISO,
    // Absent: now, when the step runs.
    endTime: ISO.optional(),
    maxPagesPerRegion: z.number().int().min(1).max(200).default(20),
  })
  .refine((i) => i.accessKeyId !== undefined || i.userName !== undefined, { error: 'accessKeyId or userName is required' });

export type LookupPrincipalActivityInput = z.input<typeof InputSchema>;

/** Pacing and throttling retries (tests replace `sleep` and `now`). */
export const lookupPacing = {
  /** 2 requests per second per account and Region. */
  minIntervalMs: 500,
  throttleRetries: 5,
  backoffMs: 1000,
  sleep: (ms: number): Promise<void> => sleep(ms),
  now: (): number => Date.now(),
};

const THROTTLING: ReadonlySet<string> = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded', 'RequestThrottled']);

/** At most this many resources are journaled in the output (all of them are in the evidence). */
export const MAX_OUTPUT_RESOURCES = 200;
/** CloudTrail Event History keeps 90 days. */
const HISTORY_DAYS = 90;

interface RegionResult {
  region: string;
  pages: number;
  events: number;
  /** Pages were left unread (the bound was reached). */
  truncated: boolean;
  /** Events returned by the lookup but made by another identity (e.g. another role's session of the same name). */
  otherIdentity: number;
  /** Events whose CloudTrailEvent could not be read as one. */
  unreadable: number;
}

export interface LookupPrincipalActivityOutput {
  [key: string]: Json;
}

function lookupAttribute(input: z.output<typeof InputSchema>): { AttributeKey: LookupAttributeKey; AttributeValue: string } {
  return input.accessKeyId !== undefined ? { AttributeKey: 'AccessKeyId', AttributeValue: input.accessKeyId } : { AttributeKey: 'Username', AttributeValue: input.userName! };
}

async function lookupPage(
  ctx: BoundActionContext,
  lookup: AwsClientLookup,
  region: string,
  params: { attribute: ReturnType<typeof lookupAttribute>; start: Date; end: Date; token: string | undefined },
  last: { at: number },
): Promise<LookupEventsCommandOutput> {
  const sdk = await loadCloudTrail();
  for (let attempt = 0; ; attempt++) {
    const wait = last.at + lookupPacing.minIntervalMs - lookupPacing.now();
    if (wait > 0) await lookupPacing.sleep(wait);
    last.at = lookupPacing.now();
    try {
      return await lookup(sdk.CloudTrailClient).send(
        new sdk.LookupEventsCommand({
          LookupAttributes: [params.attribute],
          StartTime: params.start,
          EndTime: params.end,
          MaxResults: 50,
          ...(params.token !== undefined ? { NextToken: params.token } : {}),
        }),
      );
    } catch (err) {
      // Only throttling is waited out here (page by page); other transient faults are the SDK's and the engine's to retry.
      const throttled = THROTTLING.has(awsErrorCode(err) ?? '');
      if (!throttled || attempt >= lookupPacing.throttleRetries) {
        throw ctx.fail(`cloudtrail.LookupEvents in ${region} failed: ${wrapAwsError('cloudtrail', 'LookupEvents', err).message}`, err);
      }
      await lookupPacing.sleep(lookupPacing.backoffMs * 2 ** attempt);
    }
  }
}

export const lookupPrincipalActivity = defineAction({
  name: 'cloudtrail.lookup-principal-activity',
  effect: 'read',
  input: InputSchema,
  description:
    'Read the principal’s CloudTrail event history (by access key, else user or session name) over the finding’s window in each named Region into the case; list the Bedrock and SageMaker resources it created or started.',
  permissions: [{ actions: ['cloudtrail:LookupEvents'], resources: ['*'], why: 'Event history of the compromised principal (LookupEvents has no resource-level permissions)' }],

  capture(): Promise<Json> {
    return Promise.resolve({});
  },

  async apply(input, _pre, ctx): Promise<LookupPrincipalActivityOutput> {
    const now = ctx.now();
    const floor = new Date(now.getTime() - HISTORY_DAYS * 86_400_000);
    const start = new Date(Math.max(Date.parse(input.startTime), floor.getTime()));
    const end = new Date(Math.min(input.endTime !== undefined ? Date.parse(input.endTime) : now.getTime(), now.getTime()));
    if (!(start.getTime() < end.getTime())) throw ctx.fail(`the window is empty: ${start.toISOString()} → ${end.toISOString()} (event history keeps ${HISTORY_DAYS} days)`);
    const attribute = lookupAttribute(input);
    const who: PrincipalFilter = { accessKeyId: input.accessKeyId, userName: input.userName, principalId: input.principalId };
    const regions = [...new Set(input.regions)];
    const perRegion: RegionResult[] = [];
    const notSearched: Array<{ region: string; reason: string }> = [];
    const events: Array<{ region: string; event: ParsedEvent; raw: string }> = [];
    const seen = new Set<string>();
    for (const region of regions) {
      const lookup = clientsIn(ctx, region);
      if (lookup === undefined) {
        notSearched.push({ region, reason: 'no clients for this Region (the responder gives clients for the finding’s Region only)' });
        continue;
      }
      const result: RegionResult = { region, pages: 0, events: 0, truncated: false, otherIdentity: 0, unreadable: 0 };
      const last = { at: 0 };
      let token: string | undefined;
      do {
        const page = await lookupPage(ctx, lookup, region, { attribute, start, end, token }, last);
        result.pages++;
        for (const e of page.Events ?? []) {
          const parsed = parseCloudTrailEvent(e.CloudTrailEvent);
          if (parsed === undefined) {
            result.unreadable++;
            continue;
          }
          // Only the Region and account searched: an event claiming another is not what LookupEvents returns.
          if (parsed.awsRegion !== region || (parsed.recipientAccountId !== undefined && parsed.recipientAccountId !== ctx.clients.accountId) || !madeBy(parsed, who)) {
            result.otherIdentity++;
            continue;
          }
          if (seen.has(parsed.eventId)) continue;
          seen.add(parsed.eventId);
          result.events++;
          events.push({ region, event: parsed, raw: e.CloudTrailEvent! });
        }
        token = page.NextToken !== undefined && page.NextToken !== '' ? page.NextToken : undefined;
      } while (token !== undefined && result.pages < input.maxPagesPerRegion);
      result.truncated = token !== undefined;
      perRegion.push(result);
    }
    events.sort((a, b) => a.event.eventTime.localeCompare(b.event.eventTime));
    const resources: AiResource[] = [];
    const keys = new Set<string>();
    for (const { event } of events) {
      for (const r of resourcesOf(event)) {
        const key = `${r.family}|${r.region}|${r.id}`;
        if (keys.has(key)) continue;
        keys.add(key);
        resources.push(r);
      }
    }
    const calls = new Map<string, number>();
    let bearer = 0;
    for (const { event } of events) {
      const name = `${event.eventSource.replace(/\.amazonaws\.com$/, '')}:${event.eventName}${event.errorCode !== undefined ? ` (${event.errorCode})` : ''}`;
      calls.set(name, (calls.get(name) ?? 0) + 1);
      if (event.bearerToken === true) bearer++;
    }
    const evidencePath = `steps/${ctx.stepId ?? 'lookup-principal-activity'}/cloudtrail-events.json`;
    await ctx.evidence.put(evidencePath, {
      lookup: { attribute: attribute.AttributeKey, value: attribute.AttributeValue, principalId: input.principalId ?? null, start: start.toISOString(), end: end.toISOString() },
      regions: perRegion,
      notSearched,
      resources,
      // The events as CloudTrail returned them (attacker-influenced request parameters included, unmodified).
      events: events.map((e) => ({ region: e.region, eventId: e.event.eventId, eventTime: e.event.eventTime, eventName: e.event.eventName, cloudTrailEvent: e.raw })),
    } as unknown as Json);
    const topCalls = [...calls].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 50);
    return {
      lookup: `${attribute.AttributeKey}=${attribute.AttributeValue}`,
      window: { start: start.toISOString(), end: end.toISOString() },
      regions: perRegion as unknown as Json,
      notSearched,
      events: events.length,
      bearerTokenCalls: bearer,
      calls: Object.fromEntries(topCalls),
      resources: resources.slice(0, MAX_OUTPUT_RESOURCES) as unknown as Json,
      ...(resources.length > MAX_OUTPUT_RESOURCES ? { resourcesLeftOut: resources.length - MAX_OUTPUT_RESOURCES } : {}),
      evidence: evidencePath,
    };
  },
});
