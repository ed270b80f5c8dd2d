/**
 * Runs one demo scenario against a fresh moto_server: the emulator on a free loopback port, the AWS SDK pointed at
 * it through the environment (restored afterwards), an in-memory journal and a temporary evidence folder, then the
 * scenario's own steps and checks. Exit 0 only if every check held.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMotoServer } from '../aws/moto-server.js';
import { openRuntime } from '../cli/runtime.js';
import { MemoryNotifier } from '../notify/notification.js';
import { recordResponses, wrapUpDemo } from './demo-wrap-up.js';
import type { DemoCheck, DemoScenario } from './scenario.js';

export interface DemoOptions {
  readonly log?: (line: string) => void;
  /** Evidence folder (default: a new temporary folder). */
  readonly evidenceDir?: string;
  /** Where the demo's export and report are kept (default: `.tourniquet/demo/<scenario>` in the current directory). */
  readonly outputDir?: string;
}

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
export const EXAMPLE_POLICY = fileURLToPath(new URL('../../examples/tourniquet.yaml', import.meta.url));

export async function runDemoScenario(scenario: DemoScenario, options: DemoOptions = {}): Promise<{ checks: DemoCheck[]; ok: boolean }> {
  const log = options.log ?? ((l: string) => console.log(l));
  const checks: DemoCheck[] = [];
  const check = (name: string, ok: boolean, detail: string): void => {
    checks.push({ name, ok, detail });
    log(`  ${ok ? 'PASS' : 'FAIL'}  ${name}${detail ? `: ${detail}` : ''}`);
  };

  log('1. Starting moto_server (local AWS emulator) on a free loopback port…');
  const moto = await startMotoServer(scenario.emulatorEnv !== undefined ? { env: { ...scenario.emulatorEnv } } : {});
  const saved = { ...process.env };
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_ACCESS_KEY_ID: 'demo',
    AWS_SECRET_ACCESS_KEY: 'demo',
    AWS_REGION: REGION,
  });
  delete process.env.AWS_PROFILE;
  log(`   emulator at ${moto.endpoint}`);
  const clientConfig = { endpoint: moto.endpoint, region: REGION, credentials: { accessKeyId: 'demo', secretAccessKey: 'demo' } };
  const evidenceDir = options.evidenceDir ?? (await mkdtemp(join(tmpdir(), 'tourniquet-demo-')));
  const notifier = new MemoryNotifier();
  try {
    const runtime = await openRuntime({ journalPath: ':memory:', evidenceDir, policy: await policyPath(scenario) }, notifier);
    try {
      const responded = recordResponses(runtime);
      await scenario.run({ log, check, accountId: ACCOUNT, region: REGION, clientConfig, runtime, notifier, evidenceDir });
      await wrapUpDemo({ scenario: scenario.name, runtime, responded, log, check, ...(options.outputDir !== undefined ? { outputDir: options.outputDir } : {}) });
    } finally {
      await runtime.close();
    }
  } finally {
    await moto.stop();
    for (const k of ['AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_PROFILE']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
  // A scenario that checked nothing has proven nothing.
  const ok = checks.length > 0 && checks.every((x) => x.ok);
  log(ok ? `\nAll ${checks.length} checks held.` : `\n${checks.filter((x) => !x.ok).length} of ${checks.length} checks FAILED.`);
  return { checks, ok };
}

/** The scenario's policy file: its own text written to a temporary folder, its file, or the example policy. */
async function policyPath(scenario: DemoScenario): Promise<string> {
  if (scenario.policyYaml === undefined) return scenario.policyFile ?? EXAMPLE_POLICY;
  const file = join(await mkdtemp(join(tmpdir(), 'tourniquet-demo-policy-')), `${scenario.name}.yaml`);
  await writeFile(file, scenario.policyYaml);
  return file;
}
