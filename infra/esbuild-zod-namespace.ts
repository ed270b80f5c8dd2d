/**
 * esbuild plugin: bundles only the parts of zod the code uses.
 *
 * `import { z } from 'zod'` binds `z`, which zod's entry re-exports as a namespace object
 * (`import * as z from "./v4/classic/external.js"; export { z }`). esbuild cannot see through that alias, so it keeps
 * the whole namespace: every locale (~50 of them), JSON-schema conversion, `fromJSONSchema` … — 445 KiB minified in
 * the respond handler. `import * as z from 'zod'` (the form zod v4's documentation uses) binds the same members, and
 * esbuild resolves each `z.object`, `z.string` … to its export and drops the rest (~95 KiB). This plugin rewrites the
 * first form to the second in the project's own TypeScript while bundling, so the sources (edited by many hands) need
 * not change; `zodWholeWarning` reports when zod was bundled whole anyway (an import in another form).
 */
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Metafile, Plugin } from 'esbuild';

const NAMED_Z_IMPORT = /^import \{ z \} from 'zod';$/gm;

export function zodNamespaceImport(source: string): string {
  return source.replace(NAMED_Z_IMPORT, "import * as z from 'zod';");
}

export const zodNamespacePlugin: Plugin = {
  name: 'tourniquet-zod-namespace',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (/[\\/]node_modules[\\/]/.test(args.path)) return undefined;
      const source = await readFile(args.path, 'utf8');
      if (!source.includes("from 'zod'")) return undefined;
      return { contents: zodNamespaceImport(source), loader: 'ts', resolveDir: dirname(args.path) };
    });
  },
};

/** A warning when zod's locales other than English are in the bundle: some import kept the whole namespace. */
export function zodWholeWarning(metafile: Metafile): string | undefined {
  const kept = Object.values(metafile.outputs).flatMap((o) => Object.entries(o.inputs).filter(([, i]) => i.bytesInOutput > 0).map(([path]) => path));
  const locales = new Set(kept.filter((p) => /[\\/]zod[\\/]v4[\\/]locales[\\/](?!en\.js|index\.js)[^\\/]+\.js$/.test(p)));
  return locales.size > 0
    ? `zod is bundled whole (${locales.size} locales): an import other than \`import { z } from 'zod'\` or \`import * as z from 'zod'\` keeps its whole namespace`
    : undefined;
}
