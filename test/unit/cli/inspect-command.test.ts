import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/run-cli.js';

const SAMPLES = join(import.meta.dirname, '../../../samples');
const sample = (rel: string): string => join(SAMPLES, rel);
const GPU_BTC = sample('synthesized/CryptoCurrency-EC2-BitcoinTool.B-DNS.gpu-p4d.SYNTHESIZED.json');

/** Lines of the table whose first column starts with `type`. */
function rowsFor(out: string, type: string): string[] {
  return out.split('\n').filter((l) => l.startsWith(`${type} `));
}

describe('tourniquet inspect', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tourniquet-inspect-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows type, band, subjects, AI context and source for a GPU instance finding', async () => {
    const r = await runCli(['inspect', GPU_BTC]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^TYPE\s+BAND\s+SUBJECTS\s+AI CONTEXT\s+SAMPLE\s+SOURCE$/);
    const [row] = rowsFor(r.out, 'CryptoCurrency:EC2/BitcoinTool.B!DNS');
    expect(row).toContain('High (8)');
    expect(row).toContain('ec2-instance:i-0f1e2d3c4b5a69788');
    expect(row).toMatch(/AI: [^ ]*accelerator-instance/);
    expect(row).toContain('ai-tag');
    expect(row).not.toContain('SAMPLE');
    expect(row).toContain('CryptoCurrency-EC2-BitcoinTool.B-DNS.gpu-p4d.SYNTHESIZED.json');
    expect(r.out).toContain('1 finding(s), 0 scan result(s)');
  });

  it('flags sample findings and reads a whole folder of every resource type', async () => {
    const r = await runCli(['inspect', sample('synthesized')]);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    for (const type of [
      'Backdoor:EC2/C&CActivity.B',
      'AttackSequence:EC2/CompromisedInstanceGroup',
      'Impact:Runtime/CryptoMinerExecuted',
      'CryptoCurrency:Lambda/BitcoinTool.B',
      'Object:S3/MaliciousFile',
      'Impact:IAMUser/CostHarvesting',
      'Impact:IAMUser/PromptInjection.Direct',
    ]) {
      expect(rowsFor(r.out, type), type).toHaveLength(1);
    }
    expect(rowsFor(r.out, 'AttackSequence:EC2/CompromisedInstanceGroup')[0]).toContain('Critical (9)');
    expect(rowsFor(r.out, 'Impact:IAMUser/PromptInjection.Direct')[0]).toMatch(/AI: .*ai-protection-type/);
    expect(rowsFor(r.out, 'Impact:Runtime/CryptoMinerExecuted')[0]).toContain('ecs-task:');
    expect(r.out).toMatch(/^S3 malware scan COMPLETED\/THREATS_FOUND EICAR-Test-File \(not a virus\)\s/m);

    const samples = await runCli(['inspect', sample('events/CryptoCurrency-EC2-BitcoinTool.B.eventbridge.json')]);
    expect(rowsFor(samples.out, 'CryptoCurrency:EC2/BitcoinTool.B')[0]).toContain('SAMPLE');
  });

  it('reads a gzipped S3 export and reports line numbers', async () => {
    const r = await runCli(['inspect', sample('exports/elastic-sample-findings-part1.jsonl.gz')]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('52 finding(s), 0 scan result(s)');
    const root = rowsFor(r.out, 'Policy:IAMUser/RootCredentialUsage');
    expect(root).toHaveLength(2);
    // Line 52 is the one real (non-sample) finding in that export.
    const real = root.find((l) => l.endsWith(':52'));
    expect(real).toBeDefined();
    expect(real).not.toContain('SAMPLE');
    expect(real).toContain('root:');
  });

  it('reads AWS CLI get-findings output (PascalCase) and EventBridge arrays', async () => {
    const cli = await runCli(['inspect', sample('cli/get-findings.gpu-p4d-bitcointool-dns.json')]);
    expect(cli.code).toBe(0);
    const [row] = rowsFor(cli.out, 'CryptoCurrency:EC2/BitcoinTool.B!DNS');
    expect(row).toContain('ec2-instance:i-0f1e2d3c4b5a69788');
    expect(row).toMatch(/get-findings\.gpu-p4d-bitcointool-dns\.json\[0\]$/);

    const arr = await runCli(['inspect', sample('arrays/eventbridge-events.array.json')]);
    expect(arr.code).toBe(0);
    expect(arr.out).toContain('3 finding(s), 1 scan result(s)');
    expect(rowsFor(arr.out, 'UnauthorizedAccess:IAMUser/TorIPCaller')[0]).toMatch(/SAMPLE\s+eventbridge-events\.array\.json\[1\]$/);
  });

  it('marks subjects the parser inferred, such as the instance behind an instance-role session', async () => {
    const file = sample('synthesized/UnauthorizedAccess-IAMUser-InstanceCredentialExfiltration.OutsideAWS.gpu-p4d.SYNTHESIZED.json');
    const r = await runCli(['inspect', file]);
    const [row] = rowsFor(r.out, 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS');
    expect(row).toContain('access-key:ASIA3XFRBF23EXAMPLE7');
    expect(row).toContain('ec2-instance:i-0f1e2d3c4b5a69788*');
    expect(r.out).toContain('* inferred from the finding');
  });

  it('prints the normalized model as JSON with --json', async () => {
    const file = sample('synthesized/UnauthorizedAccess-IAMUser-InstanceCredentialExfiltration.OutsideAWS.gpu-p4d.SYNTHESIZED.json');
    const r = await runCli(['inspect', file, '--json']);
    expect(r.code).toBe(0);
    const body = JSON.parse(r.out) as {
      records: Array<{ kind: string; type: { raw: string; mechanism?: string }; band: string; accountId: string; subjects: Array<{ kind: string; id: string }> }>;
      rejected: unknown[];
    };
    expect(body.rejected).toEqual([]);
    expect(body.records).toHaveLength(1);
    const [f] = body.records;
    expect(f).toMatchObject({
      kind: 'finding',
      accountId: '111122223333',
      band: 'High',
      type: { raw: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS', mechanism: 'OutsideAWS' },
    });
    expect(f?.subjects.map((s) => `${s.kind}:${s.id}`)).toEqual(expect.arrayContaining(['access-key:ASIA3XFRBF23EXAMPLE7']));
  });

  it('exits 2 and lists rejected records with source:line, path, expected and received', async () => {
    const good = readFileSync(sample('exports/elastic-sample-findings-part1.jsonl'), 'utf8').split('\n')[0] ?? '';
    const bad = JSON.stringify({ ...JSON.parse(good), type: 'not a type' });
    const file = join(dir, 'mixed.jsonl');
    writeFileSync(file, `${good}\n${bad}\n`);

    const r = await runCli(['inspect', file]);
    expect(r.code).toBe(2);
    expect(rowsFor(r.out, 'Impact:S3/MaliciousIPCaller')).toHaveLength(1);
    expect(r.err).toMatch(/^rejected .*mixed\.jsonl:2: \$\.type: expected .*finding type.*, received string "not a type"$/m);

    const json = await runCli(['inspect', file, '--json']);
    expect(json.code).toBe(2);
    const body = JSON.parse(json.out) as { records: unknown[]; rejected: Array<Record<string, unknown>> };
    expect(body.records).toHaveLength(1);
    expect(body.rejected).toHaveLength(1);
    expect(body.rejected[0]).toMatchObject({ path: '$.type', received: 'string "not a type"', source: { name: file, line: 2 } });
    expect(body.rejected[0]?.['location']).toBe(`${file}:2`);
  });

  it('uses --ai-tag-key instead of the built-in tag keys', async () => {
    const file = sample('events/CryptoCurrency-EC2-BitcoinTool.B.eventbridge.json'); // m3.xlarge, GeneratedFindingInstaceTag1…
    const plain = await runCli(['inspect', file]);
    expect(rowsFor(plain.out, 'CryptoCurrency:EC2/BitcoinTool.B')[0]).not.toContain('ai-tag');
    const tagged = await runCli(['inspect', file, '--ai-tag-key', 'GeneratedFindingInstaceTag1']);
    expect(tagged.code).toBe(0);
    expect(rowsFor(tagged.out, 'CryptoCurrency:EC2/BitcoinTool.B')[0]).toMatch(/AI: .*ai-tag/);
  });

  it('never lets attacker-controlled strings reach the terminal as control characters', async () => {
    const event = JSON.parse(readFileSync(sample('events/MalwareProtection-S3-ObjectScanResult.eventbridge.json'), 'utf8')) as {
      detail: { s3ObjectDetails: { objectKey: string }; scanResultDetails: { threats: Array<{ name: string }> } };
    };
    event.detail.s3ObjectDetails.objectKey = 'uploads/\u001b]0;pwned\u0007\u001b[2Jmodel.pkl';
    event.detail.scanResultDetails.threats = [{ name: 'EICAR\u001b[8m hidden' }];
    const file = join(dir, 'hostile-\u001b[31m.json');
    writeFileSync(file, JSON.stringify(event));

    const r = await runCli(['inspect', file]);
    expect(r.code).toBe(0);
    // eslint-disable-next-line no-control-regex -- asserting their absence
    expect(r.out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(r.out).toContain('EICAR\\x1b[8m hidden');
    expect(r.out).toContain('\\x1b[31m.json');
  });
});
