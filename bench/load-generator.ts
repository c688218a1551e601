// The load generator runs in a child process of its own (load-worker.ts), so that its CPU is
// measured apart from the benchmark's; this side sends it jobs and waits for their results.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Job, JobResult } from './jobs.ts';
import { BENCH_DIR } from './settings.ts';

export function forkTs(file: string): ChildProcess {
  return fork(path.join(BENCH_DIR, file), [], {
    execPath: process.execPath,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

export function waitMessage<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type: string }) => {
      if (message.type !== type && message.type !== 'failed') return;
      cleanup();
      if (message.type === 'failed') reject(new Error((message as unknown as { error: string }).error));
      else resolve(message as T);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`${path.basename(String(child.spawnargs.at(-1)))} exited (${code}) before answering`));
    };
    const cleanup = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export class LoadGenerator {
  readonly child = forkTs('load-worker.ts');
  readonly ready = waitMessage(this.child, 'ready');

  async run<T extends JobResult>(job: Job): Promise<T> {
    const answer = waitMessage<{ result: T }>(this.child, 'result');
    this.child.send({ type: 'job', job });
    return (await answer).result;
  }

  stop(): void {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
  }
}
