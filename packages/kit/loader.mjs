// Serves the prebuilt JavaScript of the workspace's `.ts` modules (see src/prebuild.ts), so a
// process started with `node --import=<this file>` never loads Node's TypeScript stripper.
// Plain JavaScript on purpose: it runs before any TypeScript can. A module without a prebuilt
// copy (or with MINISHOP_PREBUILT_DIR unset) loads the usual way.
import { readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const prebuiltDir = process.env.MINISHOP_PREBUILT_DIR;
const root = new URL('../../', import.meta.url).href;

if (prebuiltDir) {
  registerHooks({
    load(url, context, nextLoad) {
      if (url.startsWith(root) && url.endsWith('.ts')) {
        let source;
        try {
          source = readFileSync(
            path.join(prebuiltDir, fileURLToPath(url).slice(fileURLToPath(root).length)),
            'utf8',
          );
        } catch {
          return nextLoad(url, context);
        }
        return { format: 'module', source, shortCircuit: true };
      }
      return nextLoad(url, context);
    },
  });
}
