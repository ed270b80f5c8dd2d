/**
 * `plan` and `respond` handle Malware Protection for S3 scan results as the respond handler does: THREATS_FOUND
 * becomes its `Object:S3/MaliciousFile` finding (one s3-object subject); a clean result is reported, nothing is done,
 * exit 0 (and respond opens no journal).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/run-cli.js';

const THREATS = join(import.meta.dirname, '../../../samples/events/MalwareProtection-S3-ObjectScanResult.eventbridge.json');

let dir: string;
let clean: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tourniquet-scan-cli-'));
  const event = JSON.parse(readFileSync(THREATS, 'utf8')) as { detail: { scanResultDetails: Record<string, unknown> } };
  event.detail.scanResultDetails = { scanResultStatus: 'NO_THREATS_FOUND', threats: null };
  clean = join(dir, 'clean.json');
  writeFileSync(clean, JSON.stringify(event));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('plan and respond with Malware Protection for S3 scan results', () => {
  it('plan: a THREATS_FOUND result is planned as Object:S3/MaliciousFile on its s3-object', async () => {
    const r = await runCli(['plan', THREATS]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Object:S3\/MaliciousFile malware-scan-a1bd61a9-8f5b-bd90-d03f-d02c44de7978 \(severity 8, High\)$/m);
    expect(r.out).toContain('subject s3-object ');
    expect(r.out).toContain('hide-object');
    const j = await runCli(['plan', THREATS, '--json']);
    const plans = JSON.parse(j.out) as Array<{ type: string; plans: Array<{ subject: { kind: string } }> }>;
    expect(plans.map((p) => [p.type, p.plans.map((x) => x.subject.kind)])).toEqual([['Object:S3/MaliciousFile', ['s3-object']]]);
  });

  it('respond (observe): a THREATS_FOUND result opens an incident on the object', async () => {
    const r = await runCli(['respond', THREATS, '--mode', 'observe', '--journal-path', ':memory:', '--evidence-dir', join(dir, 'cases')]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Object:S3\/MaliciousFile malware-scan-a1bd61a9-8f5b-bd90-d03f-d02c44de7978 → new incident$/m);
  });

  it('plan and respond: a NO_THREATS_FOUND result is reported as nothing to do, exit 0, no journal', async () => {
    const line = 'tourniquet: malware scan result NO_THREATS_FOUND for s3://bucketName/objectKey: no threat found: nothing to do\n';
    const p = await runCli(['plan', clean]);
    expect([p.code, p.err, p.out]).toEqual([0, line, '']);
    const journal = join(dir, 'journal');
    const r = await runCli(['respond', clean, '--journal-path', journal]);
    expect([r.code, r.err, r.out]).toEqual([0, line, '']);
    expect(existsSync(journal)).toBe(false);
  });
});
