/**
 * `npm run docs:playbooks`: regenerates the README's playbook table (src/docs/playbook-table.ts) from PLAYBOOKS, the
 * samples and the policies. `--check` exits 1 when README.md is stale instead of writing it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { readFindings } from '../findings/read-input.js';
import { PLAYBOOKS } from '../playbooks/playbook-list.js';
import { builtInPolicy, loadPolicy } from '../policy/load-policy.js';
import { renderPlaybookTable, replaceTable } from './playbook-table.js';

const ROOT = new URL('../../', import.meta.url);

/** The table as the code makes it now. */
export async function currentPlaybookTable(): Promise<string> {
  const { records } = await readFindings(fileURLToPath(new URL('samples', ROOT)));
  const example = await loadPolicy(fileURLToPath(new URL('examples/tourniquet.yaml', ROOT)));
  return renderPlaybookTable({ playbooks: PLAYBOOKS, builtIn: builtInPolicy(), example, samples: records });
}

export const README_PATH = fileURLToPath(new URL('README.md', ROOT));

async function main(check: boolean): Promise<number> {
  const readme = await readFile(README_PATH, 'utf8');
  const updated = replaceTable(readme, await currentPlaybookTable());
  if (updated === readme) {
    console.log('README.md playbook table is up to date');
    return 0;
  }
  if (check) {
    console.error('README.md playbook table is stale: run npm run docs:playbooks');
    return 1;
  }
  await writeFile(README_PATH, updated);
  console.log('README.md playbook table written');
  return 0;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main(process.argv.includes('--check'));
}
