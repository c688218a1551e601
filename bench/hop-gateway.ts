// A second gateway like the stack's, with the bare baseline server standing in for Catalog: what
// the gateway hop alone costs. And the runtime flags the launcher gives a component, for runs that
// profile or change them.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '@minishop/devstack/free-port';
import { componentEnv, DEFAULT_PORTS, type ComponentName } from '../tools/launcher/src/components.ts';
import { REPO_ROOT, waitForReady, type RunningStack } from '../tools/launcher/src/stack.ts';

export function launcherNodeOptions(name: string): string {
  const env = componentEnv(name as ComponentName, {
    ports: DEFAULT_PORTS,
    databaseUrls: {},
    redisUrl: '',
    secrets: { serviceClients: {}, paymentProviderSecretKey: '', paymentWebhookSecret: '' },
    admin: { email: '', password: '' },
  });
  return env.NODE_OPTIONS ?? '';
}

/** Starts one more gateway, like the stack's but with the baseline server standing in for Catalog. */
export async function startHopGateway(
  stack: RunningStack,
  baselinePort: number,
): Promise<{ child: ChildProcess; origin: string }> {
  const [port, managementPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'services', 'gateway', 'src', 'main.ts')], {
    env: {
      ...process.env,
      // Everything the stack's gateway gets (runtime flags included), then our changes.
      ...componentEnv('gateway', {
        ports: stack.ports,
        databaseUrls: stack.databaseUrls,
        redisUrl: stack.redisUrl,
        secrets: stack.secrets,
        admin: stack.admin,
      }),
      ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
      MINISHOP_ENV: 'test',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      MANAGEMENT_PORT: String(managementPort),
      REDIS_URL: stack.redisUrl,
      AUTH_URL: stack.urls.services.auth,
      CATALOG_URL: `http://127.0.0.1:${baselinePort}`,
      RATE_LIMIT_PER_MINUTE: '1000000000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const origin = `http://127.0.0.1:${port}`;
  await waitForReady(`http://127.0.0.1:${managementPort}`, {
    timeoutMs: 30_000,
    check: () => {
      if (child.exitCode !== null) throw new Error(`the second gateway exited (${child.exitCode})`);
    },
  });
  return { child, origin };
}
