/**
 * Error codes are one typed list (`ERROR_CODES` in src/errors.ts): no duplicates, every code raised somewhere,
 * docs/errors.md documents exactly the codes of the list, and marks exactly the CLI's bad-input codes as exit 2.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BAD_INPUT_CODES } from '../../src/cli/exit-codes.js';
import { ERROR_CODES, TourniquetError, type ErrorCode } from '../../src/errors.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

async function tsFiles(dir: string): Promise<string[]> {
  const entries = await readdir(join(root, dir), { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name));
}

/** The rows of the docs table: code and the rest of its row. */
async function documentedRows(): Promise<Array<{ code: string; row: string }>> {
  const doc = await readFile(join(root, 'docs/errors.md'), 'utf8');
  return [...doc.matchAll(/^\| `([^`]+)` \|(.*)$/gm)].map((m) => ({ code: m[1]!, row: m[2]! }));
}

describe('ERROR_CODES', () => {
  it('holds each code once', () => {
    const seen = new Set<string>();
    const twice = ERROR_CODES.filter((c) => seen.size === seen.add(c).size);
    expect(twice).toEqual([]);
    expect(ERROR_CODES.length).toBeGreaterThan(40);
  });

  it('holds only codes that some code raises', async () => {
    const files = [...(await tsFiles('src')), ...(await tsFiles('infra'))];
    let source = '';
    for (const f of files) {
      const text = await readFile(f, 'utf8');
      // The list itself does not count as raising a code.
      source += f.endsWith(join('src', 'errors.ts')) ? text.replace(/export const ERROR_CODES = \[[\s\S]*?\] as const;/, '') : text;
    }
    expect(ERROR_CODES.filter((c) => !source.includes(`'${c}'`))).toEqual([]);
  });

  it('types TourniquetError.code: a code outside the list does not compile', () => {
    // @ts-expect-error 'no.such-code' is not an ErrorCode (checked by tsc, which covers the tests).
    const err = new TourniquetError('no.such-code', 'x');
    const code: ErrorCode = new TourniquetError('usage', 'x').code;
    expect(code).toBe('usage');
    expect(ERROR_CODES).not.toContain(err.code);
  });
});

describe('docs/errors.md', () => {
  it('documents every code of the list, each once, and no other', async () => {
    const documented = (await documentedRows()).map((r) => r.code);
    expect([...documented].sort()).toEqual([...ERROR_CODES].sort());
  });

  it('marks exactly the CLI bad-input codes as exit 2', async () => {
    const exit2 = (await documentedRows()).filter((r) => r.row.includes('(exit 2)')).map((r) => r.code);
    expect(exit2.sort()).toEqual([...BAD_INPUT_CODES].sort());
  });
});
