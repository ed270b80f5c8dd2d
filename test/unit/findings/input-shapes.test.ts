import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FindingParseError, UsageError } from '../../../src/errors.js';
import type { Ec2InstanceSubject, Finding, GuardDutyRecord, MalwareScanResult } from '../../../src/findings/model.js';
import { parseDocument, parseRecord, readFindings } from '../../../src/findings/read-input.js';
import { ACCOUNT, cliFinding, event, finding, instanceDetails } from './finding-fixtures.js';

const src = { name: 'test' };

function asFinding(r: GuardDutyRecord | undefined): Finding {
  expect(r?.kind).toBe('finding');
  return r as Finding;
}

function ec2(f: Finding): Ec2InstanceSubject {
  const s = f.subjects.find((x) => x.kind === 'ec2-instance');
  expect(s).toBeDefined();
  return s as Ec2InstanceSubject;
}

describe('single records (parseRecord)', () => {
  it('reads an EventBridge event: raw is the very detail object, eventId from the envelope', () => {
    const detail = finding();
    const f = asFinding(parseRecord(event(detail), src));
    expect(f.raw).toBe(detail);
    expect(f.original).toBeUndefined();
    expect(f.eventId).toBe('cd2d702e-ab31-411b-9344-793ce56b1bc7');
    expect(f.id).toBe('a1b2c3d4e5f60718293a4b5c6d7e8f90');
    expect(f.type.raw).toBe('CryptoCurrency:EC2/BitcoinTool.B!DNS');
    expect(f.band).toBe('High');
    expect(f.count).toBe(3);
    expect(f.firstSeen).toBe('2026-08-01T10:00:00.000Z');
    expect(f.lastSeen).toBe('2026-08-01T10:20:00.000Z');
    expect(f.sample).toBe(false);
    expect(f.archived).toBe(false);
    expect(f.actor).toEqual({ domain: 'pool.example.com' });
    expect(f.source).toEqual(src);
  });

  it('reads a bare finding with every ENI detail', () => {
    const input = finding({}, { resourceType: 'Instance', instanceDetails: instanceDetails() });
    const f = asFinding(parseRecord(input, src));
    expect(f.raw).toBe(input);
    const s = ec2(f);
    expect(s.id).toBe('i-0123456789abcdef0');
    expect(s.name).toBe('web-1');
    expect(s.role).toBe('TARGET');
    expect(s.details).toMatchObject({
      instanceId: 'i-0123456789abcdef0',
      instanceType: 'm5.large',
      instanceState: 'running',
      availabilityZone: 'us-east-1a',
      iamInstanceProfile: { arn: `arn:aws:iam::${ACCOUNT}:instance-profile/web`, id: 'AIPAEXAMPLE' },
      networkInterfaces: [
        {
          networkInterfaceId: 'eni-0aaa',
          subnetId: 'subnet-0aaa',
          vpcId: 'vpc-0aaa',
          privateIpAddress: '10.0.0.5',
          publicIp: '203.0.113.5',
          ipv6Addresses: ['2001:db8::5'],
          securityGroups: [{ groupId: 'sg-0aaa', groupName: 'web' }],
        },
      ],
    });
    expect(s.ai.isAi).toBe(false);
  });

  it('reads a Malware Protection scan-result event as its own kind', () => {
    const e = {
      ...event(
        {
          schemaVersion: '1.0',
          scanStatus: 'COMPLETED',
          resourceType: 'S3_OBJECT',
          s3ObjectDetails: { bucketName: 'models', objectKey: 'llm/v3/model.safetensors', etag: 'abc', versionId: 'v1', s3Throttled: false },
          scanResultDetails: { scanResultStatus: 'THREATS_FOUND', threats: [{ name: 'EICAR' }, { name: 'Other' }] },
        },
        'GuardDuty Malware Protection Object Scan Result',
      ),
      resources: ['arn:aws:guardduty:us-east-1:111122223333:malware-protection-plan/abc'],
    };
    const r = parseRecord(e, src) as MalwareScanResult;
    expect(r.kind).toBe('malware-scan-result');
    expect(r).toMatchObject({
      accountId: ACCOUNT,
      region: 'us-east-1',
      time: '2026-08-01T10:25:00Z',
      scanStatus: 'COMPLETED',
      scanResultStatus: 'THREATS_FOUND',
      bucketName: 'models',
      objectKey: 'llm/v3/model.safetensors',
      versionId: 'v1',
      eTag: 'abc',
      threats: ['EICAR', 'Other'],
      eventId: 'cd2d702e-ab31-411b-9344-793ce56b1bc7',
    });
    expect(r.raw).toBe(e);
    expect(r.subjects).toHaveLength(1);
    expect(r.subjects[0]).toMatchObject({ kind: 'malware-scan-object', id: 'models/llm/v3/model.safetensors' });
    expect(r.subjects[0]!.ai.reasons).toEqual([{ code: 'ml-artifact', detail: 'model file llm/v3/model.safetensors' }]);
  });

  it('rejects other GuardDuty detail-types with a typed error naming the detail-type', () => {
    const e = event({ schemaVersion: '1.0', resourceType: 'EKS' }, 'GuardDuty Runtime Protection Healthy');
    expect(() => parseRecord(e, src)).toThrow(FindingParseError);
    try {
      parseRecord(e, src);
    } catch (err) {
      const pe = err as FindingParseError;
      expect(pe.path).toBe('$["detail-type"]');
      expect(pe.received).toBe('string "GuardDuty Runtime Protection Healthy"');
      expect(pe.expected).toContain('not supported');
      expect(pe.message).toBe(
        `test: $["detail-type"]: expected ${pe.expected}, received string "GuardDuty Runtime Protection Healthy"`,
      );
    }
  });

  it('refuses arrays and finding lists (they belong to parseDocument)', () => {
    expect(() => parseRecord([finding()], src)).toThrow(FindingParseError);
    expect(() => parseRecord({ Findings: [cliFinding()] }, src)).toThrow(/parseDocument/);
  });
});

describe('documents (parseDocument)', () => {
  it('reads an array of events and bare findings, each with its index', () => {
    const text = JSON.stringify([event(finding({ id: 'f0' })), finding({ id: 'f1' })], null, 2);
    const b = parseDocument(text, src);
    expect(b.rejected).toEqual([]);
    expect(b.records.map((r) => [(r as Finding).id, r.source.index])).toEqual([
      ['f0', 0],
      ['f1', 1],
    ]);
  });

  it('reads AWS CLI get-findings output (PascalCase) into the same camelCase model', () => {
    const input = { Findings: [cliFinding()] };
    const b = parseDocument(JSON.stringify(input), { name: 'cli.json' });
    expect(b.rejected).toEqual([]);
    const f = asFinding(b.records[0]);
    expect(f.source).toEqual({ name: 'cli.json', index: 0 });
    expect(f.id).toBe('f1');
    expect(f.sample).toBe(true); // from AdditionalInfo.Value, the CLI has no expanded `sample`
    expect(f.count).toBe(2);
    expect(f.actor).toMatchObject({ api: 'InvokeModel', serviceName: 'bedrock.amazonaws.com' });
    const s = ec2(f);
    expect(s.details.networkInterfaces).toEqual([
      {
        networkInterfaceId: 'eni-0a11',
        subnetId: 'subnet-0aa1',
        vpcId: 'vpc-0123',
        privateIpAddress: '10.20.1.37',
        publicIp: '203.0.113.10',
        ipv6Addresses: ['2001:db8::10'],
        securityGroups: [{ groupId: 'sg-0a1b', groupName: 'gpu' }],
      },
    ]);
    expect(s.tags).toEqual([{ key: 'ai-workload', value: 'training' }]);
    expect(s.ai.reasons.map((r) => r.code)).toEqual(['accelerator-instance', 'ai-tag', 'bedrock']);
    // raw is the camelCase mapping; the original PascalCase object is kept as received.
    const raw = f.raw as { resource: { instanceDetails: { networkInterfaces: Array<{ ipv6Addresses: string[] }> } }; service: { action: { awsApiCallAction: { affectedResources: unknown }; kubernetesApiCallAction: unknown } } };
    expect(raw.resource.instanceDetails.networkInterfaces[0]!.ipv6Addresses).toEqual(['2001:db8::10']);
    expect(raw.service.action.awsApiCallAction.affectedResources).toEqual({ 'AWS::S3::Bucket': 'b1' });
    expect(raw.service.action.kubernetesApiCallAction).toEqual({ sourceIPs: ['10.0.0.1'] });
    expect(f.original).toEqual(cliFinding());
  });

  it('reports PascalCase errors with the input\'s own member names', () => {
    const bad = cliFinding() as { Resource: { InstanceDetails: { NetworkInterfaces: Array<Record<string, unknown>> } } };
    bad.Resource.InstanceDetails.NetworkInterfaces[0]!['SecurityGroups'] = 'sg-0a1b';
    const b = parseDocument(JSON.stringify({ Findings: [cliFinding(), bad] }), { name: 'cli.json' });
    expect(b.records).toHaveLength(1);
    expect(b.rejected).toHaveLength(1);
    expect(b.rejected[0]!.path).toBe('$.Findings[1].Resource.InstanceDetails.NetworkInterfaces[0].SecurityGroups');
    expect(b.rejected[0]!.source).toEqual({ name: 'cli.json', index: 1 });
  });

  it('reads the REST shape {"findings": [...]} (camelCase)', () => {
    const b = parseDocument(JSON.stringify({ findings: [finding({ id: 'r1' })] }), src);
    expect(b.records.map((r) => (r as Finding).id)).toEqual(['r1']);
  });

  it('detects JSON Lines: line numbers, blank lines and CRLF', () => {
    const lines = [JSON.stringify(finding({ id: 'l1' })), '', '   ', JSON.stringify(event(finding({ id: 'l4' })))];
    const b = parseDocument(lines.join('\r\n') + '\r\n', { name: 'x.jsonl' });
    expect(b.rejected).toEqual([]);
    expect(b.records.map((r) => [(r as Finding).id, r.source])).toEqual([
      ['l1', { name: 'x.jsonl', line: 1 }],
      ['l4', { name: 'x.jsonl', line: 4 }],
    ]);
  });

  it('reads a pretty-printed single event as one document', () => {
    const b = parseDocument(`\uFEFF${JSON.stringify(event(finding()), null, 2)}`, src);
    expect(b.rejected).toEqual([]);
    expect(b.records).toHaveLength(1);
  });

  it('continues past bad lines and reports each one with its line', () => {
    const text = [JSON.stringify(finding({ id: 'ok1' })), '{"id": "x", "type": ', JSON.stringify(finding({ id: 'ok3', severity: 'high' })), JSON.stringify(finding({ id: 'ok4' }))].join('\n');
    const b = parseDocument(text, { name: 'e.jsonl' });
    expect(b.records.map((r) => (r as Finding).id)).toEqual(['ok1', 'ok4']);
    expect(b.rejected.map((e) => [e.source.line, e.path])).toEqual([
      [2, '$'],
      [3, '$.severity'],
    ]);
    expect(b.rejected[0]!.received).toMatch(/^truncated JSON/);
    expect(b.rejected[1]!.received).toBe('string "high"');
  });

  it('rejects empty input', () => {
    const b = parseDocument('  \n\n', src);
    expect(b.records).toEqual([]);
    expect(b.rejected.map((e) => [e.path, e.received])).toEqual([['$', 'empty input']]);
  });
});

describe('files, directories, stdin (readFindings)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tourniquet-findings-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('streams a .jsonl.gz export, reporting a bad line with file and line', async () => {
    const file = join(dir, 'export.jsonl.gz');
    const lines = [JSON.stringify(finding({ id: 'g1' })), JSON.stringify(finding({ id: 'g2' })).slice(0, 100), JSON.stringify(finding({ id: 'g3' }))];
    await writeFile(file, gzipSync(lines.join('\n') + '\n'));
    const b = await readFindings(file);
    expect(b.records.map((r) => [(r as Finding).id, r.source])).toEqual([
      ['g1', { name: file, line: 1 }],
      ['g3', { name: file, line: 3 }],
    ]);
    expect(b.rejected).toHaveLength(1);
    expect(b.rejected[0]!.source).toEqual({ name: file, line: 2 });
    expect(b.rejected[0]!.path).toBe('$');
    expect(b.rejected[0]!.received).toMatch(/^truncated JSON: input ends at line 1, column 101/);
  });

  it('keeps the records of a truncated gzip stream and says where it broke', async () => {
    const file = join(dir, 'cut.jsonl.gz');
    const body = Array.from({ length: 200 }, (_, i) => JSON.stringify(finding({ id: `c${i}` }))).join('\n') + '\n';
    const gz = gzipSync(body);
    await writeFile(file, gz.subarray(0, Math.floor(gz.length * 0.6)));
    const b = await readFindings(file);
    expect(b.records.length).toBeGreaterThan(0);
    expect(b.records.length).toBeLessThan(200);
    const last = b.rejected[b.rejected.length - 1]!;
    expect(last.expected).toBe('a complete gzip stream');
    expect(last.received).toMatch(/unexpected end of file/i);
    expect(last.source.line).toBeGreaterThan(b.records.length);
  });

  it('reads a directory recursively in sorted order, only .json/.jsonl/.jsonl.gz', async () => {
    const root = join(dir, 'tree');
    await mkdir(join(root, 'b', 'c'), { recursive: true });
    await writeFile(join(root, 'b', 'c', '2.json'), JSON.stringify(event(finding({ id: 'd2' }))));
    await writeFile(join(root, 'a.jsonl'), JSON.stringify(finding({ id: 'd1' })) + '\n' + JSON.stringify(finding({ id: 'd1b' })) + '\n');
    await writeFile(join(root, 'b', '3.jsonl.gz'), gzipSync(JSON.stringify(finding({ id: 'd3' }))));
    await writeFile(join(root, 'b', 'bad.json'), '{"Findings": [');
    await writeFile(join(root, 'README.md'), '# not input');
    await writeFile(join(root, 'notes.txt'), JSON.stringify(finding({ id: 'skipped' })));
    const b = await readFindings(root);
    expect(b.records.map((r) => (r as Finding).id)).toEqual(['d1', 'd1b', 'd3', 'd2']);
    expect(b.records.map((r) => r.source.name)).toEqual([join(root, 'a.jsonl'), join(root, 'a.jsonl'), join(root, 'b', '3.jsonl.gz'), join(root, 'b', 'c', '2.json')]);
    expect(b.rejected.map((e) => [e.source.name, e.path])).toEqual([[join(root, 'b', 'bad.json'), '$']]);
    expect(b.rejected[0]!.received).toMatch(/^truncated JSON/);
  });

  it('reads stdin ("-") in chunks that split lines and multi-byte characters', async () => {
    const text = [JSON.stringify(finding({ id: 's1', title: 'größe – ✓' })), JSON.stringify(finding({ id: 's2' }))].join('\n');
    const bytes = Buffer.from(text, 'utf8');
    const cut = bytes.indexOf(Buffer.from('ö')) + 1; // inside the two-byte ö
    const chunks = [bytes.subarray(0, cut), bytes.subarray(cut, cut + 7), bytes.subarray(cut + 7)];
    const b = await readFindings('-', { stdin: Readable.from(chunks) });
    expect(b.rejected).toEqual([]);
    expect(b.records.map((r) => [(r as Finding).id, (r as Finding).title, r.source])).toEqual([
      ['s1', 'größe – ✓', { name: '-', line: 1 }],
      ['s2', 'title', { name: '-', line: 2 }],
    ]);
  });

  it('reads gzip on stdin and a pretty-printed document on stdin', async () => {
    const gz = await readFindings('-', { stdin: Readable.from([gzipSync(JSON.stringify(finding({ id: 'z1' })) + '\n')]) });
    expect(gz.records.map((r) => (r as Finding).id)).toEqual(['z1']);
    const pretty = JSON.stringify({ Findings: [cliFinding()] }, null, 2);
    const doc = await readFindings('-', { stdin: Readable.from([pretty.slice(0, 50), pretty.slice(50)]) });
    expect(doc.rejected).toEqual([]);
    expect(doc.records.map((r) => [(r as Finding).id, r.source])).toEqual([['f1', { name: '-', index: 0 }]]);
  });

  it('throws UsageError for a target that does not exist', async () => {
    await expect(readFindings(join(dir, 'missing.json'))).rejects.toBeInstanceOf(UsageError);
    await expect(readFindings(join(dir, 'missing.json'))).rejects.toThrow(/ENOENT/);
  });
});
