/**
 * The two esbuild plugins that let the Lambda bundle tree-shake the AWS SDK's schemas and zod: each rewrite keeps
 * the code's meaning, and with it the bundler drops what is unused (without it, it keeps everything).
 */
import { describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { inlineSchemaKeys } from '../../infra/esbuild-sdk-schema-keys.js';
import { zodNamespaceImport, zodWholeWarning } from '../../infra/esbuild-zod-namespace.js';

const SCHEMAS = [
  'const _eQN = "ec2QueryName";',
  'const _xN = "xmlName";',
  'const _p = "__proto__";',
  'const n0 = "com.amazonaws.ec2";',
  'export var A$ = [3, n0, "A", 0, ["x"], [[0, { [_eQN]: `X`,',
  '    [_xN]: "x" }]]];',
  'export var B$ = [3, n0, "B", 0, ["y"], [[() => A$, 0]]];',
  'export var C$ = [3, n0, "C", 0, ["z"], [[0, { [_p]: 1 }]]];',
  'export var D$ = [3, n0, "D", 0, ["w"], [[0, { [_xN]: "d" }]]];',
].join('\n');

async function bundle(files: Record<string, string>, entry: string): Promise<string> {
  const result = await build({
    stdin: { contents: files[entry]!, resolveDir: '/', sourcefile: entry },
    bundle: true,
    format: 'esm',
    write: false,
    minifySyntax: true,
    plugins: [
      {
        name: 'memory',
        setup(b) {
          b.onResolve({ filter: /^\.\/.+/ }, (args) => ({ path: args.path.slice(2), namespace: 'memory' }));
          b.onLoad({ filter: /.*/, namespace: 'memory' }, (args) => ({ contents: files[args.path]!, loader: 'js' }));
        },
      },
    ],
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

describe('inlineSchemaKeys', () => {
  it('replaces computed keys of string constants with the literal, leaves __proto__ computed', () => {
    const { contents, replaced } = inlineSchemaKeys(SCHEMAS);
    expect(replaced).toBe(3);
    expect(contents).toContain('{ "ec2QueryName": `X`,');
    expect(contents).toContain('"xmlName": "x" }');
    expect(contents).toContain('{ [_p]: 1 }');
  });

  it('the same objects: evaluated before and after, the shapes are equal', async () => {
    const load = async (src: string): Promise<unknown> => {
      const mod = (await import(`data:text/javascript,${encodeURIComponent(src)}`)) as Record<string, unknown[]>;
      return JSON.stringify([mod.A$, mod.C$, Object.getPrototypeOf((mod.C$![5] as unknown[][])[0]![1])]);
    };
    expect(await load(inlineSchemaKeys(SCHEMAS).contents)).toEqual(await load(SCHEMAS));
  });

  it('lets the bundler drop the shapes nobody imports (it keeps them without the rewrite)', async () => {
    const main = 'import { A$ } from "./schemas.js"; console.log(A$);';
    const before = await bundle({ 'main.js': main, 'schemas.js': SCHEMAS }, 'main.js');
    const after = await bundle({ 'main.js': main, 'schemas.js': inlineSchemaKeys(SCHEMAS).contents }, 'main.js');
    expect(before).toContain('"D"');
    expect(after).not.toContain('"D"');
    expect(after).toContain('"A"');
  });
});

describe('zod namespace import', () => {
  it('rewrites the named import of z to the namespace import, nothing else', () => {
    const src = "import { z } from 'zod';\nimport type { ZodType } from 'zod';\nconst s = z.string();\n";
    expect(zodNamespaceImport(src)).toBe("import * as z from 'zod';\nimport type { ZodType } from 'zod';\nconst s = z.string();\n");
  });

  it('warns when a non-English zod locale is in the output, not when it was only read', () => {
    const out = (bytes: number) => ({ outputs: { 'a.mjs': { bytes: 1, imports: [], exports: [], inputs: { 'node_modules/zod/v4/locales/he.js': { bytesInOutput: bytes }, 'node_modules/zod/v4/locales/en.js': { bytesInOutput: 5 } } } }, inputs: {} });
    expect(zodWholeWarning(out(0) as never)).toBeUndefined();
    expect(zodWholeWarning(out(9) as never)).toMatch(/zod is bundled whole \(1 locales\)/);
  });
});
