/**
 * `guardduty.block-remote-ip` against aws-sdk-client-mock: S3 is a small in-memory store that honours the
 * conditional writes (If-Match / If-None-Match, ETags, versions), so what the action leaves behind is read back;
 * GuardDuty's trusted lists and ThreatIntelSet calls are mocked (moto does not implement them).
 */
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  GetIPSetCommand,
  GetThreatIntelSetCommand,
  GetTrustedEntitySetCommand,
  GuardDutyClient,
  GuardDutyServiceException,
  ListIPSetsCommand,
  ListTrustedEntitySetsCommand,
  UpdateThreatIntelSetCommand,
} from '@aws-sdk/client-guardduty';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { blockRemoteIp, type BlockRemoteIpInput, type BlockRemoteIpOutput } from '../../../src/actions/guardduty-block-remote-ip.js';
import { parseS3Url } from '../../../src/actions/guardduty-trusted-ips.js';
import { AwsCallError, ConflictError, StepError } from '../../../src/errors.js';
import { ACCOUNT, CASE_ID, makeCtx } from './action-fixtures.js';
import { s3Error } from '../../support/errors.js';

const s3Mock = mockClient(S3Client);
const gdMock = mockClient(GuardDutyClient);

const BUCKET = 'findings-bucket';
const KEY = 'lists/responder-blocklist.txt';
const CLAIMS = `${KEY}.cases.json`;
const TRUSTED_KEY = 'lists/trusted-ips-0123456789abcdef.txt';
const IP = '203.0.114.7';
const input: BlockRemoteIpInput = { ip: IP, bucket: BUCKET, key: KEY, detectorId: 'det1', threatIntelSetId: 'set1' };

/** An in-memory bucket with S3's conditional-write semantics. `beforePut` can simulate another writer. */
class FakeBucket {
  readonly objects = new Map<string, { body: string; etag: string; version: number }>();
  private counter = 0;
  beforePut: ((key: string) => void) | undefined;
  /** Keys whose puts always lose the race (409 ConditionalRequestConflict). */
  readonly alwaysConflict = new Set<string>();

  write(key: string, body: string): void {
    this.counter += 1;
    this.objects.set(key, { body, etag: `"e${this.counter}"`, version: this.counter });
  }
  text(key: string): string | undefined {
    return this.objects.get(key)?.body;
  }
  claims(): Array<{ ip: string; cases: string[] }> {
    const text = this.text(CLAIMS);
    return text === undefined ? [] : (JSON.parse(text) as { entries: Array<{ ip: string; cases: string[] }> }).entries;
  }
}

let bucket: FakeBucket;

function wireS3(): void {
  s3Mock.on(GetObjectCommand).callsFake((req: { Bucket: string; Key: string; ExpectedBucketOwner?: string }) => {
    if (req.ExpectedBucketOwner !== undefined && req.ExpectedBucketOwner !== ACCOUNT) throw s3Error('AccessDenied', 403);
    const object = req.Bucket === BUCKET ? bucket.objects.get(req.Key) : undefined;
    if (object === undefined) throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });
    return { Body: { transformToString: () => Promise.resolve(object.body) }, ETag: object.etag, VersionId: `v${object.version}` };
  });
  s3Mock.on(PutObjectCommand).callsFake((req: { Bucket: string; Key: string; Body: string; IfMatch?: string; IfNoneMatch?: string }) => {
    bucket.beforePut?.(req.Key);
    if (bucket.alwaysConflict.has(req.Key)) throw s3Error('ConditionalRequestConflict', 409);
    const current = bucket.objects.get(req.Key);
    if (req.IfNoneMatch === '*' && current !== undefined) throw s3Error('PreconditionFailed', 412);
    if (req.IfMatch !== undefined && current?.etag !== req.IfMatch) throw s3Error('PreconditionFailed', 412);
    bucket.write(req.Key, req.Body);
    const written = bucket.objects.get(req.Key)!;
    return { ETag: written.etag, VersionId: `v${written.version}` };
  });
}

function wireGuardDuty(trusted: string | undefined = undefined): void {
  gdMock.on(ListIPSetsCommand).resolves({ IpSetIds: trusted === undefined ? [] : ['ipset1'] });
  gdMock.on(GetIPSetCommand).resolves({ Name: 'tourniquet-trusted-ips', Format: 'TXT', Location: `s3://${BUCKET}/${TRUSTED_KEY}`, Status: 'ACTIVE' });
  gdMock.on(ListTrustedEntitySetsCommand).resolves({ TrustedEntitySetIds: [] });
  gdMock.on(UpdateThreatIntelSetCommand).resolves({});
  gdMock.on(GetThreatIntelSetCommand).resolves({ Name: 'tourniquet-responder-blocklist', Format: 'TXT', Location: `s3://${BUCKET}/${KEY}`, Status: 'ACTIVE' });
  if (trusted !== undefined) bucket.write(TRUSTED_KEY, trusted);
}

/** capture + apply, as the engine runs a step. */
async function run(caseId = CASE_ID): Promise<{ pre: Awaited<ReturnType<typeof blockRemoteIp.capture>>; out: BlockRemoteIpOutput; ctx: ReturnType<typeof makeCtx> }> {
  const ctx = { ...makeCtx(), incidentId: caseId, caseId };
  const pre = await blockRemoteIp.capture(input, ctx);
  const out = await blockRemoteIp.apply(input, pre, ctx);
  return { pre, out, ctx };
}

const activations = () => gdMock.commandCalls(UpdateThreatIntelSetCommand).length;
const listPuts = () => s3Mock.commandCalls(PutObjectCommand).filter((c) => c.args[0].input.Key === KEY);

beforeEach(() => {
  s3Mock.reset();
  gdMock.reset();
  bucket = new FakeBucket();
  bucket.write(KEY, '192.0.2.1\n');
  bucket.write(CLAIMS, '{ "version": 1, "entries": [] }\n');
  wireS3();
  wireGuardDuty();
});

describe('guardduty.block-remote-ip: capture', () => {
  it('records whether the address is on the list, the ETag and version, the claims, and the trusted lists checked', async () => {
    wireGuardDuty('# office\n198.51.99.0/24\n');
    const ctx = makeCtx();
    const pre = await blockRemoteIp.capture(input, ctx);
    expect(pre).toEqual({
      ip: IP,
      list: `s3://${BUCKET}/${KEY}`,
      listExists: true,
      listed: false,
      coveredBy: null,
      entries: 1,
      etag: bucket.objects.get(KEY)!.etag,
      versionId: `v${bucket.objects.get(KEY)!.version}`,
      claimedBy: null,
      trustedListsChecked: [{ kind: 'ip-set', id: 'ipset1', name: 'tourniquet-trusted-ips', status: 'ACTIVE' }],
    });
    // The trusted lists read are the input detector's.
    expect(gdMock).toHaveReceivedCommandWith(ListIPSetsCommand, { DetectorId: 'det1' });
    expect(gdMock).toHaveReceivedCommandWith(GetIPSetCommand, { DetectorId: 'det1', IpSetId: 'ipset1' });
    expect(gdMock).toHaveReceivedCommandWith(ListTrustedEntitySetsCommand, { DetectorId: 'det1' });
    // Reads only; the blocklist and its claims pinned to the responder's account (a trusted list is wherever its
    // IPSet says, pinned only when the IPSet names an ExpectedBucketOwner).
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(activations()).toBe(0);
    const reads = s3Mock.commandCalls(GetObjectCommand).map((c) => c.args[0].input);
    expect(reads.map((r) => [r.Key, r.ExpectedBucketOwner])).toEqual([
      [TRUSTED_KEY, undefined],
      [KEY, ACCOUNT],
      [CLAIMS, ACCOUNT],
    ]);
  });

  it('sees an address already listed (by a range too)', async () => {
    bucket.write(KEY, '203.0.114.0/24\n');
    const pre = await blockRemoteIp.capture(input, makeCtx());
    expect(pre).toMatchObject({ listed: true, coveredBy: '203.0.114.0/24', claimedBy: null });
  });
});

describe('guardduty.block-remote-ip: refusals (StepError, nothing written)', () => {
  it.each([
    ['10.0.0.5', /not a publicly routable address/],
    ['192.168.1.1', /not a publicly routable address/],
    ['100.64.0.1', /not a publicly routable address/],
    ['127.0.0.1', /not a publicly routable address/],
    ['198.51.100.7', /not a publicly routable address/],
    ['2001:4860::8888', /one IPv4 address is expected/],
    ['8.8.8.0/24', /one IPv4 address is expected/],
    ['8.8.8.8/32', /one IPv4 address is expected/],
    ['__proto__', /one IPv4 address is expected/],
  ])('refuses %s', async (ip, message) => {
    const ctx = makeCtx();
    const error = await blockRemoteIp.capture({ ...input, ip }, ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepError);
    expect((error as StepError).message).toMatch(message);
    expect((error as StepError).message).toContain('step step-under-test: guardduty.block-remote-ip');
    await expect(blockRemoteIp.apply({ ...input, ip }, {} as never, ctx)).rejects.toBeInstanceOf(StepError);
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(activations()).toBe(0);
  });

  it('refuses an address on a trusted list (a range in it too), naming the list', async () => {
    wireGuardDuty('# partners\n203.0.114.0/24 # VPN egress\n');
    const error = await blockRemoteIp.capture(input, makeCtx()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepError);
    expect((error as StepError).message).toMatch(/203\.0\.114\.7 is on the trusted list string "tourniquet-trusted-ips" \(ip-set ipset1, s3:\/\/findings-bucket\/lists\/trusted-ips-/);
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('reads every page of the detector\'s IP sets: a trusted list on the second page still refuses', async () => {
    wireGuardDuty('203.0.114.7\n');
    gdMock.on(ListIPSetsCommand).resolvesOnce({ IpSetIds: [], NextToken: 'p2' }).resolves({ IpSetIds: ['ipset1'] });
    await expect(blockRemoteIp.capture(input, makeCtx())).rejects.toThrow(/is on the trusted list/);
    expect(gdMock).toHaveReceivedNthCommandWith(ListIPSetsCommand, 2, { DetectorId: 'det1', NextToken: 'p2' });
  });

  it('checks trusted entity sets too, whatever their format', async () => {
    gdMock.on(ListTrustedEntitySetsCommand).resolves({ TrustedEntitySetIds: ['tes1'] });
    gdMock.on(GetTrustedEntitySetCommand).resolves({ Name: 'partners', Format: 'OTX_CSV', Location: `https://${BUCKET}.s3.eu-west-1.amazonaws.com/lists/partners.csv`, Status: 'ACTIVE' });
    bucket.write('lists/partners.csv', 'indicator,type\nexample.com,domain\n203.0.114.7,IPv4\n');
    await expect(blockRemoteIp.capture(input, makeCtx())).rejects.toThrow(/trusted list string "partners" \(trusted-entity-set tes1/);
    expect(gdMock).toHaveReceivedCommandWith(GetTrustedEntitySetCommand, { DetectorId: 'det1', TrustedEntitySetId: 'tes1' });
  });

  it('ignores deleted trusted lists but fails when a trusted list cannot be read (never assumes "not trusted")', async () => {
    wireGuardDuty('203.0.114.7\n');
    gdMock.on(GetIPSetCommand).resolves({ Name: 'old', Format: 'TXT', Location: `s3://${BUCKET}/${TRUSTED_KEY}`, Status: 'DELETED' });
    await expect(blockRemoteIp.capture(input, makeCtx())).resolves.toMatchObject({ trustedListsChecked: [] });

    gdMock.on(GetIPSetCommand).resolves({ Name: 'gone', Format: 'TXT', Location: `s3://${BUCKET}/lists/missing.txt`, Status: 'ACTIVE' });
    await expect(blockRemoteIp.capture(input, makeCtx())).rejects.toThrow(/cannot check 203\.0\.114\.7 against the trusted lists.*does not exist/);

    gdMock.on(ListIPSetsCommand).rejects(new GuardDutyServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'no' }));
    const error = await blockRemoteIp.capture(input, makeCtx()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepError);
    expect((error as StepError).cause).toBeInstanceOf(AwsCallError);
    expect((error as StepError).message).toContain('guardduty.ListIPSets failed (AccessDeniedException)');
  });

  it('validates the rest of the input', async () => {
    expect(() => blockRemoteIp.parseInput({ ...input, bucket: 'Bad_Bucket' }, makeCtx())).toThrow(/bucket: an S3 bucket name/);
    expect(() => blockRemoteIp.parseInput({ ...input, detectorId: '../x' }, makeCtx())).toThrow(/detectorId: a GuardDuty detector id/);
    expect(() => blockRemoteIp.parseInput({ ...input, extra: 1 }, makeCtx())).toThrow(StepError);
  });
});

describe('guardduty.block-remote-ip: apply', () => {
  it('claims the address, appends it with a conditional write, then re-activates the set', async () => {
    const before = bucket.objects.get(KEY)!.etag;
    const { out } = await run();
    expect(out).toMatchObject({ claimed: true, added: true, activated: true, coveredBy: null, holders: [CASE_ID] });
    expect(bucket.text(KEY)).toBe('192.0.2.1\n203.0.114.7\n');
    expect(bucket.claims()).toEqual([expect.objectContaining({ ip: IP, cases: [CASE_ID], addedBy: CASE_ID })]);
    expect(listPuts()[0]!.args[0].input).toMatchObject({ Bucket: BUCKET, Key: KEY, IfMatch: before, ExpectedBucketOwner: ACCOUNT });
    expect(gdMock.commandCalls(UpdateThreatIntelSetCommand).map((c) => c.args[0].input)).toEqual([{ DetectorId: 'det1', ThreatIntelSetId: 'set1', Activate: true }]);
    // The claim is written before the address (see the ordering argument in the action).
    const keys = s3Mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key);
    expect(keys).toEqual([CLAIMS, KEY]);
  });

  it('is idempotent: a second run writes nothing', async () => {
    const { pre, ctx } = await run();
    const puts = s3Mock.commandCalls(PutObjectCommand).length;
    const again = await blockRemoteIp.apply(input, pre, ctx);
    expect(again).toMatchObject({ claimed: true, added: false, coveredBy: IP });
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(puts);
    expect(bucket.text(KEY)).toBe('192.0.2.1\n203.0.114.7\n');
  });

  it('leaves an address someone else listed alone: no write, no activation, and release does not remove it', async () => {
    bucket.write(KEY, '192.0.2.1\n203.0.114.7\n');
    const { pre, out, ctx } = await run();
    expect(out).toMatchObject({ claimed: false, added: false, activated: false, coveredBy: IP });
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(activations()).toBe(0);
    const released = await blockRemoteIp.release!(input, pre, out, ctx);
    expect(released).toMatchObject({ action: 'none' });
    expect(bucket.text(KEY)).toBe('192.0.2.1\n203.0.114.7\n');
  });

  it('retries a lost race (412) and keeps the other writer\'s entry', async () => {
    let raced = false;
    bucket.beforePut = (key) => {
      if (key === KEY && !raced) {
        raced = true;
        bucket.write(KEY, '192.0.2.1\n8.8.8.8\n');
      }
    };
    const { out } = await run();
    expect(out).toMatchObject({ added: true });
    expect(bucket.text(KEY)).toBe('192.0.2.1\n8.8.8.8\n203.0.114.7\n');
    expect(listPuts()).toHaveLength(2);
  });

  it('reports a conflict that does not resolve (ConflictError), leaving no claim behind', async () => {
    bucket.alwaysConflict.add(KEY);
    const ctx = makeCtx();
    const pre = await blockRemoteIp.capture(input, ctx);
    const error = await blockRemoteIp.apply(input, pre, ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).message).toMatch(/another writer changed it on each of 5 attempts/);
    expect(listPuts()).toHaveLength(5);
    expect(bucket.text(KEY)).toBe('192.0.2.1\n');
    expect(bucket.claims()).toEqual([]);
    expect(activations()).toBe(0);
  });

  it('fails the step when GuardDuty cannot re-activate the set (never swallowed), and undoes the list change', async () => {
    gdMock.on(UpdateThreatIntelSetCommand).rejects(new GuardDutyServiceException({ name: 'BadRequestException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'The request is rejected because the input detectorId is not owned by the current account.' }));
    const ctx = makeCtx();
    const pre = await blockRemoteIp.capture(input, ctx);
    const error = await blockRemoteIp.apply(input, pre, ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsCallError);
    expect((error as AwsCallError).message).toContain('guardduty.UpdateThreatIntelSet failed (BadRequestException)');
    expect(bucket.text(KEY)).toBe('192.0.2.1\n');
    expect(bucket.claims()).toEqual([]);
    expect(activations()).toBe(1); // no second activation while undoing
  });

  it('keeps a transient GuardDuty failure transient, so the engine retries the step', async () => {
    gdMock.on(UpdateThreatIntelSetCommand).rejectsOnce(new GuardDutyServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 429 }, message: 'slow down' })).resolves({});
    const ctx = makeCtx();
    const pre = await blockRemoteIp.capture(input, ctx);
    const error = await blockRemoteIp.apply(input, pre, ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsCallError);
    expect((error as AwsCallError).transient).toBe(true);
    const retried = await blockRemoteIp.apply(input, pre, ctx);
    expect(retried).toMatchObject({ claimed: true, added: true, activated: true });
    expect(bucket.text(KEY)).toBe('192.0.2.1\n203.0.114.7\n');
  });
});

describe('guardduty.block-remote-ip: release removes only what Tourniquet added, once no incident holds it', () => {
  it('removes the address it added and re-activates the set', async () => {
    const { pre, out, ctx } = await run();
    const released = await blockRemoteIp.release!(input, pre, out, ctx);
    expect(released).toMatchObject({ action: 'removed', ip: IP, activated: true });
    expect(bucket.text(KEY)).toBe('192.0.2.1\n');
    expect(bucket.claims()).toEqual([]);
    expect(activations()).toBe(2);
    // Idempotent.
    expect(await blockRemoteIp.release!(input, pre, out, ctx)).toMatchObject({ action: 'none' });
    expect(activations()).toBe(2);
  });

  it('keeps the address while another incident holds it; the last release removes it', async () => {
    const a = await run('inc-a');
    const b = await run('inc-b');
    expect(b.out).toMatchObject({ claimed: true, added: false, activated: false, holders: ['inc-a', 'inc-b'] });
    expect(activations()).toBe(1);

    expect(await blockRemoteIp.release!(input, a.pre, a.out, a.ctx)).toMatchObject({ action: 'kept', heldBy: ['inc-b'] });
    expect(bucket.text(KEY)).toBe('192.0.2.1\n203.0.114.7\n');

    expect(await blockRemoteIp.release!(input, b.pre, b.out, b.ctx)).toMatchObject({ action: 'removed' });
    expect(bucket.text(KEY)).toBe('192.0.2.1\n');
    expect(bucket.claims()).toEqual([]);
  });

  it('never removes a covering range, only the address entry', async () => {
    const { pre, out, ctx } = await run();
    bucket.write(KEY, '192.0.2.1\n203.0.114.7\n203.0.114.0/24\n');
    await blockRemoteIp.release!(input, pre, out, ctx);
    expect(bucket.text(KEY)).toBe('192.0.2.1\n203.0.114.0/24\n');
  });

  it('finishes a release that was interrupted after dropping the claim', async () => {
    const { pre, out, ctx } = await run();
    // The claim is gone but the address is still listed (the list write failed last time).
    bucket.write(CLAIMS, JSON.stringify({ version: 1, entries: [{ ip: IP, cases: [], addedBy: CASE_ID, addedAt: 'x' }] }));
    expect(await blockRemoteIp.release!(input, pre, out, ctx)).toMatchObject({ action: 'removed', resumed: true });
    expect(bucket.text(KEY)).toBe('192.0.2.1\n');
    expect(bucket.claims()).toEqual([]);
  });

  it('re-activates on a second release when the first one failed to (the list was already cleaned)', async () => {
    const { pre, out, ctx } = await run();
    gdMock.on(UpdateThreatIntelSetCommand).rejects(new GuardDutyServiceException({ name: 'InternalServerErrorException', $fault: 'server', $metadata: { httpStatusCode: 500 }, message: 'oops' }));
    await expect(blockRemoteIp.release!(input, pre, out, ctx)).rejects.toThrow(/guardduty\.UpdateThreatIntelSet failed/);
    expect(bucket.text(KEY)).toBe('192.0.2.1\n');
    gdMock.on(UpdateThreatIntelSetCommand).resolves({});
    const activationsBefore = activations();
    expect(await blockRemoteIp.release!(input, pre, out, ctx)).toMatchObject({ action: 'removed', resumed: true });
    expect(activations()).toBe(activationsBefore + 1);
    expect(bucket.claims()).toEqual([]);
    expect(await blockRemoteIp.release!(input, pre, out, ctx)).toMatchObject({ action: 'none' });
  });

  it('puts the address back when another incident claims it while it is being removed', async () => {
    const { pre, out, ctx } = await run('inc-a');
    let joined = false;
    bucket.beforePut = (key) => {
      // Incident b claims right after a's list write (its list read found the address, so it does not append).
      if (key === KEY && !joined && bucket.text(KEY)!.includes(IP)) {
        joined = true;
        bucket.write(CLAIMS, JSON.stringify({ version: 1, entries: [{ ip: IP, cases: ['inc-b'], addedBy: 'inc-a', addedAt: 'x' }] }));
      }
    };
    expect(await blockRemoteIp.release!(input, pre, out, ctx)).toMatchObject({ action: 'kept', heldBy: ['inc-b'] });
    expect(bucket.text(KEY)).toBe('192.0.2.1\n203.0.114.7\n');
    expect(bucket.claims()).toEqual([expect.objectContaining({ ip: IP, cases: ['inc-b'] })]);
  });

  it('fails loudly on a corrupted claims object instead of guessing', async () => {
    bucket.write(CLAIMS, '{"entries": {"__proto__": 1}}');
    await expect(run()).rejects.toThrow(/does not hold blocklist claims/);
    expect(listPuts()).toHaveLength(0);
  });
});

describe('guardduty.block-remote-ip: verify', () => {
  it('holds when the address is listed and the set is active or activating', async () => {
    await run();
    gdMock.on(GetThreatIntelSetCommand).resolves({ Name: 'n', Format: 'TXT', Location: 'l', Status: 'ACTIVATING' });
    expect(await blockRemoteIp.verify!(input, makeCtx())).toEqual({
      holds: true,
      detail: `${IP} is on s3://${BUCKET}/${KEY} (as ${IP}); ThreatIntelSet set1 is ACTIVATING`,
    });
    expect(gdMock).toHaveReceivedLastCommandWith(GetThreatIntelSetCommand, { DetectorId: 'det1', ThreatIntelSetId: 'set1' });
    gdMock.on(GetThreatIntelSetCommand).resolves({ Name: 'n', Format: 'TXT', Location: 'l', Status: 'ERROR' });
    expect((await blockRemoteIp.verify!(input, makeCtx())).holds).toBe(false);
    bucket.write(KEY, '192.0.2.1\n');
    gdMock.on(GetThreatIntelSetCommand).resolves({ Name: 'n', Format: 'TXT', Location: 'l', Status: 'ACTIVE' });
    expect(await blockRemoteIp.verify!(input, makeCtx())).toMatchObject({ holds: false, detail: expect.stringContaining('is not on') });
  });
});

describe('parseS3Url (GuardDuty list locations)', () => {
  it.each([
    ['s3://bucket.name/file.txt', { bucket: 'bucket.name', key: 'file.txt' }],
    ['https://s3.amazonaws.com/bucket.name/dir/file.txt', { bucket: 'bucket.name', key: 'dir/file.txt' }],
    ['https://s3-eu-west-1.amazonaws.com/bucket/file.txt', { bucket: 'bucket', key: 'file.txt' }],
    ['https://s3.eu-west-1.amazonaws.com/bucket/a%20b.txt', { bucket: 'bucket', key: 'a b.txt' }],
    ['http://bucket.s3.amazonaws.com/file.txt', { bucket: 'bucket', key: 'file.txt' }],
    ['https://bucket.s3-us-west-2.amazonaws.com/l/file.txt', { bucket: 'bucket', key: 'l/file.txt' }],
    ['https://bucket.s3.cn-north-1.amazonaws.com.cn/file.txt', { bucket: 'bucket', key: 'file.txt' }],
  ])('%s', (url, expected) => expect(parseS3Url(url)).toEqual(expected));

  it('rejects anything else', () => {
    for (const url of ['', 'ftp://bucket/file', 'https://example.com/bucket/file', 'https://s3.amazonaws.com/bucket', 's3://bucket']) {
      expect(parseS3Url(url), url).toBeUndefined();
    }
  });
});
