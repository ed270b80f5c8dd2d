/**
 * The Tourniquet Pulumi program built under the offline mocks (test/infra/helpers/pulumi-mocks.ts): raw
 * `tourniquet:*` configuration in, every captured resource (inputs, outputs, options) and the stack outputs out.
 * A fake, empty Lambda bundle folder stands in for esbuild unless the test gives one.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RawTourniquetConfig } from '../../infra/config.js';
import type { StackOptions } from '../../infra/program.js';
import { buildStack, type ResourceCapture } from '../infra/helpers/pulumi-mocks.js';

let fakeBundleDir: string | undefined;

export async function buildTourniquetStack(
  raw: RawTourniquetConfig = {},
  options: Omit<StackOptions, 'config'> = {},
): Promise<{ capture: ResourceCapture; outputs: Record<string, unknown> }> {
  // Imported on first use: the program pulls in @pulumi/aws and the IAM generator, which files that only need the
  // helpers should not load.
  const { parseTourniquetConfig } = await import('../../infra/config.js');
  const { createTourniquetStack } = await import('../../infra/program.js');
  const bundleDir = options.bundleDir ?? (fakeBundleDir ??= mkdtempSync(join(tmpdir(), 'tourniquet-bundle-')));
  return buildStack(() => createTourniquetStack({ ...options, config: parseTourniquetConfig(raw), bundleDir }));
}
