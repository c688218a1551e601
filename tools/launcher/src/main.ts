// `npm start`: runs the whole shop on this machine with its data under .minishop/, prints where
// to find it, and stops everything on Ctrl-C. A second run reuses the data.
import path from 'node:path';
import { REPO_ROOT, startStack, type RunningStack } from './stack.ts';

const dataDir = path.join(REPO_ROOT, '.minishop');
const abort = new AbortController();
let stopping = false;

const starting: Promise<RunningStack> = startStack({ dataDir, signal: abort.signal });

async function shutdown(reason: string, exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`\n${reason}: stopping Minishop… (Ctrl-C again to stop waiting)`);
  abort.abort();
  // A start in progress cleans up after itself when aborted.
  const stack = await starting.catch(() => undefined);
  await stack?.stop();
  console.log('Minishop stopped.');
  process.exit(exitCode);
}

let firstSignalAt = 0;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    if (!stopping) {
      firstSignalAt = Date.now();
      void shutdown(sig, 0);
      return;
    }
    // In a terminal one Ctrl-C reaches us twice (directly and forwarded by npm): only a later,
    // separate press means "stop waiting".
    if (Date.now() - firstSignalAt > 1500) {
      console.error('Stopping without waiting; some processes may be left running.');
      process.exit(130);
    }
  });
}

let stack: RunningStack;
try {
  stack = await starting;
} catch (error) {
  if (!stopping) {
    console.error(`\nMinishop could not start: ${(error as Error).message}`);
    process.exit(1);
  }
  // shutdown() exits once the aborted start has cleaned up.
  await new Promise(() => {});
  throw error;
}

const started = new Set<string>(stack.started);
const { ports, admin, missing } = stack;
const lines = [
  '',
  'Minishop is running.',
  '',
  started.has('gateway')
    ? `  Shop and API   http://localhost:${ports.gateway}`
    : '  Shop and API   (the gateway is not built yet)',
  started.has('gateway') ? `  API docs       http://localhost:${ports.gateway}/docs` : undefined,
  started.has('mail-sink') ? `  Sent mail      http://localhost:${ports.mailHttp}` : undefined,
  `  Admin login    ${admin.email} / ${admin.password}`,
  missing.length > 0 ? `  Not built yet  ${missing.join(', ')}` : undefined,
  `  Data           ${path.relative(process.cwd(), dataDir) || dataDir}/ (delete it to start from scratch)`,
  '',
  'Press Ctrl-C to stop.',
  '',
].filter((line) => line !== undefined);
console.log(lines.join('\n'));

const exit = await stack.exited;
if (!stopping) {
  const how = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
  console.error(`\n${exit.name} exited unexpectedly (${how}).`);
  await shutdown('a process died', 1);
}
