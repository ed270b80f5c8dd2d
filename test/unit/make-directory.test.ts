import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EnvironmentError } from '../../src/errors.js';
import { makeDirectory } from '../../src/make-directory.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tq-mkdir-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('makeDirectory', () => {
  it('creates missing levels and accepts an existing folder', async () => {
    const deep = join(root, 'a', 'b', 'c');
    await makeDirectory(deep);
    expect((await stat(deep)).isDirectory()).toBe(true);
    await makeDirectory(deep);
  });

  it('names the file that stands where a folder should be', async () => {
    await writeFile(join(root, 'file'), 'x');
    await expect(makeDirectory(join(root, 'file', 'sub'), 'the journal folder')).rejects.toThrow(
      new EnvironmentError(`cannot create the journal folder ${join(root, 'file', 'sub')}: ${join(root, 'file')} is a file, not a folder`),
    );
    await expect(makeDirectory(join(root, 'file'))).rejects.toThrow(/is a file, not a folder/);
  });

  // Node's mkdir({ recursive: true }) spins forever here: the kernel answers ENOENT although /proc/1 exists.
  it.skipIf(!existsSync('/proc/1'))('fails at once under /proc instead of spinning', async () => {
    const started = Date.now();
    await expect(makeDirectory('/proc/1/nonexist', 'the journal folder')).rejects.toThrow(
      'cannot create the journal folder /proc/1/nonexist: mkdir /proc/1/nonexist failed with ENOENT',
    );
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
