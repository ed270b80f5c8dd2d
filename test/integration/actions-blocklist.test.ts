/**
 * The responder blocklist's S3 side against moto_server: appending and removing an address with conditional writes,
 * the claims that say which incidents hold it, and a lost race, all read back from the emulator.
 *
 * moto implements S3 but not GuardDuty's ThreatIntelSet / IPSet APIs (HTTP 404), and the action fails its step when
 * the GuardDuty call fails (it is never swallowed). So this test exercises the list and claims modules the action is
 * built from, directly; the full action, the GuardDuty re-activation and the trusted-list check are covered by
 * test/unit/actions/guardduty-block-remote-ip.test.ts.
 */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readTextObject, type S3ObjectLocation } from '../../src/actions/s3-text-object.js';
import { EMPTY_CLAIMS_TEXT, claimIp, claimsLocation, dropIfUnclaimed, readClaim, unclaimIp } from '../../src/actions/threat-list-claims.js';
import { appendThreatIntelIp, readThreatListState, removeThreatIntelIp } from '../../src/actions/threat-list-object.js';
import { startMotoServer, type MotoServer } from '../../src/aws/moto-server.js';
import { ConflictError } from '../../src/errors.js';
import { TEST_ACCOUNT_ID, testClientConfig } from '../support/aws-clients.js';

const BUCKET = 'tourniquet-findings-lists';
const KEY = 'lists/responder-blocklist.txt';
const list: S3ObjectLocation = { bucket: BUCKET, key: KEY, expectedBucketOwner: TEST_ACCOUNT_ID };
const owner = { expectedBucketOwner: TEST_ACCOUNT_ID };
let moto: MotoServer;
let s3: S3Client;

beforeAll(async () => {
  moto = await startMotoServer();
  s3 = new S3Client({ ...testClientConfig(moto.endpoint), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(async () => {
  s3?.destroy();
  await moto?.stop();
});

/** As a deploy leaves them: the seeded list and empty claims (infra/components/threat-lists.ts). */
beforeEach(async () => {
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: '192.0.2.1\n', ContentType: 'text/plain; charset=utf-8' }));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: claimsLocation(list).key, Body: EMPTY_CLAIMS_TEXT, ContentType: 'application/json' }));
});

/**
 * An S3 client whose PutObject calls on the list are each preceded by a rival write through another client (the
 * content `rival(round)` returns; none when undefined): a real lost race against the emulator.
 */
function clientWithRival(rival: (round: number) => string | undefined): S3Client {
  const client = new S3Client({ ...testClientConfig(moto.endpoint), forcePathStyle: true });
  let round = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Key?: string };
      if (context.commandName === 'PutObjectCommand' && input.Key === KEY) {
        round += 1;
        const body = rival(round);
        if (body !== undefined) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: body }));
      }
      return next(args);
    },
    { step: 'initialize', name: 'rivalWriter' },
  );
  return client;
}

async function stored(key: string): Promise<{ text: string; etag: string | undefined }> {
  const out = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return { text: await out.Body!.transformToString(), etag: out.ETag };
}

describe('responder blocklist in S3 (moto)', () => {
  it('appends with If-Match on the ETag read, and removes the address again', async () => {
    const before = await stored(KEY);
    const appended = await appendThreatIntelIp(s3, BUCKET, KEY, '203.0.114.7', owner);
    expect(appended).toMatchObject({ added: true, entries: 2, attempts: 1 });
    const after = await stored(KEY);
    expect(after.text).toBe('192.0.2.1\n203.0.114.7\n');
    expect(after.etag).not.toBe(before.etag);
    expect(appended.etag).toBe(after.etag);

    const state = await readThreatListState(s3, BUCKET, KEY, '203.0.114.7', owner);
    expect(state).toMatchObject({ exists: true, entries: 2, etag: after.etag, covering: expect.objectContaining({ value: '203.0.114.7' }) });

    // Already there: nothing written.
    expect(await appendThreatIntelIp(s3, BUCKET, KEY, '203.0.114.7', owner)).toMatchObject({ added: false, coveredBy: '203.0.114.7', etag: after.etag });

    expect(await removeThreatIntelIp(s3, BUCKET, KEY, '203.0.114.7', owner)).toMatchObject({ removed: true, entries: 1 });
    expect((await stored(KEY)).text).toBe('192.0.2.1\n');
    expect(await removeThreatIntelIp(s3, BUCKET, KEY, '203.0.114.7', owner)).toMatchObject({ removed: false });
  });

  it('S3 refuses a write conditional on a stale ETag (412), so the precondition the edits rely on holds', async () => {
    const stale = (await stored(KEY)).etag!;
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: '192.0.2.1\n8.8.8.8\n' }));
    const refused = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: 'lost\n', IfMatch: stale })).catch((e: unknown) => e);
    expect((refused as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(412);
    const exists = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: 'lost\n', IfNoneMatch: '*' })).catch((e: unknown) => e);
    expect((exists as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(412);
    expect((await stored(KEY)).text).toBe('192.0.2.1\n8.8.8.8\n');
  });

  it('an append that loses the race re-reads and keeps the other writer\'s entry', async () => {
    // Another writer changes the list between this client's read and its first write.
    const racing = clientWithRival((round) => (round === 1 ? '192.0.2.1\n8.8.8.8\n' : undefined));
    const result = await appendThreatIntelIp(racing, BUCKET, KEY, '203.0.114.7', owner);
    expect(result).toMatchObject({ added: true, attempts: 2, entries: 3 });
    expect((await stored(KEY)).text).toBe('192.0.2.1\n8.8.8.8\n203.0.114.7\n');
    racing.destroy();
  });

  it('gives up with a ConflictError when every attempt loses the race, never overwriting the other writer', async () => {
    const racing = clientWithRival((round) => `192.0.2.1\n1.1.1.${round}\n`);
    const error = await appendThreatIntelIp(racing, BUCKET, KEY, '203.0.114.7', { ...owner, maxAttempts: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).message).toMatch(/another writer changed it on each of 3 attempts/);
    expect((await stored(KEY)).text).toBe('192.0.2.1\n1.1.1.3\n');
    racing.destroy();
  });

  it('claims: incidents join and leave an address; the entry goes only once nobody holds it', async () => {
    const at = '2026-11-28T15:00:00.000Z';
    expect(await claimIp(s3, list, '203.0.114.7', 'inc-a', at)).toEqual({ ip: '203.0.114.7', cases: ['inc-a'], addedBy: 'inc-a', addedAt: at });
    expect(await claimIp(s3, list, '203.0.114.7', 'inc-b', at)).toMatchObject({ cases: ['inc-a', 'inc-b'] });
    expect(await claimIp(s3, list, '203.0.114.7', 'inc-b', at)).toMatchObject({ cases: ['inc-a', 'inc-b'] });
    expect(JSON.parse((await stored(claimsLocation(list).key)).text)).toMatchObject({ version: 1, entries: [{ ip: '203.0.114.7', cases: ['inc-a', 'inc-b'] }] });

    expect(await unclaimIp(s3, list, '203.0.114.7', 'inc-a')).toEqual({ entry: true, wasHolder: true, remaining: ['inc-b'] });
    expect(await dropIfUnclaimed(s3, list, '203.0.114.7')).toEqual({ dropped: false, holders: ['inc-b'] });
    expect(await unclaimIp(s3, list, '203.0.114.7', 'inc-b')).toEqual({ entry: true, wasHolder: true, remaining: [] });
    // Still there, empty ("being removed"), until dropped.
    expect(await readClaim(s3, list, '203.0.114.7')).toMatchObject({ cases: [] });
    expect(await dropIfUnclaimed(s3, list, '203.0.114.7')).toEqual({ dropped: true, holders: [] });
    expect(await readClaim(s3, list, '203.0.114.7')).toBeUndefined();
    expect(JSON.parse((await stored(claimsLocation(list).key)).text)).toMatchObject({ entries: [] });
    expect(await unclaimIp(s3, list, '203.0.114.7', 'inc-b')).toEqual({ entry: false, wasHolder: false, remaining: [] });
  });

  it('creates a missing list with If-None-Match; a missing object reads as empty', async () => {
    const fresh = 'lists/fresh-blocklist.txt';
    expect(await appendThreatIntelIp(s3, BUCKET, fresh, '203.0.114.9', owner)).toMatchObject({ added: true, entries: 1 });
    expect((await stored(fresh)).text).toBe('203.0.114.9\n');
    expect(await readTextObject(s3, { bucket: BUCKET, key: 'lists/none.txt' })).toEqual({ text: '', exists: false });
    // (moto does not check ExpectedBucketOwner; the unit test asserts the action always sends it.)
  });

});
