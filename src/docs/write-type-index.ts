/**
 * `npm run data:type-index`: regenerates data/finding-type-index.json (src/findings/type-index.ts) and
 * data/ai-finding-types.json (the AI-related types the intake admits at any severity, src/policy/finding-intake.ts)
 * from the full catalogue.
 * `--check` exits 1 when the file is stale instead of writing it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { AI_PROTECTION_TYPES } from '../findings/ai-context.js';
import { allTypes } from '../findings/type-catalogue.js';

export const TYPE_INDEX_PATH = fileURLToPath(new URL('../../data/finding-type-index.json', import.meta.url));
export const AI_TYPES_PATH = fileURLToPath(new URL('../../data/ai-finding-types.json', import.meta.url));

/**
 * The AI-related types, sorted: the AI Protection types, and current catalogued types from AI Protection or whose
 * name says Bedrock or SageMaker. Generated, so the Lambda's intake reads 2 KiB instead of the 20 KiB index.
 */
export function currentAiTypes(): string {
  const out = new Set<string>(AI_PROTECTION_TYPES);
  for (const t of allTypes()) {
    if (t.status !== 'retired' && (t.dataSource === 'AI Protection' || /bedrock|sagemaker/i.test(t.type))) out.add(t.type);
  }
  return `[\n${[...out].sort().map((t) => `  ${JSON.stringify(t)}`).join(',\n')}\n]\n`;
}

/** The file's text as the catalogue makes it now: one `[type, status, dataSource]` row a line. */
export function currentTypeIndex(): string {
  return `[\n${allTypes().map((t) => `  ${JSON.stringify([t.type, t.status, t.dataSource])}`).join(',\n')}\n]\n`;
}

async function writeOne(path: string, name: string, text: string, check: boolean): Promise<number> {
  const old = await readFile(path, 'utf8').catch(() => '');
  if (old === text) {
    console.log(`${name} is up to date`);
    return 0;
  }
  if (check) {
    console.error(`${name} is stale: run \`npm run data:type-index\``);
    return 1;
  }
  await writeFile(path, text);
  console.log(`${name} written`);
  return 0;
}

async function main(check: boolean): Promise<number> {
  const codes = [
    await writeOne(TYPE_INDEX_PATH, 'data/finding-type-index.json', currentTypeIndex(), check),
    await writeOne(AI_TYPES_PATH, 'data/ai-finding-types.json', currentAiTypes(), check),
  ];
  return Math.max(...codes);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.includes('--check')).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exitCode = 1;
    },
  );
}
