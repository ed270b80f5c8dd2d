/**
 * The README's architecture section shows the smallest action and the smallest playbook as they are: each block
 * marked `<!-- real file: path -->` must be that file, byte for byte.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);

describe('README architecture section', () => {
  it('embeds the real files it says it shows', async () => {
    const readme = await readFile(new URL('README.md', root), 'utf8');
    const blocks = [...readme.matchAll(/<!-- real file: (\S+) -->\n```ts\n([\s\S]*?)```\n/g)];
    expect(blocks.map((b) => b[1])).toEqual(['src/actions/ec2-enforce-imdsv2.ts', 'src/playbooks/record-only.ts']);
    for (const [, path, shown] of blocks) {
      const real = await readFile(new URL(path!, root), 'utf8');
      expect(shown, `README.md shows an old copy of ${path}: paste the file again`).toBe(real);
    }
  });
});
