import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureWebBuild, sourceHash } from '../src/web-build.ts';

// A web/ whose build counts its runs in a file outside dist, so a test sees whether it ran.
const BUILD = `
import fs from 'node:fs';
fs.appendFileSync('../builds.log', 'x');
if (fs.existsSync('fail')) { console.error('Transform failed: src/app.tsx'); process.exit(1); }
fs.mkdirSync('dist', { recursive: true });
fs.writeFileSync('dist/index.html', '<!doctype html>' + fs.readFileSync('src/app.tsx', 'utf8'));
`;

const execFileAsync = promisify(execFile);

let root: string;
const web = (...parts: string[]) => path.join(root, 'web', ...parts);
const builds = async () => (await fs.readFile(path.join(root, 'builds.log'), 'utf8').catch(() => '')).length;

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'minishop-web-build-'));
  await fs.mkdir(web('src'), { recursive: true });
  await fs.writeFile(
    web('package.json'),
    JSON.stringify({ name: 'web', scripts: { build: 'node build.mjs' } }),
  );
  await fs.writeFile(web('build.mjs'), BUILD);
  await fs.writeFile(web('src', 'app.tsx'), 'one');
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('the web build at start', () => {
  it('skips cleanly while web/ has no package.json', async () => {
    await fs.rm(web('package.json'));
    expect(await ensureWebBuild(root)).toEqual({ status: 'absent', reason: 'web/ has no package.json yet' });
    expect(await builds()).toBe(0);
  });

  it('builds once, then not again while the sources are the same', async () => {
    expect(await ensureWebBuild(root)).toMatchObject({ status: 'built', webRoot: web('dist') });
    expect(await ensureWebBuild(root)).toEqual({ status: 'fresh', webRoot: web('dist') });
    expect(await builds()).toBe(1);
  });

  it('does not rebuild when only timestamps changed', async () => {
    await ensureWebBuild(root);
    const later = new Date(Date.now() + 60_000);
    await fs.utimes(web('src', 'app.tsx'), later, later);
    expect((await ensureWebBuild(root)).status).toBe('fresh');
    expect(await builds()).toBe(1);
  });

  it('rebuilds when a source changed, was added, or dist was deleted', async () => {
    await ensureWebBuild(root);
    await fs.writeFile(web('src', 'app.tsx'), 'two');
    expect((await ensureWebBuild(root)).status).toBe('built');
    expect(await fs.readFile(web('dist', 'index.html'), 'utf8')).toContain('two');
    await fs.writeFile(web('src', 'new.ts'), 'export {}');
    expect((await ensureWebBuild(root)).status).toBe('built');
    await fs.rm(web('dist'), { recursive: true });
    expect((await ensureWebBuild(root)).status).toBe('built');
    expect(await builds()).toBe(4);
  });

  it('reports a failed build with its output, and tries again next time', async () => {
    await fs.writeFile(web('fail'), '');
    const failed = await ensureWebBuild(root);
    expect(failed.status).toBe('failed');
    expect(failed.status === 'failed' && failed.error).toContain('Transform failed');
    await fs.rm(web('fail'));
    expect((await ensureWebBuild(root)).status).toBe('built');
  });

  it('does not count files git ignores, such as what the build generates into src', async () => {
    await fs.writeFile(path.join(root, '.gitignore'), 'web/src/generated.ts\n');
    await execFileAsync('git', ['init', '-q'], { cwd: root });
    await fs.writeFile(
      web('build.mjs'),
      `${BUILD}\nfs.writeFileSync('src/generated.ts', 'export const at = ' + Date.now());\n`,
    );
    expect((await ensureWebBuild(root)).status).toBe('built');
    expect((await ensureWebBuild(root)).status).toBe('fresh');
    await fs.writeFile(web('src', 'app.tsx'), 'three');
    expect((await ensureWebBuild(root)).status).toBe('built');
    expect(await builds()).toBe(2);
  });

  it('hashes content and names, not outputs or dependencies', async () => {
    const before = await sourceHash(web());
    await fs.mkdir(web('node_modules', 'x'), { recursive: true });
    await fs.writeFile(web('node_modules', 'x', 'index.js'), '1');
    await fs.mkdir(web('dist'), { recursive: true });
    await fs.writeFile(web('dist', 'index.html'), 'x');
    expect(await sourceHash(web())).toBe(before);
    await fs.rename(web('src', 'app.tsx'), web('src', 'main.tsx'));
    expect(await sourceHash(web())).not.toBe(before);
  });
});
