/**
 * Playbook options from the edges: one options map (playbook name → options), validated against each playbook's
 * schema; docs/policy.md documents every option of every playbook.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { allowedKeysIn } from '../../../src/schema-keys.js';
import { PLAYBOOKS } from '../../../src/playbooks/playbook-list.js';
import { PlaybookOptionsError, parsePlaybookOptions } from '../../../src/playbooks/playbook-options.js';

describe('parsePlaybookOptions', () => {
  it('returns the validated options of each playbook named', () => {
    expect(parsePlaybookOptions({ 'ec2-instance': { isolationSettleSeconds: 2, autoScalingMethod: 'standby' }, none: {} }, 'test', PLAYBOOKS)).toEqual({
      'ec2-instance': { isolationSettleSeconds: 2, autoScalingMethod: 'standby' },
      none: {},
    });
    expect(parsePlaybookOptions({}, 'test', PLAYBOOKS)).toEqual({});
  });

  it('reports every problem in one error naming the source, the path and the value', () => {
    let err: unknown;
    try {
      parsePlaybookOptions({ 'ec2-instance': { isolationSettleSeconds: -1, blocklist: { bucket: 'Bad_Bucket', key: 'k', detectorId: 'd', threatIntelSetId: 's' } }, 'ec2-instanse': {} }, 'SOURCE', PLAYBOOKS);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PlaybookOptionsError);
    expect((err as PlaybookOptionsError).issues).toEqual([
      { path: 'ec2-instance.isolationSettleSeconds', message: 'expected a number of seconds from 0 to 600, received number -1' },
      { path: 'ec2-instance.blocklist.bucket', message: 'expected an S3 bucket name, received string "Bad_Bucket"' },
      { path: 'ec2-instanse', message: `unknown playbook "ec2-instanse" (did you mean "ec2-instance"?); known: ${PLAYBOOKS.map((p) => p.name).join(', ')}` },
    ]);
    expect((err as Error).message).toMatch(/^SOURCE: ec2-instance\.isolationSettleSeconds: expected .*; ec2-instance\.blocklist\.bucket: .*; ec2-instanse: unknown playbook/);
    expect(() => parsePlaybookOptions('{}', 'SOURCE', PLAYBOOKS)).toThrow(/SOURCE: \(options\): expected a mapping of playbook name to its options, received string/);
    expect(() => parsePlaybookOptions({ none: { x: 1 } }, 'SOURCE', PLAYBOOKS)).toThrow(/none: unknown key "x"; allowed: none \(this playbook has no options\)/);
  });
});

describe('docs/policy.md', () => {
  it('documents every option of every playbook, in a section of its own', async () => {
    const doc = await readFile(new URL('../../../docs/policy.md', import.meta.url), 'utf8');
    for (const playbook of PLAYBOOKS) {
      const start = doc.indexOf(`### \`${playbook.name}\``);
      expect(start, playbook.name).toBeGreaterThan(doc.indexOf('## Playbook options'));
      const section = doc.slice(start, doc.indexOf('\n### ', start + 1));
      for (const key of allowedKeysIn(playbook.options as z.ZodType, [])) expect(section, `${playbook.name}.${key}`).toContain(`\`${key}\``);
      for (const key of allowedKeysIn(playbook.options as z.ZodType, ['blocklist'])) expect(section, `${playbook.name}.blocklist.${key}`).toContain(`\`${key}\``);
    }
  });
});
