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
      'cases/inc-s3-1/manifest/head.json',
    ]);
    // The head object names the last entry: where the next writer starts.
    expect(parseEntryLine(await text(LOCKED, 'cases/inc-s3-1/manifest/head.json'))).toEqual(c);
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
    // Another client stands for another process: heads are kept per client.
    const other = new S3Client({ ...testClientConfig(moto.endpoint), forcePathStyle: true });
    const a = new S3CaseWriter({ client: s3, s3Uri: `s3://${PLAIN}/race`, caseId: 'inc-race' });
    const b = new S3CaseWriter({ client: other, s3Uri: `s3://${PLAIN}/race`, caseId: 'inc-race' });
    await a.put('one.json', 1); // a keeps the head: seq 1
    const two = await b.put('two.json', 2); // b reads the head and takes seq 2
    const three = await a.put('three.json', 3); // a's seq 2 is taken (If-None-Match): it follows b's entry and takes 3
    other.destroy();
    expect([two.seq, three.seq]).toEqual([2, 3]);
    const report = await verifyManifest(a.location, { s3Client: s3 });
    expect(report).toMatchObject({ ok: true, entries: 3, unlisted: [] });
    const rollup = (await text(PLAIN, 'race/inc-race/manifest.jsonl')).trim().split('\n');
    expect(rollup.map((l) => parseEntryLine(l)!.name)).toEqual(['one.json', 'two.json', 'three.json']);
  });
});

describe('S3CaseWriter keeps the chain head', () => {
  /** A client of its own (a new process, a cold Lambda) that counts the S3 operations it sends. */
  function countingClient(): { client: S3Client; ops: string[] } {
    const client = new S3Client({ ...testClientConfig(moto.endpoint), forcePathStyle: true });
    const ops: string[] = [];
    client.middlewareStack.add(
      (next, context) => (args) => {
        ops.push(context.commandName ?? '?');
        return next(args);
      },
      { step: 'initialize' },
    );
    return { client, ops };
  }

  it('a new writer on a case of 40 entries reads the head and one entry: no listing, no re-reading of the chain', async () => {
    const first = countingClient();
    const w = new S3CaseWriter({ client: first.client, s3Uri: `s3://${PLAIN}/head`, caseId: 'inc-long', rollupMaxEntries: 3 });
    for (let i = 0; i < 40; i++) await w.put(`occurrences/${i}.json`, { i });
    // Same process: from the third artefact on, no reads at all (the artefact, the entry, the head).
    expect(first.ops.slice(-3)).toEqual(['PutObjectCommand', 'PutObjectCommand', 'PutObjectCommand']);
    first.client.destroy();

    const cold = countingClient();
    const again = new S3CaseWriter({ client: cold.client, s3Uri: `s3://${PLAIN}/head`, caseId: 'inc-long', rollupMaxEntries: 3 });
    const e = await again.put('release.json', { by: 'alice' });
    expect(e.seq).toBe(41);
    // head.json, its entry (40), the free seq 41; then the artefact, the entry, the head.
    expect(cold.ops).toEqual(['GetObjectCommand', 'GetObjectCommand', 'GetObjectCommand', 'PutObjectCommand', 'PutObjectCommand', 'PutObjectCommand']);
    cold.client.destroy();

    const report = await verifyManifest(w.location, { s3Client: s3 });
    expect(report).toMatchObject({ ok: true, entries: 41, verified: 41, headChain: e.chain, unlisted: [] });
    expect(report.warnings).toEqual(['manifest.jsonl lists 3 of 41 entries (stale copy)']);
    expect((await text(PLAIN, 'head/inc-long/manifest.jsonl')).trim().split('\n')).toHaveLength(3);
  });

  it('finds the next free suffix of a name with one listing, however many copies exist', async () => {
    const w = new S3CaseWriter({ client: s3, s3Uri: `s3://${PLAIN}/names`, caseId: 'inc-names' });
    for (let i = 0; i < 25; i++) await w.put('steps/isolate/result.json', { i });
    const cold = countingClient();
    const again = new S3CaseWriter({ client: cold.client, s3Uri: `s3://${PLAIN}/names`, caseId: 'inc-names' });
    const e = await again.put('steps/isolate/result.json', { i: 25 });
    expect(e.name).toBe('steps/isolate/result-26.json');
    expect(cold.ops.filter((op) => op === 'ListObjectsV2Command')).toHaveLength(1);
    // The plain name was refused (If-None-Match), then the listing's next suffix taken at once.
    expect(cold.ops.filter((op) => op === 'PutObjectCommand')).toHaveLength(2 + 3);
    cold.client.destroy();
    expect(await verifyManifest(w.location, { s3Client: s3 })).toMatchObject({ ok: true, entries: 26, unlisted: [] });
  });

  it('a head object that does not match its entry is not trusted: the chain is read from the entries', async () => {
    const w = new S3CaseWriter({ client: s3, s3Uri: `s3://${PLAIN}/badhead`, caseId: 'inc-h' });
    const a = await w.put('a.json', 1);
    await w.put('b.json', 2);
    const other = new S3Client({ ...testClientConfig(moto.endpoint), forcePathStyle: true });
    // A head claiming seq 2 with other content than entry 2.
    const forged = { ...a, seq: 2, name: 'x.json' };
    await s3.send(new PutObjectCommand({ Bucket: PLAIN, Key: 'badhead/inc-h/manifest/head.json', Body: JSON.stringify(forged) }));
    const c = await new S3CaseWriter({ client: other, s3Uri: `s3://${PLAIN}/badhead`, caseId: 'inc-h' }).put('c.json', 3);
    other.destroy();
    expect(c.seq).toBe(3);
    expect(await verifyManifest(w.location, { s3Client: s3 })).toMatchObject({ ok: true, entries: 3 });
  });

  it('a head left behind (a writer stopped before rewriting it) is followed forward to the last entry', async () => {
    const w = new S3CaseWriter({ client: s3, s3Uri: `s3://${PLAIN}/behind`, caseId: 'inc-b' });
    const a = await w.put('a.json', 1);
    await w.put('b.json', 2);
    await w.put('c.json', 3);
    await s3.send(new PutObjectCommand({ Bucket: PLAIN, Key: 'behind/inc-b/manifest/head.json', Body: JSON.stringify(a) }));
    const other = new S3Client({ ...testClientConfig(moto.endpoint), forcePathStyle: true });
    const d = await new S3CaseWriter({ client: other, s3Uri: `s3://${PLAIN}/behind`, caseId: 'inc-b' }).put('d.json', 4);
    other.destroy();
    expect(d.seq).toBe(4);
    expect(await verifyManifest(w.location, { s3Client: s3 })).toMatchObject({ ok: true, entries: 4, warnings: [] });
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
