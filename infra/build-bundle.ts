/**
 * Bundles the Lambda handlers with esbuild into infra/dist/lambda/ (one `.mjs` file per handler plus shared chunks;
 * the folder is the functions' code archive). ESM output keeps `import.meta.url` and top-level await working; the banner defines
 * `require` for CommonJS dependencies bundled inside. `--main-fields=module,main` bundles the AWS SDK's ESM build
 * (smallest, fastest cold start measured here; see toolchain-notes). Target node20 (runs on nodejs22.x).
 *
 * Run directly: `node --import tsx infra/build-bundle.ts` prints each file's size, the bytes each handler loads at
 * import, and the median import time in fresh processes.
 */
import { existsSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';
import { build, type Plugin } from 'esbuild';
import { TourniquetError } from '../src/errors.js';
import { sdkSchemaKeysPlugin } from './esbuild-sdk-schema-keys.js';
import { zodNamespacePlugin, zodWholeWarning } from './esbuild-zod-namespace.js';

export const INFRA_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(INFRA_DIR, '..');
export const DEFAULT_BUNDLE_DIR = join(INFRA_DIR, 'dist', 'lambda');

/** Output file stem (Lambda handler `<stem>.handler`) → entry, relative to the repository root. */
export const LAMBDA_ENTRIES: Readonly<Record<string, string>> = {
  'respond-handler': 'src/lambda/respond-handler.ts',
  'approval-handler': 'src/lambda/approval-handler.ts',
};

/**
 * Packages for local runs only, replaced in the bundle by a stub that throws when called: the embedded DynamoDB
 * emulator carries a native addon and is never used in Lambda (the journal table is always given there). Today it is
 * loaded by path in the embedded journal's worker thread, never imported; the stub keeps a static import that creeps
 * back from pulling it into the bundle (a stub rather than `external`: a missing package would fail at cold start).
 */
export const LOCAL_ONLY_PACKAGES: readonly string[] = ['dynalite'];

const localOnlyStub: Plugin = {
  name: 'tourniquet-local-only-stub',
  setup(b) {
    const filter = new RegExp(`^(${LOCAL_ONLY_PACKAGES.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`);
    b.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'tourniquet-local-only' }));
    b.onLoad({ filter: /.*/, namespace: 'tourniquet-local-only' }, (args) => ({
      contents: `export default function localOnly() { throw new Error(${JSON.stringify(`${args.path} is for local runs and is not in the Lambda bundle`)}); }`,
      loader: 'js',
    }));
  },
};

export const ESM_REQUIRE_BANNER =
  "import { createRequire as __tourniquetCreateRequire } from 'node:module'; const require = __tourniquetCreateRequire(import.meta.url);";

export interface BundleOptions {
  readonly repoRoot?: string;
  readonly outdir?: string;
  readonly entries?: Readonly<Record<string, string>>;
  readonly minify?: boolean;
  /**
   * Default true: the plugins that let esbuild drop unused AWS SDK schemas and unused zod (esbuild-sdk-schema-keys.ts,
   * esbuild-zod-namespace.ts). `false` builds without them (bench:coldstart's same-run baseline).
   */
  readonly treeShakeDependencies?: boolean;
}

export interface BundleFile {
  readonly name: string;
  readonly bytes: number;
}

export interface BundleResult {
  readonly outdir: string;
  readonly files: readonly BundleFile[];
  readonly totalBytes: number;
  readonly warnings: readonly string[];
  /** Per handler: the bytes its import loads (the file and the chunks it imports statically, transitively). */
  readonly loadedBytes: Readonly<Record<string, number>>;
  /** Per handler: those files (absolute paths). */
  readonly loadedFiles: Readonly<Record<string, readonly string[]>>;
  /** Per handler: the source files bundled into them (esbuild's input paths, relative to the repository). */
  readonly loadedSources: Readonly<Record<string, readonly string[]>>;
  /**
   * What the respond handler loads for one EC2 finding, from the metafile: its import plus the EC2 playbook's chunk
   * and the chunks that chunk imports (the engine loads a playbook with `import()` the first time a subject needs
   * it). `npm run bench:coldstart` measures the same path in a real process.
   */
  readonly ec2PathBytes?: number;
  /** Per handler: those bytes by package (`@aws-sdk/client-ec2`, `zod`, `src` …), largest first. */
  readonly loadedByPackage: Readonly<Record<string, ReadonlyArray<readonly [string, number]>>>;
}

interface MetafileOutputs {
  readonly [path: string]: {
    readonly bytes: number;
    readonly imports: ReadonlyArray<{ readonly path: string; readonly kind: string }>;
    readonly inputs: { readonly [input: string]: { readonly bytesInOutput: number } };
  };
}

/** The outputs an entry loads before its first line runs: static imports, transitively (dynamic imports excluded). */
export function staticClosure(outputs: MetafileOutputs, entry: string): string[] {
  const seen = new Set<string>();
  const stack = [entry];
  while (stack.length > 0) {
    const path = stack.pop()!;
    if (seen.has(path) || outputs[path] === undefined) continue;
    seen.add(path);
    for (const imp of outputs[path].imports) if (imp.kind === 'import-statement') stack.push(imp.path);
  }
  return [...seen];
}

/** Bytes of those outputs by source package (`src` for the project's own code), largest first. */
function bytesByPackage(outputs: MetafileOutputs, paths: readonly string[]): Array<[string, number]> {
  const totals = new Map<string, number>();
  for (const path of paths) {
    for (const [input, { bytesInOutput }] of Object.entries(outputs[path]!.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? 'src';
      totals.set(pkg, (totals.get(pkg) ?? 0) + bytesInOutput);
    }
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
}

/** Entries whose source file does not exist yet. */
export function missingEntries(entries: Readonly<Record<string, string>> = LAMBDA_ENTRIES, repoRoot = REPO_ROOT): string[] {
  return Object.values(entries).filter((entry) => !existsSync(join(repoRoot, entry)));
}

export async function buildLambdaBundle(options: BundleOptions = {}): Promise<BundleResult> {
  const repoRoot = options.repoRoot ?? REPO_ROOT;
  const outdir = options.outdir ?? DEFAULT_BUNDLE_DIR;
  const entries = options.entries ?? LAMBDA_ENTRIES;
  const missing = missingEntries(entries, repoRoot);
  if (missing.length > 0) {
    throw new TourniquetError(
      'infra.bundle-missing-entry',
      `cannot bundle the Lambda handlers: missing ${missing.join(', ')} (each must export \`handler\`)`,
    );
  }
  await rm(outdir, { recursive: true, force: true });
  let result;
  try {
    result = await build({
      absWorkingDir: repoRoot,
      entryPoints: Object.entries(entries).map(([out, entry]) => ({ in: entry, out })),
      outdir,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      outExtension: { '.js': '.mjs' },
      mainFields: ['module', 'main'],
      banner: { js: ESM_REQUIRE_BANNER },
      plugins: options.treeShakeDependencies === false ? [localOnlyStub] : [localOnlyStub, sdkSchemaKeysPlugin, zodNamespacePlugin],
      // Shared code goes to chunks/ once instead of into each handler file.
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      minify: options.minify ?? true,
      sourcemap: false,
      legalComments: 'eof',
      metafile: true,
      logLevel: 'silent',
    });
  } catch (cause) {
    throw new TourniquetError('infra.bundle-failed', `esbuild could not bundle the Lambda handlers: ${String(cause)}`, { cause });
  }
  const files: BundleFile[] = [];
  for (const path of Object.keys(result.metafile.outputs)) {
    const absolute = resolve(repoRoot, path);
    files.push({ name: relative(outdir, absolute), bytes: (await stat(absolute)).size });
  }
  files.sort((a, b) => a.name.localeCompare(b.name));
  const warnings = result.warnings.map((w) => `${w.location?.file ?? ''}:${w.location?.line ?? ''} ${w.text}`);
  const zodWhole = zodWholeWarning(result.metafile);
  if (zodWhole !== undefined) warnings.push(zodWhole);
  const loadedBytes: Record<string, number> = {};
  const loadedFiles: Record<string, string[]> = {};
  const loadedSources: Record<string, string[]> = {};
  const loadedByPackage: Record<string, Array<[string, number]>> = {};
  const outputs = result.metafile.outputs;
  for (const stem of Object.keys(entries)) {
    const entryOut = Object.keys(outputs).find((path) => resolve(repoRoot, path) === join(outdir, `${stem}.mjs`));
    if (entryOut === undefined) continue;
    const loaded = staticClosure(outputs, entryOut);
    loadedBytes[stem] = loaded.reduce((sum, path) => sum + outputs[path]!.bytes, 0);
    loadedFiles[stem] = loaded.map((path) => resolve(repoRoot, path));
    loadedSources[stem] = [...new Set(loaded.flatMap((path) => Object.keys(outputs[path]!.inputs)))].sort();
    loadedByPackage[stem] = bytesByPackage(outputs, loaded);
  }
  const respondOut = Object.keys(outputs).find((path) => resolve(repoRoot, path) === join(outdir, 'respond-handler.mjs'));
  const ec2Chunk = Object.keys(outputs).find((path) => outputs[path]!.inputs['src/playbooks/ec2-instance.ts'] !== undefined);
  const ec2PathBytes =
    respondOut !== undefined && ec2Chunk !== undefined
      ? [...new Set([...staticClosure(outputs, respondOut), ...staticClosure(outputs, ec2Chunk)])].reduce((sum, path) => sum + outputs[path]!.bytes, 0)
      : undefined;
  return {
    outdir,
    files,
    totalBytes: files.reduce((sum, f) => sum + f.bytes, 0),
    warnings,
    loadedBytes,
    loadedFiles,
    loadedSources,
    loadedByPackage,
    ...(ec2PathBytes !== undefined ? { ec2PathBytes } : {}),
  };
}

/**
 * Median wall time of importing `file` in a fresh Node process (cold module load, as at a Lambda cold start), over
 * `runs` processes. The Lambda runtime is built on the first invocation, so the import is what a cold start pays first.
 */
export function measureImportMs(file: string, runs = 3): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, AWS_REGION: process.env.AWS_REGION ?? 'us-east-1' } });
    times.push(Number(out));
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** Targets for the respond handler (issue 8): what an EC2 finding loads, and how long the import takes. */
export const RESPOND_PATH_TARGET = { bytes: 1_000_000, importMs: 300 } as const;

export function formatBundleReport(result: BundleResult, importMs?: Readonly<Record<string, number>>): string {
  const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;
  return [
    `Lambda bundle in ${relative(REPO_ROOT, result.outdir) || '.'}:`,
    ...result.files.map((f) => `  ${f.name.padEnd(28)} ${kib(f.bytes)}`),
    `  total                        ${kib(result.totalBytes)}`,
    ...Object.entries(result.loadedBytes).map(
      ([stem, bytes]) =>
        `  ${stem} loads ${kib(bytes)} at import` +
        (importMs?.[stem] !== undefined ? `, imports in ${importMs[stem].toFixed(0)} ms (median of 3 cold processes)` : '') +
        (stem === 'respond-handler' ? ` (target ≤ ${RESPOND_PATH_TARGET.bytes.toLocaleString('en-US')} bytes, ≤ ${RESPOND_PATH_TARGET.importMs} ms)` : '') +
        `\n    largest: ${(result.loadedByPackage[stem] ?? []).slice(0, 8).map(([pkg, n]) => `${pkg} ${kib(n)}`).join(', ')}`,
    ),
    ...targetCheck(result, importMs?.['respond-handler']),
    ...result.warnings.map((w) => `  warning: ${w}`),
  ].join('\n');
}

/**
 * The issue-8 targets, met or missed and by how much: what one EC2 finding loads (the handler's import and the EC2
 * playbook's chunks; `npm run bench:coldstart` measures the same path in a real process) and the import time.
 */
function targetCheck(result: BundleResult, importMs: number | undefined): string[] {
  const bytes = result.ec2PathBytes ?? result.loadedBytes['respond-handler'];
  if (bytes === undefined) return [];
  const n = (x: number): string => x.toLocaleString('en-US');
  const verdict = (value: number, target: number, unit: string): string =>
    value <= target ? `met (${n(Math.round(value))} ${unit} ≤ ${n(target)})` : `MISSED by ${n(Math.round(value - target))} ${unit} (${n(Math.round(value))} > ${n(target)})`;
  return [
    `  target check, respond-handler: bytes one EC2 finding loads ${verdict(bytes, RESPOND_PATH_TARGET.bytes, 'bytes')}` +
      (importMs !== undefined ? `; import ${verdict(importMs, RESPOND_PATH_TARGET.importMs, 'ms')}` : '') +
      ' (the import plus the EC2 playbook\'s chunks, from the metafile; `npm run bench:coldstart` measures the path and the initialisation in a process)',
  ];
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildLambdaBundle()
    .then((result) => {
      const importMs = Object.fromEntries(Object.keys(result.loadedBytes).map((stem) => [stem, measureImportMs(join(result.outdir, `${stem}.mjs`))]));
      console.log(formatBundleReport(result, importMs));
    })
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    });
}
