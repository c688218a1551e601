// Serves the prebuilt JavaScript of the workspace's `.ts` modules (see src/prebuild.ts), so a
// process started with `node --import=<this file>` never loads Node's TypeScript stripper.
// Plain JavaScript on purpose: it runs before any TypeScript can. The copy served is the one named
// after the SHA-256 of the source as it is on disk now, so an edited source is never answered
// with an old copy; a module without a copy of its current content (or with
// MINISHOP_PREBUILT_DIR unset) loads the usual way.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const prebuiltDir = process.env.MINISHOP_PREBUILT_DIR;
const root = fileURLToPath(new URL('../../', import.meta.url));

if (prebuiltDir) {
  registerHooks({
    load(url, context, nextLoad) {
      if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
      const file = fileURLToPath(url);
      if (!file.startsWith(root)) return nextLoad(url, context);
      let source;
      try {
        const content = readFileSync(file);
        const hash = createHash('sha256').update(content).digest('hex').slice(0, 16);
        source = readFileSync(path.join(prebuiltDir, `${file.slice(root.length)}.${hash}.js`), 'utf8');
      } catch {
        return nextLoad(url, context);
      }
      return { format: 'module', source, shortCircuit: true };
    },
  });
}
