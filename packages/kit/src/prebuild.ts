// Strips the TypeScript types of every source file of the workspace ahead of time, into a
// directory that mirrors the repository (`<out>/services/auth/src/main.ts` holds the JavaScript of
// `services/auth/src/main.ts`). Processes started with the prebuilt loader (`loader.mjs`) then
// run that JavaScript and never load Node's TypeScript stripper, about 17 MB per process, nor
// need a compile cache, which stays in memory too (docs/decisions.md).
//
//   node packages/kit/src/prebuild.ts <out> [workspace dirs...]   (defaults: every workspace)
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { stripTypeScriptTypes } from 'node:module';
import path from 'node:path';

export const PREBUILT_DIR_ENV = 'MINISHOP_PREBUILT_DIR';
/** The loader that serves prebuilt JavaScript for `.ts` modules (`node --import=<this URL>`). */
export const PREBUILT_LOADER = new URL('../loader.mjs', import.meta.url);

const WORKSPACE_PARENTS = ['packages', 'services', 'tools'];

async function workspaces(root: string): Promise<string[]> {
  const found: string[] = [];
  for (const parent of WORKSPACE_PARENTS) {
    const entries = await readdir(path.join(root, parent), { withFileTypes: true }).catch(() => []);
    for (const entry of entries) if (entry.isDirectory()) found.push(path.join(parent, entry.name));
  }
  return found;
}

/** Every `.ts` file under `<workspace>/src`, relative to the root. */
async function sourcesOf(root: string, workspace: string): Promise<string[]> {
  const src = path.join(workspace, 'src');
  const files = await readdir(path.join(root, src), { recursive: true }).catch(() => [] as string[]);
  return files.filter((file) => file.endsWith('.ts')).map((file) => path.join(src, file));
}

/**
 * Writes the stripped JavaScript of every source file of the given workspaces (all of them by
 * default) under `outDir`, skipping files whose copy was written after the source last changed. Each file is replaced atomically, so processes of another stack that
 * read the directory meanwhile see either the old or the new whole file.
 */
export async function prebuild(
  root: string,
  outDir: string,
  only?: readonly string[],
): Promise<{ files: number }> {
  const files = (
    await Promise.all((only ?? (await workspaces(root))).map((workspace) => sourcesOf(root, workspace)))
  ).flat();
  await Promise.all(
    files.map(async (file) => {
      const target = path.join(outDir, file);
      const [sourceStat, targetStat] = await Promise.all([
        stat(path.join(root, file)),
        stat(target).catch(() => undefined),
      ]);
      // Written after the source last changed: already up to date (stacks started by tests reuse it).
      if (targetStat && targetStat.mtimeMs >= sourceStat.mtimeMs) return;
      const source = await readFile(path.join(root, file), 'utf8');
      // 'strip' replaces types with spaces: line and column numbers in stack traces stay right.
      const js = stripTypeScriptTypes(source, { mode: 'strip' });
      await mkdir(path.dirname(target), { recursive: true });
      const temporary = `${target}.${randomBytes(4).toString('hex')}.tmp`;
      await writeFile(temporary, js);
      await rename(temporary, target);
    }),
  );
  return { files: files.length };
}

if (import.meta.main) {
  const [outDir, ...only] = process.argv.slice(2);
  if (!outDir) {
    console.error('usage: node packages/kit/src/prebuild.ts <out dir> [workspace dirs...]');
    process.exit(2);
  }
  const root = path.resolve(import.meta.dirname, '..', '..', '..');
  const { files } = await prebuild(root, path.resolve(outDir), only.length > 0 ? only : undefined);
  console.log(`prebuilt ${files} files into ${outDir}`);
}
