// The shop as the benchmark runs it: fresh data, free ports, limits that would throttle the load
// lifted, PostgreSQL counting statements, and optionally CPU profiles or other runtime flags
// (BENCH_PROFILE, BENCH_NODE_OPTIONS; docs/benchmarks.md).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startStack, type RunningStack } from '../tools/launcher/src/stack.ts';
import { launcherNodeOptions } from './hop-gateway.ts';
import { PG_STATEMENT_SETTINGS } from './pg-stats.ts';
import { log } from './settings.ts';

/** Per-component runtime flags for profiled runs and experiments; notes what makes a run not comparable. */
async function runtimeFlags(notes: string[]) {
  const profiled = (process.env.BENCH_PROFILE ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const profileDir = process.env.BENCH_PROFILE_DIR ?? path.join(os.tmpdir(), 'minishop-bench-profiles');
  if (profiled.length > 0) {
    await fs.mkdir(profileDir, { recursive: true });
    log(`CPU profiles of ${profiled.join(', ')} go to ${profileDir} when the shop stops`);
    notes.push(
      `CPU-profiled run (${profiled.join(', ')}): profiling slows those processes; do not compare its numbers`,
    );
  }
  const nodeOptions = process.env.BENCH_NODE_OPTIONS ?? '';
  if (nodeOptions) {
    log(`every service runs with NODE_OPTIONS=${nodeOptions} instead of the launcher's`);
    notes.push(
      `experiment: every service ran with NODE_OPTIONS=${nodeOptions} (not what \`npm start\` does)`,
    );
  }
  const withProfile = (name: string, env: Record<string, string> = {}) =>
    profiled.includes(name)
      ? {
          ...env,
          NODE_OPTIONS: [
            nodeOptions || launcherNodeOptions(name),
            `--cpu-prof --cpu-prof-dir=${profileDir} --cpu-prof-name=${name}.cpuprofile`,
          ]
            .join(' ')
            .trim(),
        }
      : env;
  return { profiled, nodeOptions, withProfile };
}

export async function startBenchStack(dataDir: string, notes: string[]): Promise<RunningStack> {
  const { profiled, nodeOptions, withProfile } = await runtimeFlags(notes);
  return startStack({
    dataDir,
    ports: 'free',
    quiet: true,
    persistent: false,
    seed: true,
    web: false,
    postgresSettings: PG_STATEMENT_SETTINGS,
    env: {
      MINISHOP_ENV: 'test',
      LOG_LEVEL: 'warn',
      ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
    },
    componentEnv: {
      ...Object.fromEntries(profiled.map((name) => [name, withProfile(name)])),
      gateway: withProfile('gateway', { RATE_LIMIT_PER_MINUTE: '1000000000' }),
      auth: withProfile('auth', {
        LOGIN_MAX_ATTEMPTS_PER_IP: '1000000000',
        LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: '1000000000',
      }),
      'mail-sink': withProfile('mail-sink', { MAX_MESSAGES: '1000000' }),
    },
  });
}

/** What to say when a process of the shop exits during the run. */
export function describeCrash(exit: {
  name: string;
  code: number | null;
  signal: string | null;
  recentOutput: string[];
}) {
  const lines = exit.recentOutput.filter((line) => line.trim());
  return (
    `${exit.name} exited (code ${exit.code}, signal ${exit.signal}) during the run` +
    (exit.code === 0 ? ': a clean stop, so something outside the benchmark sent it SIGTERM or SIGINT' : '') +
    (lines.length > 0 ? `. Its last lines:\n${lines.join('\n')}` : '')
  );
}
