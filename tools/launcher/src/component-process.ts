// One child process of the stack: spawned with Node 24, its output prefixed and kept in a short
// history for error reports, stopped with SIGTERM and, after a grace period, SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import { killOnParentExit } from '@minishop/devstack/process-control';
import { formatLogLine } from './log-lines.ts';

export interface ComponentProcess {
  name: string;
  child: ChildProcess;
  /** Resolves when the process exits, for whatever reason. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited(): boolean;
  /** The last lines it printed, newest last. */
  recentOutput(): string[];
  stop(graceMs: number): Promise<void>;
}

export interface SpawnOptions {
  name: string;
  entry: string;
  cwd: string;
  env: Record<string, string | undefined>;
  /** Where formatted lines go; undefined keeps them only in the history. */
  print?: (name: string, line: string) => void;
}

const HISTORY = 40;

export function spawnComponent(options: SpawnOptions): ComponentProcess {
  const { name, entry, cwd, env, print } = options;
  const child = spawn(process.execPath, [entry], {
    cwd,
    env,
    // Its own process group: Ctrl-C reaches only the launcher, which stops the stack in order.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const history: string[] = [];
  const onLine = (raw: string): void => {
    const text = formatLogLine(raw);
    for (const line of text.split('\n')) {
      history.push(line);
      if (history.length > HISTORY) history.shift();
      print?.(name, line);
    }
  };
  readline.createInterface({ input: child.stdout! }).on('line', onLine);
  readline.createInterface({ input: child.stderr! }).on('line', onLine);

  let done = false;
  // If the launcher itself dies without stopping us, do not leave the process behind.
  const forget = killOnParentExit(child, 'SIGTERM');
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      forget();
      resolve({ code, signal });
    });
    child.once('error', (error) => {
      onLine(`could not start: ${error.message}`);
      done = true;
      forget();
      resolve({ code: null, signal: null });
    });
  });

  return {
    name,
    child,
    exited,
    hasExited: () => done,
    recentOutput: () => [...history],
    stop: async (graceMs) => {
      if (done || child.pid === undefined) return;
      // A frozen (SIGSTOPped) process would hold SIGTERM until it runs again.
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      const timer = new Promise<'timeout'>((resolve) =>
        setTimeout(() => resolve('timeout'), graceMs).unref(),
      );
      if ((await Promise.race([exited, timer])) === 'timeout') {
        print?.(name, `did not stop within ${Math.round(graceMs / 1000)} s; killing it`);
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}
