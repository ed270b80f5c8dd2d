/**
 * esbuild plugin: lets the bundler drop the AWS SDK schemas a bundle never uses.
 *
 * Each SDK v3 client keeps every shape of its service in `dist-es/schemas/schemas_0.js` as `export var X$ = [...]`
 * (EC2: 3,400 shapes, 558 KiB minified). Those arrays are side-effect free and the commands import the ones they use,
 * so esbuild could tree-shake the rest — but their member traits are written with computed keys,
 * `{ [_eQN]: "Foo" }` where `const _eQN = "ec2QueryName"`, and esbuild treats a computed key that is not a literal
 * as a possible side effect (it could call `toString`), so it keeps every shape. This plugin rewrites each such key
 * to its string literal (`{ "ec2QueryName": "Foo" }`), which is the same object, and the unused shapes go: the EC2
 * client drops from ~555 KiB to ~80 KiB in the respond handler. `__proto__` is left computed (as a literal key it
 * would set the prototype instead of an own property); keys whose constant is not a plain string stay as they are.
 */
import { readFile } from 'node:fs/promises';
import type { Plugin } from 'esbuild';

/** The files rewritten: every client's generated schema modules. */
export const SDK_SCHEMA_FILE = /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/;

/** `source` with each `{ [_k]:` / `, [_k]:` computed key whose `const _k = "…"` is in the file replaced by the literal. */
export function inlineSchemaKeys(source: string): { readonly contents: string; readonly replaced: number } {
  const constants = new Map<string, string>();
  for (const m of source.matchAll(/^const (_\w+) = ("[^"\\\n]*");$/gm)) constants.set(m[1]!, m[2]!);
  let replaced = 0;
  const contents = source.replace(/([{,]\s*)\[(_\w+)\]:/g, (all, before: string, name: string) => {
    const literal = constants.get(name);
    if (literal === undefined || literal === '"__proto__"') return all;
    replaced++;
    return `${before}${literal}:`;
  });
  return { contents, replaced };
}

export const sdkSchemaKeysPlugin: Plugin = {
  name: 'tourniquet-sdk-schema-keys',
  setup(b) {
    b.onLoad({ filter: SDK_SCHEMA_FILE }, async (args) => ({ contents: inlineSchemaKeys(await readFile(args.path, 'utf8')).contents, loader: 'js' }));
  },
};
