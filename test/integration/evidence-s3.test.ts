/**
 * S3 evidence against moto_server: objects carry their SHA-256 checksum, SSE-KMS and Object Lock retention; the
 * per-entry manifest objects and the rolled-up manifest.jsonl agree; a second writer's race is resolved; tampering
 * is detected.
 */
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMotoServer, type MotoServer } from '../../src/aws/moto-server.js';
import { openEvidence } from '../../src/evidence/open-evidence.js';
import { parseEntryLine, sha256Hex } from '../../src/evidence/manifest-chain.js';
import { S3CaseWriter } from '../../src/evidence/s3-case-writer.js';
import { verifyManifest } from '../../src/evidence/verify-manifest.js';
import { testClientConfig } from '../support/aws-clients.js';

const LOCKED = 'tourniquet-evidence-locked';
const PLAIN = 'tourniquet-evidence-plain';
let moto: MotoServer;
let s3: S3Client;
let kmsKeyId: string;

beforeAll(async () => {
  moto = await startMotoServer();
  s3 = new S3Client({ ...testClientConfig(moto.endpoint), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: LOCKED, ObjectLockEnabledForBucket: true }));
  await s3.send(new CreateBucketCommand({ Bucket: PLAIN }));
  const kms = new KMSClient(testClientConfig(moto.endpoint));
  kmsKeyId = (await kms.send(new CreateKeyCommand({ Description: 'evidence' }))).KeyMetadata!.KeyId!;
  kms.destroy();
});

afterAll(async () => {
  s3?.destroy();
  await moto?.stop();
});

async function text(bucket: string, key: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return out.Body!.transformToString();
}

describe('S3CaseWriter', () => {
  it('writes checksummed, encrypted, retained objects and a manifest that verifies', async () => {
    const w = await openEvidence('inc-s3-1', {
      s3Uri: `s3://${LOCKED}/cases/`,
      s3Client: s3,
      kmsKeyId,
      objectLock: { mode: 'GOVERNANCE', days: 1 },
    });
    expect(w.location).toBe(`s3://${LOCKED}/cases/inc-s3-1/`);
    const a = await w.put('finding.json', { id: 'f1' });
    const b = await w.put('finding.json', { id: 'f1', updated: true }); // same name: suffixed, not overwritten
    const c = await w.put('../../escape.bin', new Uint8Array([7, 8, 9]));
    expect([a.name, b.name, c.name]).toEqual(['finding.json', 'finding-2.json', 'escape.bin']);

    // Read each object back: content, S3's own SHA-256 checksum, encryption, retention.
    for (const e of [a, b, c]) {
      const key = `cases/inc-s3-1/${e.name}`;
      const got = await s3.send(new GetObjectCommand({ Bucket: LOCKED, Key: key, ChecksumMode: 'ENABLED' }));
      const bytes = await got.Body!.transformToByteArray();
      expect(sha256Hex(bytes)).toBe(e.sha256);
      expect(bytes.byteLength).toBe(e.bytes);
      expect(got.ChecksumSHA256).toBe(Buffer.from(e.sha256, 'hex').toString('base64'));
      const head = await s3.send(new HeadObjectCommand({ Bucket: LOCKED, Key: key }));
      expect(head.ServerSideEncryption).toBe('aws:kms');
      expect(head.SSEKMSKeyId).toContain(kmsKeyId);
      // Retention as S3 reports it on the object (moto answers GetObjectRetention with the object body).
      expect(head.ObjectLockMode).toBe('GOVERNANCE');
      const until = head.ObjectLockRetainUntilDate!.getTime();
      expect(until).toBeGreaterThan(Date.parse(e.recordedAt) + 23 * 3600_000);
      expect(until).toBeLessThanOrEqual(Date.parse(e.recordedAt) + 24 * 3600_000 + 1000);
    }
    expect(JSON.parse(await text(LOCKED, 'cases/inc-s3-1/finding-2.json'))).toEqual({ id: 'f1', updated: true });

    // The entry objects are the chain; manifest.jsonl is the same chain rolled up.
    const entryObjects = await s3.send(new ListObjectsV2Command({ Bucket: LOCKED, Prefix: 'cases/inc-s3-1/manifest/' }));
    expect(entryObjects.Contents?.map((o) => o.Key)).toEqual([
      'cases/inc-s3-1/manifest/00000001.json',
      'cases/inc-s3-1/manifest/00000002.json',
      'cases/inc-s3-1/manifest/00000003.json',
    ]);
    expect(parseEntryLine(await text(LOCKED, 'cases/inc-s3-1/manifest/00000002.json'))).toEqual(b);
    const rollup = (await text(LOCKED, 'cases/inc-s3-1/manifest.jsonl')).trim().split('\n').map((l) => parseEntryLine(l));
    expect(rollup).toEqual([a, b, c]);

    const report = await verifyManifest(w.location, { s3Client: s3, expectHead: b.chain });
    expect(report).toMatchObject({ ok: true, entries: 3, verified: 3, headChain: c.chain, unlisted: [], warnings: [] });
  });

  it('keeps the chain linear under parallel puts', async () => {
    const w = new S3CaseWriter({ client: s3, s3Uri: `s3://${PLAIN}`, caseId: 'inc-par' });
    const entries = await Promise.all(Array.from({ length: 12 }, (_, i) => w.put(`steps/s${i % 3}/result.json`, { i })));
    expect(entries.map((e) => e.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(await verifyManifest(w.location, { s3Client: s3 })).toMatchObject({ ok: true, entries: 12 });
  });

  it('links after another writer that took the next seq (two processes on one case)', async () => {
    const a = new S3CaseWriter({ client: s3, s3Uri: `s3://${PLAIN}/race`, caseId: 'inc-race' });
    const b = new S3CaseWriter({ client: s3, s3Uri: `s3://${PLAIN}/race`, caseId: 'inc-race' });
    await a.put('one.json', 1); // a caches seq 1
    const two = await b.put('two.json', 2); // b loads the chain and takes seq 2
    const three = await a.put('three.json', 3); // a's seq 2 is taken (If-None-Match): it reloads and takes 3
    expect([two.seq, three.seq]).toEqual([2, 3]);
    const report = await verifyManifest(a.location, { s3Client: s3 });
    expect(report).toMatchObject({ ok: true, entries: 3, unlisted: [] });
    const rollup = (await text(PLAIN, 'race/inc-race/manifest.jsonl')).trim().split('\n');
    expect(rollup.map((l) => parseEntryLine(l)!.name)).toEqual(['one.json', 'two.json', 'three.json']);
  });
});

describe('verifyManifest (S3)', () => {
  async function freshCase(caseId: string): Promise<S3CaseWriter> {
    const w = new S3CaseWriter({ client: s3, s3Uri: `s3://${PLAIN}/tamper`, caseId });
    await w.put('a.json', { a: 1 });
    await w.put('b.json', { b: 2 });
    await w.put('c.json', { c: 3 });
    return w;
  }

  it('detects a replaced artefact', async () => {
    const w = await freshCase('inc-t1');
    await s3.send(new PutObjectCommand({ Bucket: PLAIN, Key: 'tamper/inc-t1/b.json', Body: '{\n  "b": 9\n}\n' }));
    const report = await verifyManifest(w.location, { s3Client: s3 });
    expect(report).toMatchObject({ ok: false, verified: 1, firstBreak: { reason: 'hash-mismatch', seq: 2, name: 'b.json' } });
  });

  it('detects a deleted entry object', async () => {
    const w = await freshCase('inc-t2');
    await s3.send(new DeleteObjectCommand({ Bucket: PLAIN, Key: 'tamper/inc-t2/manifest/00000002.json' }));
    expect((await verifyManifest(w.location, { s3Client: s3 })).firstBreak).toMatchObject({ reason: 'seq-mismatch', seq: 2 });
  });

  it('detects a rolled-up manifest that disagrees with the entries', async () => {
    const w = await freshCase('inc-t3');
    const lines = (await text(PLAIN, 'tamper/inc-t3/manifest.jsonl')).trim().split('\n');
    const forged = { ...parseEntryLine(lines[0]!)!, name: 'other.json' };
    await s3.send(new PutObjectCommand({ Bucket: PLAIN, Key: 'tamper/inc-t3/manifest.jsonl', Body: `${[JSON.stringify(forged), ...lines.slice(1)].join('\n')}\n` }));
    expect((await verifyManifest(w.location, { s3Client: s3 })).firstBreak).toMatchObject({ reason: 'rollup-mismatch', seq: 1 });
  });

  it('reports objects the manifest does not list', async () => {
    const w = await freshCase('inc-t4');
    await s3.send(new PutObjectCommand({ Bucket: PLAIN, Key: 'tamper/inc-t4/planted.txt', Body: 'x' }));
    expect(await verifyManifest(w.location, { s3Client: s3 })).toMatchObject({ ok: true, unlisted: ['planted.txt'] });
  });
});
