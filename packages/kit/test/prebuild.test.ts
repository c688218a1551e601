import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PREBUILT_DIR_ENV, PREBUILT_LOADER, prebuild } from '../src/prebuild.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
let out: string;

beforeAll(async () => {
  out = await mkdtemp(path.join(os.tmpdir(), 'minishop-prebuilt-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

/** Imports a module of the repository in a fresh node and reports whether the stripper loaded. */
function strippedAtRunTime(
  env: Record<string, string>,
  nodeArgs: string[],
): { total: string; stripper: boolean } {
  const module = pathToFileURL(path.join(ROOT, 'packages/kit/src/money.ts')).href;
  const output = execFileSync(
    process.execPath,
    [
      ...nodeArgs,
      '--input-type=module',
      '-e',
      `const { formatMoney, parseMoney } = await import(${JSON.stringify(module)});
       console.log(JSON.stringify({ total: formatMoney(parseMoney('12.30') * 3),
         stripper: process.moduleLoadList.some((m) => m.includes('amaro')) }));`,
    ],
    { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' },
  );
  return JSON.parse(output) as { total: string; stripper: boolean };
}

describe('prebuilt sources', () => {
  it('writes the JavaScript of every source file, line for line, without types', async () => {
    const { files } = await prebuild(ROOT, out, ['packages/kit']);
    expect(files).toBeGreaterThan(10);
    const source = await readFile(path.join(ROOT, 'packages/kit/src/prebuild.ts'), 'utf8');
    const js = await readFile(path.join(out, 'packages/kit/src/prebuild.ts'), 'utf8');
    expect(js.split('\n')).toHaveLength(source.split('\n').length);
    expect(source).toContain('Promise<{ files: number }>');
    expect(js).not.toContain('Promise<{ files: number }>');
  });

  it('lets a process run the sources without loading the TypeScript stripper', async () => {
    await prebuild(ROOT, out, ['packages/kit']);
    const plain = strippedAtRunTime({}, []);
    const prebuilt = strippedAtRunTime({ [PREBUILT_DIR_ENV]: out }, [`--import=${PREBUILT_LOADER.href}`]);
    expect(plain.stripper).toBe(true);
    expect(prebuilt.stripper).toBe(false);
    expect(prebuilt.total).toBe(plain.total);
  });
});
