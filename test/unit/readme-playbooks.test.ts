/**
 * The README's playbook table is generated from the code (src/docs/playbook-table.ts): it must be what the code
 * makes now, so a playbook, step, action effect or example rule added without `npm run docs:playbooks` fails here.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { renderPlaybookTable, replaceTable, TABLE_END, TABLE_START } from '../../src/docs/playbook-table.js';
import { currentPlaybookTable, README_PATH } from '../../src/docs/write-playbook-table.js';
import { PLAYBOOKS } from '../../src/playbooks/playbook-list.js';
import { builtInPolicy } from '../../src/policy/load-policy.js';
import { definePlaybook } from '../../src/playbooks/define-playbook.js';
import type { StepAction } from '../../src/playbooks/plan-steps.js';
import { z } from 'zod';

describe('README playbook table', () => {
  it('is what `npm run docs:playbooks` generates now (run it when this fails)', async () => {
    const readme = await readFile(README_PATH, 'utf8');
    const table = await currentPlaybookTable();
    expect(readme.slice(readme.indexOf(TABLE_START), readme.indexOf(TABLE_END) + TABLE_END.length + 1), 'README.md playbook table is stale: run npm run docs:playbooks').toBe(table);
    expect(replaceTable(readme, table)).toBe(readme);
  });

  it('lists every registered playbook and every step, whatever PLAYBOOKS holds', async () => {
    const table = await currentPlaybookTable();
    for (const p of PLAYBOOKS) {
      expect(table).toContain(`\`${p.name}\` (`);
      for (const id of p.stepIds) expect(table).toContain(`| \`${id}\` |`);
    }
    // A playbook added to the list shows up with its steps, effect and reversibility.
    // Only what the table reads of an action: its name, effect and reversibility.
    const probe = { name: 'test.probe', effect: 'destructive', reversible: false, input: z.object({}) } as unknown as StepAction;
    const extra = definePlaybook({
      name: 'probe-playbook',
      subjectKinds: ['iam-user'],
      steps: { 'probe-step': probe },
      options: z.strictObject({}),
      plan: () => [],
    });
    const rendered = renderPlaybookTable({ playbooks: [extra, ...PLAYBOOKS], builtIn: builtInPolicy(), example: builtInPolicy(), samples: [] });
    expect(rendered).toContain('| — | `probe-playbook` (iam-user) | `probe-step` | `test.probe` | destructive | no | waits for approval | waits for approval |');
  });
});
