// The web app at start: builds web/ into web/dist when its sources changed since the last build,
// judged by a hash of their content (timestamps change on checkout, rebase and copy without any
// change of content); files git ignores, such as types the build generates, are not sources. The hash of the sources a build used is kept beside its output, so a
// deleted or half-written dist is rebuilt too.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { isAlive } from '@minishop/devstack/process-control';

const execFileAsync = promisify(execFile);

/** Names under web/ that are outputs, caches or dependencies, not sources. */
const NOT_SOURCES = new Set(['node_modules', 'dist', 'coverage', 'test-results', 'playwright-report']);
const STAMP = '.source-hash';
const LOCK_STALE_MS = 10 * 60_000;

export type WebBuild =
  | { status: 'absent'; reason: string }
  | { status: 'fresh'; webRoot: string }
  | { status: 'built'; webRoot: string; ms: number }
  | { status: 'failed'; error: string };

/**
 * The source files under `dir`, relative to it: what git counts as part of the work tree (tracked,
 * or new and not ignored), so files a build generates and git ignores do not count. Outside a git
 * work tree, every file but outputs, caches, dependencies and dot-files.
 */
async function sourceFiles(dir: string): Promise<string[]> {
  try {
    const { stdout } = await execFileAsync('git', ['ls-files', '-z', '-co', '--exclude-standard'], {
      cwd: dir,
      maxBuffer: 64 * 1024 * 1024,
    });
    const files = stdout.split('\0').filter(Boolean);
    return files.filter((f) => !f.split('/').some((part) => NOT_SOURCES.has(part))).sort();
  } catch {
    const files: string[] = [];
    const walk = async (relative: string): Promise<void> => {
      for (const entry of await fs.readdir(path.join(dir, relative), { withFileTypes: true })) {
        if (NOT_SOURCES.has(entry.name) || entry.name.startsWith('.')) continue;
        const file = path.join(relative, entry.name);
        if (entry.isDirectory()) await walk(file);
        else if (entry.isFile()) files.push(file);
      }
    };
    await walk('');
    return files.sort();
  }
}

/** A hash of the source files under `dir`: their paths and contents, in a fixed order. */
export async function sourceHash(dir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const file of await sourceFiles(dir)) {
    // A file listed by git but deleted since is simply absent.
    const content = await fs.readFile(path.join(dir, file)).catch(() => undefined);
    if (content) hash.update(`${file}\0${content.length}\0`).update(content);
  }
  return hash.digest('hex');
}

/** True when dist holds a complete build of exactly these sources. */
export async function isFresh(webDir: string, hash: string): Promise<boolean> {
  const dist = path.join(webDir, 'dist');
  const stamp = await fs.readFile(path.join(dist, STAMP), 'utf8').catch(() => '');
  return stamp.trim() === hash && existsSync(path.join(dist, 'index.html'));
}

/** Runs `npm run build` in web/, resolving with its output when it fails. */
function runBuild(webDir: string, signal?: AbortSignal): Promise<{ ok: boolean; output: string }> {
  // Inside `npm start` (or `npm test`) use the same npm; by hand, the one on PATH.
  const npmCli = process.env.npm_execpath;
  const [command, args] = npmCli?.endsWith('.js')
    ? [process.execPath, [npmCli, 'run', 'build', '--silent']]
    : ['npm', ['run', 'build', '--silent']];
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: webDir, stdio: ['ignore', 'pipe', 'pipe'], signal });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => resolve({ ok: false, output: `${output}\n${error.message}` }));
    child.on('close', (code) => resolve({ ok: code === 0, output }));
  });
}

/**
 * One build at a time per repository: stacks started side by side (parallel test files) would
 * otherwise write the same dist at once. The lock is a directory holding its owner's pid.
 */
async function withLock<T>(lockDir: string, work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  await fs.mkdir(path.dirname(lockDir), { recursive: true });
  for (;;) {
    signal?.throwIfAborted();
    try {
      await fs.mkdir(lockDir);
      break;
    } catch {
      const owner = Number(await fs.readFile(path.join(lockDir, 'pid'), 'utf8').catch(() => 'NaN'));
      const age = Date.now() - ((await fs.stat(lockDir).catch(() => undefined))?.mtimeMs ?? 0);
      if ((Number.isInteger(owner) && !isAlive(owner)) || age > LOCK_STALE_MS) {
        await fs.rm(lockDir, { recursive: true, force: true });
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    await fs.writeFile(path.join(lockDir, 'pid'), String(process.pid));
    return await work();
  } finally {
    await fs.rm(lockDir, { recursive: true, force: true });
  }
}

/**
 * Makes web/dist current: nothing when web/ has no package.json yet, nothing when dist was built
 * from the sources as they are, otherwise a build. Never throws for a failed build: the caller
 * decides what a stack without its web app does.
 */
export async function ensureWebBuild(root: string, signal?: AbortSignal): Promise<WebBuild> {
  const webDir = path.join(root, 'web');
  if (!existsSync(path.join(webDir, 'package.json'))) {
    return { status: 'absent', reason: 'web/ has no package.json yet' };
  }
  const webRoot = path.join(webDir, 'dist');
  return withLock(
    path.join(root, '.minishop', 'web-build.lock'),
    async () => {
      const hash = await sourceHash(webDir);
      if (await isFresh(webDir, hash)) return { status: 'fresh', webRoot };
      const began = Date.now();
      await fs.rm(path.join(webRoot, STAMP), { force: true });
      const { ok, output } = await runBuild(webDir, signal);
      if (!ok) return { status: 'failed', error: output.trim() || 'npm run build failed' };
      if (!existsSync(path.join(webRoot, 'index.html'))) {
        return { status: 'failed', error: 'the build finished without writing web/dist/index.html' };
      }
      await fs.writeFile(path.join(webRoot, STAMP), `${hash}\n`);
      return { status: 'built', webRoot, ms: Date.now() - began };
    },
    signal,
  );
}
