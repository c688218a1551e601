// Strips the TypeScript types of every source file of the workspace ahead of time, into a
// directory that mirrors the repository and names each copy after its source's content:
// `<out>/services/auth/src/main.ts.<hash>.js` holds the JavaScript of `services/auth/src/main.ts`
// as it is now. Processes started with the prebuilt loader (`loader.mjs`) run that JavaScript and
// never load Node's TypeScript stripper, about 17 MB per process, nor need a compile cache, which
// stays in memory too (docs/decisions.md). The loader hashes the source it is asked for and serves
// only the copy of exactly that content, so an edited file can never be served stale, whatever
// its timestamps say; without a copy, Node strips the file itself.
//
//   node packages/kit/src/prebuild.ts <out> [workspace dirs...]   (defaults: every workspace)
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { stripTypeScriptTypes } from 'node:module';
import path from 'node:path';

export const PREBUILT_DIR_ENV = 'MINISHOP_PREBUILT_DIR';
/** The loader that serves prebuilt JavaScript for `.ts` modules (`node --import=<this URL>`). */
export const PREBUILT_LOADER = new URL('../loader.mjs', import.meta.url);

const WORKSPACE_PARENTS = ['packages', 'services', 'tools'];

/** The name of the copy of a source with this content (the loader computes the same). */
export function prebuiltName(file: string, source: Buffer | string): string {
  return `${file}.${createHash('sha256').update(source).digest('hex').slice(0, 16)}.js`;
}

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
 * default) under `outDir`, unless a copy of that very content is there already, and removes the
 * copies of earlier contents. Each copy is written atomically, so a process of another stack that
 * loads meanwhile finds either no copy or the whole one.
 */
export async function prebuild(
  root: string,
  outDir: string,
  only?: readonly string[],
): Promise<{ files: number; written: number }> {
  const files = (
    await Promise.all((only ?? (await workspaces(root))).map((workspace) => sourcesOf(root, workspace)))
  ).flat();
  let written = 0;
  await Promise.all(
    files.map(async (file) => {
      const source = await readFile(path.join(root, file));
      const target = path.join(outDir, prebuiltName(file, source));
      await removeOtherCopies(outDir, file, target);
      if (
        await stat(target).then(
          () => true,
          () => false,
        )
      )
        return;
      // 'strip' replaces types with spaces: line and column numbers in stack traces stay right.
      const js = stripTypeScriptTypes(source.toString('utf8'), { mode: 'strip' });
      await mkdir(path.dirname(target), { recursive: true });
      const temporary = `${target}.${randomBytes(4).toString('hex')}.tmp`;
      await writeFile(temporary, js);
      await rename(temporary, target);
      written += 1;
    }),
  );
  return { files: files.length, written };
}

/** Copies of a source's earlier contents: no process started from now on can ask for them. */
async function removeOtherCopies(outDir: string, file: string, keep: string): Promise<void> {
  const dir = path.join(outDir, path.dirname(file));
  const prefix = `${path.basename(file)}.`;
  const entries = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    entries
      .filter((entry) => entry.startsWith(prefix) && /^[0-9a-f]{16}\.js$/.test(entry.slice(prefix.length)))
      .map((entry) => path.join(dir, entry))
      .filter((copy) => copy !== keep)
      .map((copy) => rm(copy, { force: true })),
  );
}

if (import.meta.main) {
  const [outDir, ...only] = process.argv.slice(2);
  if (!outDir) {
    console.error('usage: node packages/kit/src/prebuild.ts <out dir> [workspace dirs...]');
    process.exit(2);
  }
  const root = path.resolve(import.meta.dirname, '..', '..', '..');
  const { files, written } = await prebuild(root, path.resolve(outDir), only.length > 0 ? only : undefined);
  console.log(`prebuilt ${files} files into ${outDir} (${written} written, the rest were up to date)`);
}
