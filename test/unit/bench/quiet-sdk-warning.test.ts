/** Benches do not print the AWS SDK's NodeVersionSupportWarning (on Node 20 it came before every bench's figures). */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
const benchEntries = Object.entries(scripts)
  .filter(([name]) => name === 'bench' || name.startsWith('bench:'))
  .map(([name, command]) => [name, /^tsx (bench\/\S+\.ts)$/.exec(command)?.[1] ?? command] as const);

describe('bench entries', () => {
  it.each(benchEntries)('npm run %s (%s) imports the support module before anything else', (_name, entry) => {
    const firstImport = /^import .+$/m.exec(readFileSync(join(ROOT, entry), 'utf8'))?.[0];
    expect(firstImport).toBe("import './support/quiet-sdk-warning.js';");
  });

  it('an SDK client made after it prints no warning, where one made without it does', async () => {
    const env = { ...process.env };
    delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED; // vitest.config.ts sets it for the tests
    const run = (first: string) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `${first}\nconst { S3Client } = await import('@aws-sdk/client-s3');\nnew S3Client({ region: 'us-east-1' });`], { cwd: ROOT, env });
    const quiet = await run("import './bench/support/quiet-sdk-warning.ts';");
    expect(quiet.stderr).not.toContain('NodeVersionSupportWarning');
    const loud = await run('');
    // The SDK warns only on the Node versions it is about to drop.
    if (Number(process.versions.node.split('.')[0]) < 22) expect(loud.stderr).toContain('NodeVersionSupportWarning');
  });
});
