import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PREBUILT_DIR_ENV, PREBUILT_LOADER, prebuild, prebuiltName } from '../src/prebuild.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
let out: string;

beforeAll(async () => {
  out = await mkdtemp(path.join(os.tmpdir(), 'minishop-prebuilt-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

/** Runs code in a fresh node and reports what it printed and whether the stripper loaded. */
function runFresh(
  code: string,
  env: Record<string, string>,
  nodeArgs: string[],
): { result: unknown; stripper: boolean } {
  const output = execFileSync(
    process.execPath,
    [
      ...nodeArgs,
      '--input-type=module',
      '-e',
      `const result = await (async () => { ${code} })();
       console.log(JSON.stringify({ result, stripper: process.moduleLoadList.some((m) => m.includes('amaro')) }));`,
    ],
    { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' },
  );
  return JSON.parse(output) as { result: unknown; stripper: boolean };
}

/** Imports a module of the repository in a fresh node and reports whether the stripper loaded. */
function strippedAtRunTime(
  env: Record<string, string>,
  nodeArgs: string[],
): { total: string; stripper: boolean } {
  const module = pathToFileURL(path.join(ROOT, 'packages/kit/src/money.ts')).href;
  const { result, stripper } = runFresh(
    `const { formatMoney, parseMoney } = await import(${JSON.stringify(module)});
     return formatMoney(parseMoney('12.30') * 3);`,
    env,
    nodeArgs,
  );
  return { total: result as string, stripper };
}

describe('prebuilt sources', () => {
  it('writes the JavaScript of every source file, line for line, without types', async () => {
    const { files } = await prebuild(ROOT, out, ['packages/kit']);
    expect(files).toBeGreaterThan(10);
    const source = await readFile(path.join(ROOT, 'packages/kit/src/prebuild.ts'), 'utf8');
    const js = await readFile(path.join(out, prebuiltName('packages/kit/src/prebuild.ts', source)), 'utf8');
    expect(js.split('\n')).toHaveLength(source.split('\n').length);
    expect(source).toContain('Promise<{ files: number; written: number }>');
    expect(js).not.toContain('Promise<{ files: number; written: number }>');
  });

  it('lets a process run the sources without loading the TypeScript stripper', async () => {
    await prebuild(ROOT, out, ['packages/kit']);
    const plain = strippedAtRunTime({}, []);
    const prebuilt = strippedAtRunTime({ [PREBUILT_DIR_ENV]: out }, [`--import=${PREBUILT_LOADER.href}`]);
    expect(plain.stripper).toBe(true);
    expect(prebuilt.stripper).toBe(false);
    expect(prebuilt.total).toBe(plain.total);
  });

  it('never serves an edited source from an older copy, whatever its timestamps say', async () => {
    // A repository of one workspace with its own copy of the loader (which serves its own root).
    const repo = await mkdtemp(path.join(os.tmpdir(), 'minishop-stale-'));
    const prebuilt = path.join(repo, '.prebuilt');
    await mkdir(path.join(repo, 'packages/kit'), { recursive: true });
    await cp(new URL(PREBUILT_LOADER), path.join(repo, 'packages/kit/loader.mjs'));
    const module = path.join(repo, 'packages/thing/src/answer.ts');
    await mkdir(path.dirname(module), { recursive: true });
    const write = (value: number) => writeFile(module, `export const answer: number = ${value};\n`);
    const run = () =>
      runFresh(
        `return (await import(${JSON.stringify(pathToFileURL(module).href)})).answer;`,
        { [PREBUILT_DIR_ENV]: prebuilt },
        [`--import=${pathToFileURL(path.join(repo, 'packages/kit/loader.mjs')).href}`],
      );
    try {
      await write(1);
      await prebuild(repo, prebuilt);
      expect(run()).toEqual({ result: 1, stripper: false });

      // Edited, with its old timestamps put back, and its copy touched later: a timestamp check
      // would serve 1.
      const before = await stat(module);
      await write(2);
      await utimes(module, before.atime, before.mtime);
      const [copy] = await readdir(path.join(prebuilt, 'packages/thing/src'));
      const future = new Date(Date.now() + 60_000);
      await utimes(path.join(prebuilt, 'packages/thing/src', copy!), future, future);
      expect(run()).toEqual({ result: 2, stripper: true });

      // The next prebuild writes a copy of the new content and drops the old one.
      expect(await prebuild(repo, prebuilt)).toEqual({ files: 1, written: 1 });
      expect(await readdir(path.join(prebuilt, 'packages/thing/src'))).toHaveLength(1);
      expect(run()).toEqual({ result: 2, stripper: false });
      expect(await prebuild(repo, prebuilt)).toEqual({ files: 1, written: 0 });
    } finally {
      await rm(repo, { recursive: true, force: true });
    }
  });
});
