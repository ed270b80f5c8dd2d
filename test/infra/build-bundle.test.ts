/**
 * The Lambda bundle builds during `npm test`, loads, and exports each handler; its size is printed.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LAMBDA_ENTRIES, buildLambdaBundle, formatBundleReport, missingEntries } from '../../infra/build-bundle.js';

describe('Lambda bundle', () => {
  it('every handler entry exists', () => {
    expect(missingEntries()).toEqual([]);
  });

  it('bundles every handler as ESM with shared chunks, loadable without node_modules for local-only packages', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'tourniquet-bundle-'));
    const result = await buildLambdaBundle({ outdir });
    console.log(formatBundleReport(result));

    const names = result.files.map((f) => f.name);
    for (const stem of Object.keys(LAMBDA_ENTRIES)) expect(names).toContain(`${stem}.mjs`);
    expect(result.totalBytes).toBeGreaterThan(10_000);
    // Lambda zip limit is 50 MB zipped / 250 MB unzipped; keep the bundle far below.
    expect(result.totalBytes).toBeLessThan(20 * 1024 * 1024);

    // What an import loads: the handler file plus its static chunks, no more than the whole bundle.
    const handlerFile = result.files.find((f) => f.name === 'respond-handler.mjs')!;
    expect(result.loadedBytes['respond-handler']).toBeGreaterThan(handlerFile.bytes);
    expect(result.loadedBytes['respond-handler']).toBeLessThanOrEqual(result.totalBytes);
    const loaded = result.loadedByPackage['respond-handler']!.map(([pkg]) => pkg);
    const all = (): string => result.files.map((f) => readFileSync(join(outdir, f.name), 'utf8')).join('\n');
    expect(loaded).toContain('@aws-sdk/client-ec2');
    // GuardDuty is loaded by the step that needs it (src/actions/guardduty-sdk.ts): in the bundle, not in the import.
    expect(loaded).not.toContain('@aws-sdk/client-guardduty');
    // Lambda and RDS likewise (src/actions/lambda-sdk.ts, rds-sdk.ts).
    expect(loaded).not.toContain('@aws-sdk/client-lambda');
    expect(loaded).not.toContain('@aws-sdk/client-rds');
    expect(result.totalBytes - result.loadedBytes['respond-handler']!).toBeGreaterThan(100 * 1024);
    // Loaded on first use (src/lambda/lazy-sns-notifier.ts, lambda-runtime.ts): not at import.
    expect(loaded).not.toContain('@aws-sdk/client-sns');
    expect(loaded).not.toContain('@aws-sdk/client-secrets-manager');
    // Playbooks are loaded per subject (src/playbooks/playbook-catalog.ts): at import, no playbook and none of their
    // actions, not even the EC2 one's (the playbook list, which loads them all, is for the CLI and the validator);
    // the EC2 playbook's fleet clients come with it. Each is in the bundle, in a chunk of its own.
    const sources = result.loadedSources['respond-handler']!;
    expect(sources).toContain('src/playbooks/playbook-catalog.ts');
    expect(sources.filter((f) => /^src\/playbooks\/(ec2-instance|iam-user|bedrock-model|sagemaker-notebook|playbook-list)\.ts$/.test(f))).toEqual([]);
    expect(sources.filter((f) => /^src\/actions\/(ec2-isolate-network-interfaces|iam-user-deactivate-access-keys|bedrock-stop-principal-resources)\.ts$/.test(f))).toEqual([]);
    for (const action of ['ec2.isolate-network-interfaces', 'iam.deactivate-user-access-keys', 'bedrock.stop-principal-resources']) expect(all(), action).toContain(`"${action}"`);
    expect(loaded).not.toContain('@aws-sdk/client-elastic-load-balancing-v2');
    expect(loaded).not.toContain('@aws-sdk/client-auto-scaling');
    // What one EC2 finding loads: the import plus the EC2 playbook's chunks, within issue 8's budget (bytes, not time).
    expect(result.ec2PathBytes).toBeGreaterThan(result.loadedBytes['respond-handler']!);
    expect(result.ec2PathBytes).toBeLessThanOrEqual(1_000_000);
    // STS only to assume a member account's role (src/aws/sts-sdk.ts): the Lambda knows its own account.
    expect(loaded).not.toContain('@aws-sdk/client-sts');
    // Nor the YAML parser: the deployed policy arrives compiled (src/policy/compiled-policy.ts).
    expect(loaded).not.toContain('yaml');
    // Tree-shaken (infra/esbuild-sdk-schema-keys.ts, esbuild-zod-namespace.ts): whole, they are ~555 and ~445 KiB.
    const bytesOf = (pkg: string): number => result.loadedByPackage['respond-handler']!.find(([p]) => p === pkg)?.[1] ?? 0;
    expect(bytesOf('@aws-sdk/client-ec2')).toBeLessThan(200 * 1024);
    expect(bytesOf('zod')).toBeLessThan(150 * 1024);
    expect(result.warnings.filter((w) => w.includes('zod is bundled whole'))).toEqual([]);

    expect(all()).not.toMatch(/from\s*["']dynalite["']/);
    expect(readFileSync(join(outdir, 'respond-handler.mjs'), 'utf8')).toContain('__tourniquetCreateRequire');

    for (const stem of Object.keys(LAMBDA_ENTRIES)) {
      const module = (await import(pathToFileURL(join(outdir, `${stem}.mjs`)).href)) as { handler?: unknown };
      expect(typeof module.handler, stem).toBe('function');
    }
  });

  it('a missing entry fails with its path', async () => {
    await expect(buildLambdaBundle({ outdir: mkdtempSync(join(tmpdir(), 'x-')), entries: { nope: 'src/lambda/nope-handler.ts' } })).rejects.toThrow(
      'cannot bundle the Lambda handlers: missing src/lambda/nope-handler.ts',
    );
  });
});
