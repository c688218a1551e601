// run.json in the data directory: which processes a running stack owns, so that the next start
// can stop what a killed launcher left behind, and refuse to start beside a launcher still alive.
import fs from 'node:fs/promises';
import path from 'node:path';
import { commandLineOf, isAlive, stopProcess } from '@minishop/devstack/process-control';
import type { ComponentName } from './components.ts';
import type { ComponentProcess } from './component-process.ts';

const STOP_GRACE_MS = 10_000;

interface RunFile {
  launcher_pid: number;
  components: Array<{ name: string; pid: number; entry: string }>;
}

export async function writeRunFile(
  file: string,
  processes: Map<ComponentName, ComponentProcess>,
): Promise<void> {
  const content: RunFile = {
    launcher_pid: process.pid,
    components: [...processes.values()]
      .filter((p) => p.child.pid !== undefined && !p.hasExited())
      .map((p) => ({ name: p.name, pid: p.child.pid!, entry: String(p.child.spawnargs[1] ?? '') })),
  };
  await fs.writeFile(file, `${JSON.stringify(content, null, 2)}\n`);
}

/**
 * A launcher that was killed (kill -9, a closed terminal) leaves its services running on the ports
 * we need. They are recorded in run.json: stop those that still run. A launcher that is still alive
 * owns them, so we refuse to start a second stack on the same data.
 */
export async function stopLeftovers(file: string, note: (line: string) => void): Promise<void> {
  let previous: RunFile;
  try {
    previous = JSON.parse(await fs.readFile(file, 'utf8')) as RunFile;
  } catch {
    return;
  }
  if (previous.launcher_pid !== process.pid && isAlive(previous.launcher_pid)) {
    const command = (await commandLineOf(previous.launcher_pid)) ?? '';
    if (/node/.test(command)) {
      throw new Error(
        `Minishop is already running from ${path.dirname(file)} (launcher pid ${previous.launcher_pid}). ` +
          'Stop it (Ctrl-C in its terminal) before starting another.',
      );
    }
  }
  const leftovers: RunFile['components'] = [];
  for (const component of previous.components ?? []) {
    if (isAlive(component.pid) && ((await commandLineOf(component.pid)) ?? '').includes(component.entry)) {
      leftovers.push(component);
    }
  }
  if (leftovers.length > 0) {
    note(`stopping ${leftovers.map((c) => c.name).join(', ')} left running by an earlier run`);
    await Promise.all(
      leftovers.map((c) =>
        stopProcess(c.pid, [
          { signal: 'SIGCONT', waitMs: 0 },
          { signal: 'SIGTERM', waitMs: STOP_GRACE_MS },
          { signal: 'SIGKILL', waitMs: 2000 },
        ]),
      ),
    );
  }
  await fs.rm(file, { force: true });
}
