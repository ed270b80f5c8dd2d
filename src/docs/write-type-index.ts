/**
 * `npm run data:type-index`: regenerates data/finding-type-index.json (src/findings/type-index.ts) from the full
 * catalogue.
 * `--check` exits 1 when the file is stale instead of writing it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { allTypes } from '../findings/type-catalogue.js';

export const TYPE_INDEX_PATH = fileURLToPath(new URL('../../data/finding-type-index.json', import.meta.url));

/** The file's text as the catalogue makes it now: one `[type, status, dataSource]` row a line. */
export function currentTypeIndex(): string {
  return `[\n${allTypes().map((t) => `  ${JSON.stringify([t.type, t.status, t.dataSource])}`).join(',\n')}\n]\n`;
}

async function main(check: boolean): Promise<number> {
  const text = currentTypeIndex();
  const old = await readFile(TYPE_INDEX_PATH, 'utf8').catch(() => '');
  if (old === text) {
    console.log('data/finding-type-index.json is up to date');
    return 0;
  }
  if (check) {
    console.error('data/finding-type-index.json is stale: run `npm run data:type-index`');
    return 1;
  }
  await writeFile(TYPE_INDEX_PATH, text);
  console.log('data/finding-type-index.json written');
  return 0;
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
