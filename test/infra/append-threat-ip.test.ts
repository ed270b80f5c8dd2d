import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GuardDutyClient, UpdateThreatIntelSetCommand } from '@aws-sdk/client-guardduty';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsCallError, ConflictError, TourniquetError } from '../../src/errors.js';
import { activateThreatIntelSet, appendAndActivate, appendIpToListText, appendThreatIntelIp } from '../../infra/lists/append-threat-ip.js';
import { RESPONDER_BLOCKLIST_CLAIMS_KEY, RESPONDER_BLOCKLIST_KEY, listObjectKey } from '../../infra/components/threat-lists.js';
import { expandResource } from '../../infra/iam/generate-policy.js';
import { getAction } from '../../src/actions/registry.js';
import { s3Error } from '../support/errors.js';

const s3Mock = mockClient(S3Client);
const gdMock = mockClient(GuardDutyClient);
const s3 = new S3Client({ region: 'us-east-1' });
const guardduty = new GuardDutyClient({ region: 'us-east-1' });

/** A GetObject body as the SDK returns it (only transformToString is used). */
function body(text: string) {
  return { transformToString: async () => text } as never;
}

beforeEach(() => {
  s3Mock.reset();
  gdMock.reset();
});

describe('appendIpToListText', () => {
  it('appends a new public address and keeps the list normalized', () => {
    const result = appendIpToListText('# seeded\n192.0.2.1\n', '203.0.114.7');
    expect(result).toEqual({ content: '192.0.2.1\n203.0.114.7\n', added: true, entries: 2 });
  });

  it('does not add an address already covered by an entry or range', () => {
    expect(appendIpToListText('8.8.8.8\n', '8.8.8.8/32')).toMatchObject({ added: false, coveredBy: '8.8.8.8', content: '8.8.8.8\n' });
    expect(appendIpToListText('1.1.1.0/24\n', '1.1.1.9')).toMatchObject({ added: false, coveredBy: '1.1.1.0/24' });
  });

  it('refuses ranges, private addresses and non-addresses (values from findings are attacker-influenced)', () => {
    expect(() => appendIpToListText('', '8.8.8.0/24')).toThrow(/a single address is expected, received string "8.8.8.0\/24"/);
    expect(() => appendIpToListText('', '10.0.0.5')).toThrow(/10.0.0.5 is not a publicly routable address/);
    expect(() => appendIpToListText('', '__proto__')).toThrow(/not an IPv4\/IPv6 address/);
  });

  it('refuses to grow a list past the GuardDuty limit', () => {
    expect(() => appendIpToListText('8.8.8.8\n8.8.4.4\n', '1.1.1.1', { limits: { maxEntries: 2, maxBytes: 1000 } })).toThrow(
      /already holds 2 entries; GuardDuty accepts at most 2/,
    );
  });

  it('reports a corrupted existing list by line', () => {
    expect(() => appendIpToListText('8.8.8.8\nbogus\n', '1.1.1.1', { source: 's3://b/k' })).toThrow(/s3:\/\/b\/k: 1 invalid line\(s\).*\n.*line 2/);
  });
});

describe('appendThreatIntelIp', () => {
  it('reads, appends and writes back conditionally on the ETag read', async () => {
    s3Mock.on(GetObjectCommand).resolves({ Body: body('192.0.2.1\n'), ETag: '"v1"' });
    s3Mock.on(PutObjectCommand).resolves({ ETag: '"v2"', VersionId: 'ver2' });
    const result = await appendThreatIntelIp(s3, 'findings', 'lists/responder-blocklist.txt', '203.0.114.7');
    expect(result).toEqual({ added: true, entries: 2, attempts: 1, etag: '"v2"', versionId: 'ver2' });
    expect(s3Mock).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: 'findings', Key: 'lists/responder-blocklist.txt' });
    const put = s3Mock.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(put).toMatchObject({ Bucket: 'findings', Key: 'lists/responder-blocklist.txt', Body: '192.0.2.1\n203.0.114.7\n', IfMatch: '"v1"' });
  });

  it('writes nothing when the address is already listed', async () => {
    s3Mock.on(GetObjectCommand).resolves({ Body: body('203.0.114.7\n'), ETag: '"v1"' });
    const result = await appendThreatIntelIp(s3, 'b', 'k', '203.0.114.7');
    expect(result).toMatchObject({ added: false, coveredBy: '203.0.114.7', etag: '"v1"' });
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('creates a missing list with If-None-Match', async () => {
    s3Mock.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'no', $metadata: { httpStatusCode: 404 } }));
    s3Mock.on(PutObjectCommand).resolves({ ETag: '"v1"' });
    await appendThreatIntelIp(s3, 'b', 'k', '203.0.114.7');
    expect(s3Mock.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({ Body: '203.0.114.7\n', IfNoneMatch: '*' });
  });

  it('re-reads and retries when another writer changed the list (412), keeping their entry', async () => {
    s3Mock
      .on(GetObjectCommand)
      .resolvesOnce({ Body: body('192.0.2.1\n'), ETag: '"v1"' })
      .resolvesOnce({ Body: body('192.0.2.1\n8.8.8.8\n'), ETag: '"v2"' });
    s3Mock.on(PutObjectCommand).rejectsOnce(s3Error('PreconditionFailed', 412)).resolves({ ETag: '"v3"' });
    const result = await appendThreatIntelIp(s3, 'b', 'k', '203.0.114.7');
    expect(result).toMatchObject({ added: true, attempts: 2, entries: 3 });
    // The list is read again (the same object) before the second write.
    expect(s3Mock).toHaveReceivedCommandTimes(GetObjectCommand, 2);
    expect(s3Mock).toHaveReceivedNthCommandWith(GetObjectCommand, 2, { Bucket: 'b', Key: 'k' });
    const second = s3Mock.commandCalls(PutObjectCommand)[1]!.args[0].input;
    expect(second).toMatchObject({ Body: '192.0.2.1\n8.8.8.8\n203.0.114.7\n', IfMatch: '"v2"' });
  });

  it('gives up with a ConflictError after maxAttempts lost races', async () => {
    s3Mock.on(GetObjectCommand).resolves({ Body: body(''), ETag: '"v1"' });
    s3Mock.on(PutObjectCommand).rejects(s3Error('ConditionalRequestConflict', 409));
    await expect(appendThreatIntelIp(s3, 'b', 'k', '203.0.114.7', { maxAttempts: 3 })).rejects.toBeInstanceOf(ConflictError);
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(3);
  });

  it('wraps other AWS errors (never swallowed)', async () => {
    s3Mock.on(GetObjectCommand).rejects(s3Error('AccessDenied', 403));
    const error = await appendThreatIntelIp(s3, 'b', 'k', '203.0.114.7').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsCallError);
    expect((error as AwsCallError).message).toContain('s3.GetObject failed (AccessDenied)');
  });

  it('validates the address before any call', async () => {
    s3Mock.on(GetObjectCommand).resolves({ Body: body(''), ETag: '"v1"' });
    await expect(appendThreatIntelIp(s3, 'b', 'k', '10.1.1.1')).rejects.toBeInstanceOf(TourniquetError);
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  });
});

describe('activation', () => {
  it('re-activates the set so GuardDuty re-reads the file', async () => {
    gdMock.on(UpdateThreatIntelSetCommand).resolves({});
    await activateThreatIntelSet(guardduty, 'det1', 'set1');
    expect(gdMock.commandCalls(UpdateThreatIntelSetCommand)[0]!.args[0].input).toEqual({ DetectorId: 'det1', ThreatIntelSetId: 'set1', Activate: true });
  });

  it('appendAndActivate activates only when the list changed', async () => {
    gdMock.on(UpdateThreatIntelSetCommand).resolves({});
    s3Mock.on(GetObjectCommand).resolves({ Body: body('203.0.114.7\n'), ETag: '"v1"' });
    const unchanged = await appendAndActivate({ s3, guardduty, bucket: 'b', key: 'k', detectorId: 'd', threatIntelSetId: 's', ip: '203.0.114.7' });
    expect(unchanged.activated).toBe(false);
    expect(gdMock.commandCalls(UpdateThreatIntelSetCommand)).toHaveLength(0);

    s3Mock.on(GetObjectCommand).resolves({ Body: body(''), ETag: '"v1"' });
    s3Mock.on(PutObjectCommand).resolves({ ETag: '"v2"' });
    const changed = await appendAndActivate({ s3, guardduty, bucket: 'b', key: 'k', detectorId: 'd', threatIntelSetId: 's', ip: '203.0.114.7' });
    expect(changed).toMatchObject({ added: true, activated: true });
    expect(gdMock).toHaveReceivedCommandExactlyOnceWith(UpdateThreatIntelSetCommand, { DetectorId: 'd', ThreatIntelSetId: 's', Activate: true });
  });
});

describe('the guardduty.block-remote-ip action and the deployed lists', () => {
  // The action's S3 permissions are patterns; they must cover the keys infra/components/threat-lists.ts uses.
  const ctx = { partition: 'aws', regions: ['eu-west-1'], accounts: ['111122223333'] };
  const allowed = (iamAction: string, bucket: string, key: string): boolean =>
    getAction('guardduty.block-remote-ip')
      .permissions.filter((p) => p.actions.includes(iamAction))
      .flatMap((p) => p.resources.flatMap((r) => expandResource(r, ctx, p.why)))
      .some((pattern) => new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.?+^$()[\]{}|\\]/g, '\\$&')).join('.*')}$`).test(`arn:aws:s3:::${bucket}/${key}`));

  it('may read and write the responder blocklist and its claims, and read the trusted list', () => {
    for (const key of [RESPONDER_BLOCKLIST_KEY, RESPONDER_BLOCKLIST_CLAIMS_KEY]) {
      expect(allowed('s3:GetObject', 'findings-bucket', key), key).toBe(true);
      expect(allowed('s3:PutObject', 'findings-bucket', key), key).toBe(true);
    }
    const trusted = listObjectKey('trusted-ips', '8.8.8.8\n');
    expect(allowed('s3:GetObject', 'findings-bucket', trusted)).toBe(true);
    expect(allowed('s3:PutObject', 'findings-bucket', trusted)).toBe(false);
    expect(allowed('s3:PutObject', 'findings-bucket', 'lists/threat-intel-0123.txt')).toBe(false);
  });
});
