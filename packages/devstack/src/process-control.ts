// Small process utilities shared by the PostgreSQL and Redis launchers: waiting for a child to exit,
// stopping it with escalating signals, and recognising leftovers of a run that was killed.
import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** True while the process runs; an exited process that nobody reaped yet (a zombie) counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

function isZombie(pid: number): boolean {
  try {
    // The state follows the command name in parentheses: "123 (postgres) Z ...".
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

/** The command line of a running process, or undefined when it is gone. */
export async function commandLineOf(pid: number): Promise<string | undefined> {
  try {
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').join(' ').trim();
  } catch {
    // No procfs (macOS): ask ps.
    try {
      const { stdout } = await execFileAsync('ps', ['-p', String(pid), '-o', 'command=']);
      return stdout.trim() || undefined;
    } catch {
      return undefined;
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves when the child has exited, or with false after timeoutMs. */
export function waitForChildExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

/** Polls a pid that is not our child until it is gone, or false after timeoutMs. */
export async function waitForPidExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(50);
  }
  return !isAlive(pid);
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/** A signal, and how long the process gets to exit after it before the next one. */
export interface StopStep {
  signal: NodeJS.Signals;
  waitMs: number;
}

/**
 * Sends each signal in turn, giving the process its time to exit after each one.
 * Works for our own children and for leftovers found through a pid file.
 */
export async function stopProcess(target: ChildProcess | number, steps: StopStep[]): Promise<void> {
  const pid = typeof target === 'number' ? target : target.pid;
  if (pid === undefined) return;
  for (const step of steps) {
    const exited =
      typeof target === 'number' ? !isAlive(pid) : target.exitCode !== null || target.signalCode !== null;
    if (exited) return;
    signal(pid, step.signal);
    const gone =
      typeof target === 'number'
        ? await waitForPidExit(pid, step.waitMs)
        : await waitForChildExit(target, step.waitMs);
    if (gone) return;
  }
}

/**
 * A killed run can leave its server running on our data directory, and its pid file behind. Stops
 * the process the pid file names while its command line still matches `command`, removes the file
 * (one naming a dead or unrelated process is only removed), and says whether a server was stopped.
 */
export async function stopLeftoverServer(
  pidFile: string,
  command: RegExp,
  steps: StopStep[],
): Promise<boolean> {
  let content: string;
  try {
    content = await readFile(pidFile, 'utf8');
  } catch {
    return false;
  }
  const pid = Number.parseInt(content.split('\n')[0] ?? '', 10);
  const running =
    Number.isInteger(pid) && pid > 0 && isAlive(pid) && command.test((await commandLineOf(pid)) ?? '');
  if (running) await stopProcess(pid, steps);
  await rm(pidFile, { force: true });
  return running;
}

const killOnExit = new Map<ChildProcess, NodeJS.Signals>();

function killChildrenLeftBehind(): void {
  for (const [child, sig] of killOnExit) {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null)
      signal(child.pid, sig);
  }
}

/**
 * Registers a last-resort synchronous kill for when the parent exits without a clean stop
 * (an uncaught error, process.exit). Returns the function that unregisters it.
 */
export function killOnParentExit(child: ChildProcess, sig: NodeJS.Signals): () => void {
  if (killOnExit.size === 0) process.on('exit', killChildrenLeftBehind);
  killOnExit.set(child, sig);
  return () => {
    killOnExit.delete(child);
    if (killOnExit.size === 0) process.off('exit', killChildrenLeftBehind);
  };
}
